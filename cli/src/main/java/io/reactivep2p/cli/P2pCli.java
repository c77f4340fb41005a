package io.reactivep2p.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code p2p} command: {@code p2p node} runs a node, {@code p2p demo} a network of nodes
 * in this process, {@code p2p perf} measures throughput and latency between two nodes.
 *
 * <p>Exit codes: 0 on success (and for {@code --help}, {@code --version}), 2 for bad
 * arguments, 1 when the command fails as it runs. Either failure prints one line to stderr,
 * never a stack trace (that is logged at DEBUG).
 */
@Command(name = "p2p",
        mixinStandardHelpOptions = true,
        versionProvider = P2pCli.Version.class,
        description = {"A reactive-p2p node, a demo network of nodes in one process, or perf between two nodes.", ""},
        subcommands = {NodeCommand.class, DemoCommand.class, SimCommand.class, PerfCommand.class},
        footer = {"", "Run 'p2p demo' to see a network gossip transactions, 'p2p perf server' and 'p2p perf client' "
                + "to measure a link; 'p2p COMMAND --help' for a command's options."})
public final class P2pCli implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(P2pCli.class);
    private static final String NETTY_JFR = "io.netty.jfr.enabled";

    private final PrintStream out;
    private final PrintStream err;
    private final Consumer<Runnable> shutdownHooks;

    @Spec
    private CommandSpec spec;

    /**
     * @param out where commands print what they report
     * @param err where errors go
     * @param shutdownHooks registers what a long-running command does to stop gracefully: a
     *     JVM shutdown hook in {@link #main}, a trigger of their own in tests
     */
    P2pCli(PrintStream out, PrintStream err, Consumer<Runnable> shutdownHooks) {
        this.out = Objects.requireNonNull(out, "out");
        this.err = Objects.requireNonNull(err, "err");
        this.shutdownHooks = Objects.requireNonNull(shutdownHooks, "shutdownHooks");
    }

    /** Runs the command and exits with its code. */
    public static void main(String... args) {
        // Netty's buffer allocator describes its chunks to Java Flight Recorder whenever JFR is
        // available, and setting up those event types takes 100-200 ms on the first buffer of a
        // process. The commands do not record them: -Dio.netty.jfr.enabled=true (in
        // P2P_JAVA_OPTS) turns them back on.
        if (System.getProperty(NETTY_JFR) == null) {
            System.setProperty(NETTY_JFR, "false");
        }
        StopOnSignal hooks = new StopOnSignal();
        int code = run(System.out, System.err, hooks, args);
        if (!hooks.signalled()) { // during shutdown, System.exit would wait forever for the hooks
            System.exit(code);
        }
    }

    /** Runs the command without exiting: the exit code. Stops on SIGINT and SIGTERM. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        return run(out, err, new StopOnSignal(), args);
    }

    /** Runs the command without exiting; a long-running command registers its stop with {@code shutdownHooks}. */
    static int run(PrintStream out, PrintStream err, Consumer<Runnable> shutdownHooks, String... args) {
        return commandLine(out, err, shutdownHooks).execute(args);
    }

    /** The command line with its error handling, printing to {@code out} and {@code err}. */
    static CommandLine commandLine(PrintStream out, PrintStream err, Consumer<Runnable> shutdownHooks) {
        CommandLine cl = new CommandLine(new P2pCli(out, err, shutdownHooks));
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // Set after the subcommands exist, so that they get the handlers too.
        cl.setParameterExceptionHandler(new BadArguments(err));
        cl.setExecutionExceptionHandler(new Failure(err));
        return cl;
    }

    /** {@code p2p} alone: a command is missing. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command: 'node', 'demo' or 'perf'");
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    /** Registers {@code stop} to run when the process is asked to stop (SIGINT, SIGTERM). */
    void onShutdown(Runnable stop) {
        shutdownHooks.accept(stop);
    }

    /** Bad arguments: one line naming the command, a pointer to its help, exit code 2. */
    private static final class BadArguments implements IParameterExceptionHandler {
        private final PrintStream err;

        BadArguments(PrintStream err) {
            this.err = err;
        }

        @Override
        public int handleParseException(ParameterException ex, String[] args) {
            String command = ex.getCommandLine().getCommandSpec().qualifiedName();
            log.debug("bad arguments for {}", command, ex);
            err.println(command + ": " + describe(ex));
            err.println("Try '" + command + " --help'.");
            err.flush();
            return ExitCode.USAGE;
        }

        private static String describe(ParameterException ex) {
            ArgSpec arg = ex.getArgSpec();
            if (ex.getCause() instanceof TypeConversionException && arg instanceof OptionSpec) {
                return "invalid value for " + ((OptionSpec) arg).longestName() + ": " + firstLine(ex.getCause().getMessage());
            }
            if (ex instanceof UnmatchedArgumentException) {
                UnmatchedArgumentException u = (UnmatchedArgumentException) ex;
                List<String> unmatched = u.getUnmatched();
                String what = unmatched.isEmpty() ? "" : " '" + unmatched.get(0) + "'";
                CommandSpec spec = ex.getCommandLine().getCommandSpec();
                if (!u.isUnknownOption() && !spec.subcommands().isEmpty()) {
                    return "unknown command" + what + " (commands: " + String.join(", ", spec.subcommands().keySet()) + ")";
                }
                String message = (u.isUnknownOption() ? "unknown option" : "unexpected argument") + what;
                List<String> suggestions = u.getSuggestions();
                return suggestions.isEmpty() ? message : message + " (did you mean " + suggestions.get(0) + "?)";
            }
            return lowerFirst(firstLine(ex.getMessage()));
        }
    }

    /** A command that failed as it ran: one line, exit code 1; the stack trace only at DEBUG. */
    private static final class Failure implements IExecutionExceptionHandler {
        private final PrintStream err;

        Failure(PrintStream err) {
            this.err = err;
        }

        @Override
        public int handleExecutionException(Exception ex, CommandLine commandLine, ParseResult parseResult) {
            String command = commandLine.getCommandSpec().qualifiedName();
            log.debug("{} failed", command, ex);
            err.println(command + ": " + describe(ex));
            err.flush();
            return ExitCode.SOFTWARE;
        }

        /** The message of a {@link CliException}; otherwise the innermost cause's, or its type. */
        static String describe(Throwable ex) {
            Throwable t = ex;
            while (!(t instanceof CliException) && t.getCause() != null && t.getCause() != t) {
                t = t.getCause();
            }
            String message = t.getMessage();
            if (t instanceof CliException || (message != null && !message.isBlank())) {
                return firstLine(message);
            }
            return t.getClass().getSimpleName();
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    private static String lowerFirst(String s) {
        if (s.isEmpty() || (s.length() > 1 && Character.isUpperCase(s.charAt(1)))) {
            return s; // an acronym
        }
        return s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
    }

    /** {@code --version}: this build's version, and the JVM's. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = P2pCli.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {
                "p2p " + p.getProperty("version", "unknown") + " (reactive-p2p " + p.getProperty("library", "unknown") + ")",
                "Java ${java.version} (${java.vendor}), ${os.name} ${os.arch}",
            };
        }
    }

    /** Stops long-running commands on SIGINT and SIGTERM, through JVM shutdown hooks. */
    private static final class StopOnSignal implements Consumer<Runnable> {
        private volatile boolean signalled;

        @Override
        public void accept(Runnable stop) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                signalled = true;
                stop.run();
            }, "p2p-shutdown"));
        }

        boolean signalled() {
            return signalled;
        }
    }
}
