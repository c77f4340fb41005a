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
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * {@code p2p perf client}: connects to a perf server, runs one upload-then-download run and
 * a number of echoes (latency), and prints what it measured ({@link PerfReport}).
 *
 * <p>Every wait is bounded: the connection ({@value #CONNECT_SECONDS} s), a first echo that
 * tells a perf server from anything else ({@value #PROBE_SECONDS} s), the throughput run
 * ({@link #runTimeout}) and the latency runs ({@link #latencyTimeout}). A server that stops
 * answering pings is disconnected by the node itself, well before those.
 */
@Command(name = "client",
        mixinStandardHelpOptions = true,
        versionProvider = P2pCli.Version.class,
        sortOptions = false,
        description = {
            "Measures throughput, latency and connection setup to a perf server.",
            "",
            "Connects to the server over one connection (the library's handshake, framing and LZ4) and runs "
                    + "--warmup rounds, not reported, then --repeat rounds: each round one run that uploads then "
                    + "downloads, then --latency-samples echoes. Prints the throughputs (the median run, and "
                    + "every run), the latency percentiles, the connection setup and the bytes on the wire.",
            "",
            "Upload: from the request to the server's first answer, which it sends once every byte is in (so "
                    + "half a round trip is included); that is also the run's time to first byte. Download: from "
                    + "there to the server's last message; the server sends random bytes in 1 MiB messages. Both "
                    + "ends count every byte.",
            "",
            "Latency: each sample is one message the server sends back as it is (PERF_ECHO), timed from "
                    + "sending to receiving: a round trip through both nodes' protocol stacks. Percentiles by nearest rank, over the samples of "
                    + "every reported round.",
            "",
            "Setup: from the start of the dial to the handshake done (TCP connect and HELLO both ways), for the "
                    + "first connection of this process, and with --setup-samples for that many more once the "
                    + "rounds are done. First byte: from the JVM's start to the server's first answer in the "
                    + "first round.",
            "",
            "Wire: the bytes the connection carried each way, frame headers, compression, handshake, pings, "
                    + "warm-up and latency runs included; against the data, they show what LZ4 did.",
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
            "  p2p perf client --server 10.0.0.5:4001 --upload 1GiB --download 1GiB --warmup 1 --repeat 3",
            "  p2p perf client --server [fd00::5]:4001 --upload 0 --download 0 --latency-samples 10000 "
                    + "--setup-samples 200 --json"
        })
final class PerfClientCommand implements Callable<Integer> {

    static final int CONNECT_SECONDS = 10;
    static final int PROBE_SECONDS = 10;
    /** Latency samples at most: they are kept, boxed, until the last one is in. */
    static final int MAX_SAMPLES = 1_000_000;
    /** Warm-up and reported rounds at most, each. */
    static final int MAX_ROUNDS = 1000;
    /** Timed connection setups at most. */
    static final int MAX_SETUPS = 100_000;
    /** Dials in a row refused as a duplicate of the previous connection before a setup sample fails. */
    static final int MAX_DUPLICATE_RETRIES = 100;
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

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "1", converter = Converters.NonNegativeInt.class,
            description = "Rounds run first and not reported, 0.." + MAX_ROUNDS + ": each one throughput run and "
                    + "the latency samples, as a reported round. They let the JIT compile the paths measured. "
                    + "Default: ${DEFAULT-VALUE}.")
    private int warmup;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "1", converter = Converters.NonNegativeInt.class,
            description = "Rounds reported, 1.." + MAX_ROUNDS + ": the throughput is the median run, every run "
                    + "listed; the latency percentiles are over every round's samples. Default: ${DEFAULT-VALUE}.")
    private int repeat;

    @Option(names = "--setup-samples", paramLabel = "N", defaultValue = "0", converter = Converters.NonNegativeInt.class,
            description = "Connection setups to time once the rounds are done, 0.." + MAX_SETUPS + ": each a new "
                    + "connection to the server, from the start of the dial to the handshake done, closed before "
                    + "the next; with --warmup above 0, as many again before them are not reported. "
                    + "Default: ${DEFAULT-VALUE}.")
    private int setupSamples;

    @Option(names = "--data", paramLabel = "random|zeros", defaultValue = "random", converter = Converters.PerfData.class,
            description = "What the upload is made of: random bytes (incompressible) or zeros (as compressible "
                    + "as data gets: shows LZ4 at work). The download is always random. Default: ${DEFAULT-VALUE}.")
    private PerfClient.Data data;

    @Option(names = "--plaintext",
            description = "Speak the plaintext protocol (version 1): no encryption, no authentication; both ends "
                    + "must say it, as a node of one version closes the connections of the other. Default: the "
                    + "secure channel (Noise, AES-256-GCM).")
    private boolean plaintext;

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
        if (warmup > MAX_ROUNDS) {
            throw new ParameterException(spec.commandLine(), "invalid value for --warmup: '" + warmup
                    + "' is not in 0.." + MAX_ROUNDS);
        }
        if (repeat < 1 || repeat > MAX_ROUNDS) {
            throw new ParameterException(spec.commandLine(), "invalid value for --repeat: '" + repeat
                    + "' is not in 1.." + MAX_ROUNDS);
        }
        if (setupSamples > MAX_SETUPS) {
            throw new ParameterException(spec.commandLine(), "invalid value for --setup-samples: '" + setupSamples
                    + "' is not in 0.." + MAX_SETUPS);
        }
        P2pCli cli = perf.cli();
        PrintStream out = cli.out();
        String target = RunningNode.hostPort(server.getHostString(), server.getPort());
        CountDownLatch finished = new CountDownLatch(1);
        try {
            // Loopback and any port: the client only dials.
            P2pNode node = PerfCommand.startNode("127.0.0.1", 0, !noLz4, plaintext);
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
        long dialStart = System.nanoTime();
        Peer peer = connect(node, target);
        long setupNanos = System.nanoTime() - dialStart;
        boolean lz4 = !noLz4 && peer.hello().supportsLz4();
        progress(out, String.format(Locale.ROOT, "connected to node %s in %.3f ms, lz4 %s", peer.id().toHex(),
                setupNanos / 1e6, lz4 ? "on" : "off" + (noLz4 ? " (--no-lz4)" : " (the server does not offer it)")));
        long firstByteNanos = probe(node, peer, target);

        boolean throughput = upload > 0 || download > 0;
        String what = throughput ? runDescription() : "";
        List<PerfReport.Run> runs = new ArrayList<>();
        List<long[]> roundTrips = new ArrayList<>();
        for (int round = 0; round < warmup + repeat; round++) {
            boolean reported = round >= warmup;
            String name = reported ? "round " + (round - warmup + 1) + " of " + repeat
                    : "warm-up round " + (round + 1) + " of " + warmup;
            if (throughput) {
                progress(out, name + ": " + what);
                long start = System.nanoTime();
                PerfResult r = run(node, peer, target);
                if (round == 0) {
                    firstByteNanos = start + r.uploadNanos();
                }
                PerfReport.Run run = new PerfReport.Run(
                        upload > 0 ? new PerfReport.Throughput(r.upload(), r.uploadNanos()) : null,
                        download > 0 ? new PerfReport.Throughput(r.download(), r.downloadNanos()) : null,
                        r.uploadNanos());
                progress(out, "  " + PerfReport.describe(run));
                if (reported) {
                    runs.add(run);
                }
            }
            if (latencySamples > 0) {
                progress(out, name + ": latency, " + latencySamples + " echoes");
                long[] samples = await(PerfClient.latency(node, peer, latencySamples), latencyTimeout(latencySamples),
                        "latency", peer, target, "");
                if (reported) {
                    roundTrips.add(samples);
                }
            }
        }
        PerfReport.Latency latency = roundTrips.isEmpty() ? null
                : PerfReport.Latency.of(roundTrips.stream().flatMapToLong(java.util.Arrays::stream).toArray());
        long wireSent = node.bytesSent();
        long wireReceived = node.bytesReceived();
        PerfReport.Setup setup = null;
        if (setupSamples > 0) {
            progress(out, "connection setup: " + setupSamples + " connections, one after the other");
            setup = setups(node, peer, target);
        }
        double startToFirstByte = processStartToFirstByte(firstByteNanos);
        return new PerfReport(target, peer.id().toHex(), lz4, data, (int) chunk, warmup, repeat, runs, latency,
                new PerfReport.Connection(setupNanos, startToFirstByte), setup, wireSent, wireReceived);
    }

    private String runDescription() {
        String uploading = "upload " + Text.bytes(upload) + " of "
                + (data == PerfClient.Data.ZEROS ? "zeros" : "random bytes") + " in " + Text.bytes(chunk)
                + " messages";
        String downloading = "download " + Text.bytes(download);
        return upload == 0 ? downloading : download == 0 ? uploading : uploading + ", then " + downloading;
    }

    private PerfResult run(P2pNode node, Peer peer, String target) {
        // A server that refuses a run closes the connection as the upload arrives, which may lose its
        // DISCONNECT and the reason in it.
        String hint = download > 0 ? " (one cause: a --download above the server's --max-download)" : "";
        return await(PerfClient.run(node, peer, upload, download, (int) chunk, data), runTimeout(upload, download),
                upload == 0 ? "download" : download == 0 ? "upload" : "upload and download", peer, target, hint);
    }

    /**
     * Milliseconds from the JVM's start to {@code nanos} ({@link System#nanoTime()}): the JVM
     * records its start in wall-clock milliseconds, so the two clocks are paired once here.
     */
    private static double processStartToFirstByte(long nanos) {
        long nowNanos = System.nanoTime();
        long nowMillis = System.currentTimeMillis();
        double firstByteMillis = nowMillis - (nowNanos - nanos) / 1e6;
        return firstByteMillis - ManagementFactory.getRuntimeMXBean().getStartTime();
    }

    /**
     * Closes the perf connection, then times {@link #setupSamples} connections, each closed
     * before the next; with a warm-up, as many before them are not reported. The server may
     * still hold the previous one when the next dial's HELLO arrives (it handles the close on its
     * own event loop) and refuse it as a duplicate: such a dial is tried again, not timed.
     */
    private PerfReport.Setup setups(P2pNode node, Peer first, String target) {
        disconnect(first);
        if (warmup > 0) {
            timeSetups(node, new long[setupSamples]); // as many again first, not reported: the dial path warm
        }
        long[] nanos = new long[setupSamples];
        int retries = timeSetups(node, nanos);
        return PerfReport.Setup.of(nanos, retries);
    }

    /**
     * Fills {@code nanos} with as many timed setups, one after the other, each closed before the
     * next; returns the dials retried. The next dial starts on the event loop that saw the
     * previous connection closed, so a sample is not a wake-up of this thread.
     */
    private int timeSetups(P2pNode node, long[] nanos) {
        AtomicInteger retries = new AtomicInteger();
        Duration timeout = Duration.ofSeconds(CONNECT_SECONDS * 2L + 1L + nanos.length / 100L);
        try {
            Flux.range(0, nanos.length)
                    .concatMap(i -> Mono.defer(() -> {
                        long start = System.nanoTime();
                        return node.connect(server).doOnNext(peer -> nanos[i] = System.nanoTime() - start);
                    }).retryWhen(Retry.max(MAX_DUPLICATE_RETRIES).filter(e -> e instanceof PeerException p
                            && p.reason() == DisconnectReason.DUPLICATE_CONNECTION)
                            .doBeforeRetry(signal -> retries.incrementAndGet()))
                            .timeout(Duration.ofSeconds(CONNECT_SECONDS))
                            .flatMap(peer -> peer.disconnect(DisconnectReason.REQUESTED, "perf: done")), 0)
                    .then()
                    .block(timeout);
        } catch (RuntimeException e) {
            throw new CliException("connection setup failed: " + RunningNode.reason(Exceptions.unwrap(e)), e);
        }
        return retries.get();
    }

    private static void disconnect(Peer peer) {
        peer.disconnect(DisconnectReason.REQUESTED, "perf: done").block(Duration.ofSeconds(CONNECT_SECONDS));
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

    /**
     * One echo with a short timeout: a server that is not a perf server (or one older than
     * PERF_ECHO) does not answer. Returns when the echo came ({@link System#nanoTime()}).
     */
    private static long probe(P2pNode node, Peer peer, String target) {
        try {
            long start = System.nanoTime();
            long[] roundTrip = PerfClient.latency(node, peer, 1).timeout(Duration.ofSeconds(PROBE_SECONDS)).block();
            return start + roundTrip[0];
        } catch (RuntimeException e) {
            if (Exceptions.unwrap(e) instanceof TimeoutException) {
                throw new CliException(target + " does not answer perf requests (no echo in " + PROBE_SECONDS
                        + " s): is it 'p2p perf server', of this version?", e);
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
