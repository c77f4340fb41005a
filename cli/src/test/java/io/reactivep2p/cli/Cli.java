package io.reactivep2p.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Runs {@code p2p} in this JVM with captured output and shutdown hooks a test triggers. */
final class Cli {

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
    private final List<Runnable> shutdownHooks = new CopyOnWriteArrayList<>();

    /** The exit code of {@code p2p args}. */
    int run(String... args) {
        return P2pCli.run(out, err, shutdownHooks::add, args);
    }

    String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    /** What SIGINT or SIGTERM would do: runs the registered hooks. */
    void signal() {
        shutdownHooks.forEach(Runnable::run);
    }

    List<Runnable> shutdownHooks() {
        return shutdownHooks;
    }
}
