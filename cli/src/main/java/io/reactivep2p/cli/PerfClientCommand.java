package io.reactivep2p.cli;

import io.reactivep2p.P2pNode;
import io.reactivep2p.peer.Disconnection;
import io.reactivep2p.peer.Peer;
import io.reactivep2p.peer.PeerEvent;
import io.reactivep2p.peer.PeerException;
import io.reactivep2p.perf.PerfClient;
import io.reactivep2p.perf.PerfResult;
import io.reactivep2p.protocol.DisconnectReason;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;

/**
 * {@code p2p perf client}: connects to a perf server, runs one upload-then-download run and
 * a number of empty runs (latency), and prints what it measured ({@link PerfReport}).
 *
 * <p>Every wait is bounded: the connection ({@value #CONNECT_SECONDS} s), a first empty run that
 * tells a perf server from anything else ({@value #PROBE_SECONDS} s), the throughput run
 * ({@link #runTimeout}) and the latency runs ({@link #latencyTimeout}). A server that stops
 * answering pings is disconnected by the node itself, well before those.
 */
@Command(name = "client",
        mixinStandardHelpOptions = true,
        versionProvider = P2pCli.Version.class,
        sortOptions = false,
        description = {
            "Measures throughput and latency to a perf server.",
            "",
            "Connects to the server over one connection (the library's handshake, framing and LZ4), runs one "
                    + "run that uploads then downloads, then --latency-samples empty runs, and prints the "
                    + "throughputs, the latency percentiles and the bytes on the wire.",
            "",
            "Upload: from the request to the server's first answer, which it sends once every byte is in (so "
                    + "half a round trip is included). Download: from there to the server's last message; the "
                    + "server sends random bytes in 1 MiB messages. Both ends count every byte.",
            "",
            "Latency: each empty run is one request and one answer, timed from sending to receiving: a round "
                    + "trip through both nodes' protocol stacks. Percentiles by nearest rank.",
            "",
            "Wire: the bytes the connection carried each way, frame headers, compression, handshake, pings and "
                    + "latency runs included; against the data, they show what LZ4 did.",
            ""
        },
        footer = {
            "",
            "Sizes: a number of bytes with an optional unit, case-insensitive: 4096, 512KiB, 100MiB, 1GiB "
                    + "(binary), 64KB, 10MB, 1GB (decimal).",
            "",
            "Exit codes: 0 when every measurement was done; 1 if the server cannot be reached, does not "
                    + "answer perf, or a run fails or times out (no answer within 60 s plus 1 s per MiB, or "
                    + "60 s plus 1 s per latency sample); 2 for bad arguments.",
            "",
            "Examples:",
            "  p2p perf client --server 10.0.0.5:4001",
            "  p2p perf client --server 10.0.0.5:4001 --upload 1GiB --download 0 --data zeros",
            "  p2p perf client --server [fd00::5]:4001 --latency-samples 10000 --json"
        })
final class PerfClientCommand implements Callable<Integer> {

    static final int CONNECT_SECONDS = 10;
    static final int PROBE_SECONDS = 10;
    /** Latency samples at most: they are kept, boxed, until the last one is in. */
    static final int MAX_SAMPLES = 1_000_000;
    /** How long a shutdown hook waits for the client to close its node. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    @ParentCommand
    private PerfCommand perf;

    @Spec
    private CommandSpec spec;

    @Option(names = {"-s", "--server"}, paramLabel = "HOST:PORT", required = true,
            converter = Converters.HostPort.class,
            description = "The perf server ('p2p perf server'); IPv6 as [addr]:port. Required.")
    private InetSocketAddress server;

    @Option(names = "--upload", paramLabel = "SIZE", defaultValue = "100MiB", converter = Converters.ByteSize.class,
            description = "Data bytes to upload; 0 for none. Default: ${DEFAULT-VALUE}.")
    private long upload;

    @Option(names = "--download", paramLabel = "SIZE", defaultValue = "100MiB", converter = Converters.ByteSize.class,
            description = "Data bytes to download, at most the server's --max-download; 0 for none. "
                    + "Default: ${DEFAULT-VALUE}.")
    private long download;

    @Option(names = "--chunk", paramLabel = "SIZE", defaultValue = "1MiB", converter = Converters.ByteSize.class,
            description = "Data bytes per upload message, 1.." + PerfCommand.MAX_CHUNK
                    + " (4 MiB, the largest message, less the 8-byte run id). Default: ${DEFAULT-VALUE}.")
    private long chunk;

    @Option(names = "--latency-samples", paramLabel = "N", defaultValue = "1000",
            converter = Converters.NonNegativeInt.class,
            description = "Empty runs to time, 0.." + MAX_SAMPLES + "; 0 skips the latency. Default: ${DEFAULT-VALUE}.")
    private int latencySamples;

    @Option(names = "--data", paramLabel = "random|zeros", defaultValue = "random", converter = Converters.PerfData.class,
            description = "What the upload is made of: random bytes (incompressible) or zeros (as compressible "
                    + "as data gets: shows LZ4 at work). The download is always random. Default: ${DEFAULT-VALUE}.")
    private PerfClient.Data data;

    @Option(names = "--no-lz4",
            description = "Do not offer LZ4: every frame travels uncompressed. Default: LZ4 is used when the "
                    + "server offers it too.")
    private boolean noLz4;

    @Option(names = "--json",
            description = "Print the results as one JSON object on one line, and nothing else on stdout.")
    private boolean json;

    @Override
    public Integer call() {
        if (chunk < 1 || chunk > PerfCommand.MAX_CHUNK) {
            throw new ParameterException(spec.commandLine(), "invalid value for --chunk: '" + given("--chunk", chunk)
                    + "' is not in 1.." + PerfCommand.MAX_CHUNK + " bytes");
        }
        if (latencySamples > MAX_SAMPLES) {
            throw new ParameterException(spec.commandLine(), "invalid value for --latency-samples: '" + latencySamples
                    + "' is not in 0.." + MAX_SAMPLES);
        }
        P2pCli cli = perf.cli();
        PrintStream out = cli.out();
        String target = RunningNode.hostPort(server.getHostString(), server.getPort());
        CountDownLatch finished = new CountDownLatch(1);
        try {
            // Loopback and any port: the client only dials.
            P2pNode node = PerfCommand.startNode("127.0.0.1", 0, !noLz4);
            AtomicBoolean stopRequested = new AtomicBoolean();
            cli.onShutdown(() -> { // Ctrl-C: close the connection (DISCONNECT), which ends the run in progress
                stopRequested.set(true);
                node.close();
                awaitQuietly(finished, STOP_WAIT);
            });
            try {
                PerfReport report = measure(node, target, out);
                if (json) {
                    out.println(report.json());
                } else {
                    out.println();
                    out.print(report.human());
                }
                out.flush();
                return 0;
            } catch (CliException e) {
                throw stopRequested.get() ? new CliException("stopped before the measurements were done", e) : e;
            } finally {
                node.close();
            }
        } finally {
            finished.countDown();
        }
    }

    private PerfReport measure(P2pNode node, String target, PrintStream out) {
        progress(out, "connecting to " + target);
        Peer peer = connect(node, target);
        boolean lz4 = !noLz4 && peer.hello().supportsLz4();
        progress(out, "connected to node " + peer.id().toHex() + ", lz4 " + (lz4 ? "on" : "off"
                + (noLz4 ? " (--no-lz4)" : " (the server does not offer it)")));
        probe(node, peer, target);

        PerfReport.Throughput up = null;
        PerfReport.Throughput down = null;
        if (upload > 0 || download > 0) {
            String uploading = "upload " + DemoCommand.bytes(upload) + " of "
                    + (data == PerfClient.Data.ZEROS ? "zeros" : "random bytes") + " in " + DemoCommand.bytes(chunk)
                    + " messages";
            String downloading = "download " + DemoCommand.bytes(download);
            progress(out, upload == 0 ? downloading : download == 0 ? uploading : uploading + ", then " + downloading);
            // A server that refuses a run closes the connection as the upload arrives, which may lose its
            // DISCONNECT and the reason in it.
            String hint = download > 0 ? " (one cause: a --download above the server's --max-download)" : "";
            PerfResult r = await(PerfClient.run(node, peer, upload, download, (int) chunk, data),
                    runTimeout(upload, download), upload == 0 ? "download" : download == 0 ? "upload"
                            : "upload and download", peer, target, hint);
            up = upload > 0 ? new PerfReport.Throughput(r.upload(), r.uploadNanos()) : null;
            down = download > 0 ? new PerfReport.Throughput(r.download(), r.downloadNanos()) : null;
        }
        PerfReport.Latency latency = null;
        if (latencySamples > 0) {
            progress(out, "latency: " + latencySamples + " empty runs");
            long[] roundTrips = await(PerfClient.latency(node, peer, latencySamples), latencyTimeout(latencySamples),
                    "latency", peer, target, "");
            latency = PerfReport.Latency.of(roundTrips);
        }
        return new PerfReport(target, peer.id().toHex(), lz4, data, (int) chunk, up, down, latency,
                node.bytesSent(), node.bytesReceived());
    }

    /** No answer within it: a generous floor, and 1 s per MiB (a link of at least 8 Mbit/s finishes in time). */
    static Duration runTimeout(long upload, long download) {
        return Duration.ofSeconds(60 + (upload >> 20) + (download >> 20));
    }

    /** A generous floor, and 1 s per sample. */
    static Duration latencyTimeout(int samples) {
        return Duration.ofSeconds(60L + samples);
    }

    private Peer connect(P2pNode node, String target) {
        try {
            return node.connect(server).timeout(Duration.ofSeconds(CONNECT_SECONDS)).block();
        } catch (RuntimeException e) {
            Throwable t = Exceptions.unwrap(e);
            String why = t instanceof TimeoutException ? "no answer in " + CONNECT_SECONDS + " s"
                    : t instanceof PeerException ? t.getMessage()
                    : causedBy(t, UnknownHostException.class) ? "unknown host"
                    : RunningNode.reason(t);
            throw new CliException("cannot connect to " + target + ": " + why, e);
        }
    }

    /** One empty run with a short timeout: a server that is not a perf server does not answer. */
    private static void probe(P2pNode node, Peer peer, String target) {
        try {
            PerfClient.run(node, peer, 0, 0, 1, PerfClient.Data.ZEROS).timeout(Duration.ofSeconds(PROBE_SECONDS)).block();
        } catch (RuntimeException e) {
            if (Exceptions.unwrap(e) instanceof TimeoutException) {
                throw new CliException(target + " does not answer perf requests (no answer in " + PROBE_SECONDS
                        + " s): is it 'p2p perf server'?", e);
            }
            throw new CliException("perf request failed: " + failure(e, peer, target, ""), e);
        }
    }

    private static <T> T await(Mono<T> run, Duration timeout, String what, Peer peer, String target, String hint) {
        try {
            return run.timeout(timeout).block();
        } catch (RuntimeException e) {
            if (Exceptions.unwrap(e) instanceof TimeoutException) {
                throw new CliException(what + " failed: not done within " + timeout.toSeconds() + " s", e);
            }
            throw new CliException(what + " failed: " + failure(e, peer, target, hint), e);
        }
    }

    /**
     * Why a run failed: the disconnection if the connection closed (with {@code hint} if the
     * server gave no reason), otherwise the error's message.
     */
    private static String failure(Throwable e, Peer peer, String target, String hint) {
        Disconnection d = peer.disconnection().orElse(null);
        if (d != null) {
            String who = d.side() == PeerEvent.Side.REMOTE ? target : "this client";
            if (d.reason() == DisconnectReason.REQUESTED && d.side() == PeerEvent.Side.REMOTE) {
                return who + " closed the connection" + hint; // no DISCONNECT read: no reason known
            }
            String detail = d.detail() == null || d.detail().isBlank() ? "" : ": " + d.detail();
            return who + " closed the connection (" + d.reason() + detail + ")";
        }
        Throwable t = Exceptions.unwrap(e);
        return t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /** A line about what the client is doing: for people, so not with {@code --json}. */
    private void progress(PrintStream out, String line) {
        if (!json) {
            out.println(line);
            out.flush();
        }
    }

    /** The value of {@code option} as typed, or {@code value} if it was not. */
    private String given(String option, long value) {
        List<String> typed = spec.findOption(option).originalStringValues();
        return typed.isEmpty() ? String.valueOf(value) : typed.get(typed.size() - 1);
    }

    private static void awaitQuietly(CountDownLatch latch, Duration timeout) {
        try {
            latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
