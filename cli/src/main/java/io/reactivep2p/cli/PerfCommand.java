package io.reactivep2p.cli;

import io.reactivep2p.NodeConfig;
import io.reactivep2p.P2pNode;
import io.reactivep2p.perf.Perf;
import io.reactivep2p.protocol.FrameSettings;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code p2p perf}: the perf protocol ({@link Perf}) between two processes —
 * {@code p2p perf server} answers, {@code p2p perf client} measures.
 */
@Command(name = "perf",
        mixinStandardHelpOptions = true,
        versionProvider = P2pCli.Version.class,
        description = {
            "Measures throughput and latency between two nodes (the perf protocol).",
            "",
            "Run 'p2p perf server' on one machine and 'p2p perf client --server HOST:PORT' on another: the "
                    + "client uploads, then downloads, then times empty request/response round trips, over one "
                    + "connection of the library, with its framing, flow control and (unless --no-lz4) LZ4.",
            ""
        },
        subcommands = {PerfServerCommand.class, PerfClientCommand.class},
        footer = {
            "",
            "Examples:",
            "  p2p perf server --port 4001",
            "  p2p perf client --server 10.0.0.5:4001 --upload 1GiB --download 1GiB",
            "  p2p perf client --server 10.0.0.5:4001 --data zeros --json"
        })
final class PerfCommand implements Callable<Integer> {

    /** Data bytes of a PERF_DATA message at most: the library's message limit less the run id. */
    static final int MAX_CHUNK = FrameSettings.DEFAULT_MAX_MESSAGE_LENGTH - Long.BYTES;
    /** How long {@code node.start()} may take. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    @ParentCommand
    private P2pCli cli;

    @Spec
    private CommandSpec spec;

    /** {@code p2p perf} alone: a subcommand is missing. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command: 'server' or 'client'");
    }

    P2pCli cli() {
        return cli;
    }

    /**
     * Starts a node that speaks perf, with the dialer off: it talks to the peers it is pointed at
     * (or that connect to it), and no other.
     *
     * @throws CliException if it cannot listen on {@code host:port}
     */
    static P2pNode startNode(String host, int port, boolean lz4, boolean plaintext) {
        NodeConfig config = Perf.configure(NodeConfig.builder())
                .listenHost(host)
                .listenPort(port)
                .lz4(lz4)
                .plaintext(plaintext)
                .outboundTarget(0)
                .build();
        P2pNode node = P2pNode.create(config);
        try {
            node.start().block(START_TIMEOUT);
        } catch (RuntimeException e) {
            node.close();
            throw new CliException("cannot listen on " + RunningNode.hostPort(host, port) + ": "
                    + RunningNode.reason(e), e);
        }
        return node;
    }
}
