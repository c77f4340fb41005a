package io.reactivep2p.transport;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A raw TCP ping-pong between two processes: the floor for a round trip between two processes
 * on this machine, which the cross-process benchmark ({@code bench/crossprocess.sh}) puts beside
 * the latency of {@code p2p perf} and of js-libp2p. No framing, no event loop, no allocation per
 * round trip: blocking {@link SocketChannel}s with TCP_NODELAY on both ends; the client writes
 * {@code size} bytes, the server echoes whatever it reads, and the client reads the {@code size}
 * bytes back in full. Each round trip is timed with {@link System#nanoTime()}; the warm-up round
 * trips run first and are not reported. Percentiles by nearest rank, as {@code p2p perf} and
 * {@code bench/js/perf.mjs} report theirs.
 *
 * <p>The default size, 30 bytes, is that of a {@code p2p perf} latency sample's frame (PERF_ECHO).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.reactivep2p.transport.RawPingPong server --port 4001
 * java -cp bench/target/benchmarks.jar io.reactivep2p.transport.RawPingPong client --server 127.0.0.1:4001 \
 *     --samples 20000 --warmup 20000 --size 30 --json
 * </pre>
 *
 * <p>The server prints {@code listening on HOST:PORT} once it accepts connections, then serves
 * them one at a time, each until the client closes it, until it is killed: a probe that connects
 * and closes (to see whether it is up) does not use it up. The client prints one JSON object on
 * one line with {@code --json}, a human line without. Exit codes: 0 when done, 1 on an I/O
 * failure, 2 for bad arguments.
 */
public final class RawPingPong {

    /**
     * The largest message. The client writes all of it before it reads: the socket buffers must
     * hold a whole echo, or both ends would block in their writes.
     */
    static final int MAX_SIZE = 64 * 1024;
    /** What a {@code p2p perf} latency sample (PERF_ECHO) puts on the wire each way: a 14-byte frame header and a 16-byte payload. */
    static final int DEFAULT_SIZE = 30;

    private static final String USAGE = """
            usage:
              RawPingPong server [--host 127.0.0.1] [--port 0]
              RawPingPong client --server HOST:PORT [--samples 10000] [--warmup 10000] [--size 30] [--json]""";

    private RawPingPong() {
    }

    public static void main(String[] args) {
        try {
            if (args.length == 0) {
                throw new IllegalArgumentException("no command");
            }
            Map<String, String> options = options(Arrays.copyOfRange(args, 1, args.length));
            switch (args[0]) {
                case "server" -> {
                    try (Server server = Server.bind(new InetSocketAddress(
                            options.getOrDefault("host", "127.0.0.1"), integer(options, "port", 0, 0, 65535)))) {
                        System.out.println("listening on " + hostPort(server.address()));
                        server.serveUntilClosed();
                    }
                }
                case "client" -> {
                    String target = options.get("server");
                    if (target == null) {
                        throw new IllegalArgumentException("--server HOST:PORT is required");
                    }
                    int samples = integer(options, "samples", 10_000, 1, 10_000_000);
                    int warmup = integer(options, "warmup", 10_000, 0, 10_000_000);
                    int size = integer(options, "size", DEFAULT_SIZE, 1, MAX_SIZE);
                    long[] nanos = roundTrips(address(target), size, warmup, samples);
                    Map<String, Object> report = new LinkedHashMap<>();
                    report.put("size", size);
                    report.put("warmup", warmup);
                    report.putAll(percentiles(nanos));
                    System.out.println(options.containsKey("json") ? json(report) : human(report));
                }
                default -> throw new IllegalArgumentException("unknown command '" + args[0] + "'");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("RawPingPong: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
        } catch (IOException e) {
            System.err.println("RawPingPong: " + e);
            System.exit(1);
        }
    }

    /** The echo end: accepts connections one at a time and echoes every byte until the peer closes. */
    static final class Server implements AutoCloseable {
        private final ServerSocketChannel channel;

        private Server(ServerSocketChannel channel) {
            this.channel = channel;
        }

        static Server bind(InetSocketAddress address) throws IOException {
            ServerSocketChannel channel = ServerSocketChannel.open();
            try {
                channel.bind(address);
                return new Server(channel);
            } catch (IOException e) {
                channel.close();
                throw e;
            }
        }

        InetSocketAddress address() throws IOException {
            return (InetSocketAddress) channel.getLocalAddress();
        }

        /** Serves connection after connection; returns once {@link #close()} is called. */
        void serveUntilClosed() throws IOException {
            while (channel.isOpen()) {
                SocketChannel connection;
                try {
                    connection = channel.accept();
                } catch (IOException e) {
                    if (!channel.isOpen()) {
                        return; // closed while waiting: the way to stop
                    }
                    throw e;
                }
                try (connection) {
                    echo(connection);
                } catch (IOException e) {
                    System.err.println("RawPingPong server: " + e); // one client's failure, not the server's
                }
            }
        }

        /** Serves one connection until its peer closes it. */
        void serveOne() throws IOException {
            try (SocketChannel connection = channel.accept()) {
                echo(connection);
            }
        }

        private static void echo(SocketChannel connection) throws IOException {
            connection.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_SIZE);
            while (connection.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    connection.write(buffer);
                }
                buffer.clear();
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /**
     * Connects to an echo server, runs {@code warmup} then {@code samples} round trips of
     * {@code size} bytes, and returns the latter's durations in nanoseconds.
     */
    static long[] roundTrips(InetSocketAddress server, int size, int warmup, int samples) throws IOException {
        if (size < 1 || size > MAX_SIZE || warmup < 0 || samples < 1) {
            throw new IllegalArgumentException("size " + size + ", warmup " + warmup + ", samples " + samples);
        }
        ByteBuffer ping = ByteBuffer.allocateDirect(size);
        for (int i = 0; i < size; i++) {
            ping.put(i, (byte) i);
        }
        ByteBuffer pong = ByteBuffer.allocateDirect(size);
        long[] nanos = new long[samples];
        try (SocketChannel channel = SocketChannel.open()) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(server);
            for (int i = -warmup; i < samples; i++) {
                ping.clear();
                pong.clear();
                long start = System.nanoTime();
                while (ping.hasRemaining()) {
                    channel.write(ping);
                }
                while (pong.hasRemaining()) {
                    if (channel.read(pong) < 0) {
                        throw new EOFException("the server closed the connection");
                    }
                }
                long end = System.nanoTime();
                if (i >= 0) {
                    nanos[i] = end - start;
                }
            }
        }
        return nanos;
    }

    /** Sample count, p50, p90, p99, p99.9 and max in µs (one decimal), by nearest rank. */
    static Map<String, Object> percentiles(long[] nanos) {
        if (nanos.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("samples", sorted.length);
        p.put("p50Micros", micros(rank(sorted, 500)));
        p.put("p90Micros", micros(rank(sorted, 900)));
        p.put("p99Micros", micros(rank(sorted, 990)));
        p.put("p999Micros", micros(rank(sorted, 999)));
        p.put("maxMicros", micros(sorted[sorted.length - 1]));
        return p;
    }

    /** The smallest sample that at least {@code perMille}/1000 of the samples do not exceed. */
    private static long rank(long[] sorted, int perMille) {
        long rank = ((long) perMille * sorted.length + 999) / 1000; // ceil, in integers
        return sorted[(int) Math.max(0, rank - 1)];
    }

    private static double micros(long nanos) {
        return Math.round(nanos / 100.0) / 10.0;
    }

    /** One line of JSON: the report holds only strings' keys and numbers. */
    static String json(Map<String, Object> report) {
        StringBuilder sb = new StringBuilder("{");
        report.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
        return sb.append('}').toString();
    }

    private static String human(Map<String, Object> r) {
        return String.format(Locale.ROOT, "raw TCP ping-pong, %s bytes, %s round trips (µs): p50 %s p90 %s p99 %s "
                        + "p99.9 %s max %s", r.get("size"), r.get("samples"), r.get("p50Micros"), r.get("p90Micros"),
                r.get("p99Micros"), r.get("p999Micros"), r.get("maxMicros"));
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected '" + args[i] + "'");
            }
            String name = args[i].substring(2);
            if (name.equals("json")) {
                options.put(name, "true");
            } else if (i + 1 < args.length) {
                options.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
        }
        return options;
    }

    private static int integer(Map<String, String> options, String name, int otherwise, int min, int max) {
        String text = options.get(name);
        return text == null ? otherwise : integer("--" + name, text, min, max);
    }

    private static int integer(String what, String text, int min, int max) {
        try {
            int n = Integer.parseInt(text);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(what + ": '" + text + "' is not an integer in " + min + ".." + max);
    }

    private static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--server: '" + hostPort + "' is not HOST:PORT");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host, integer("--server port", hostPort.substring(colon + 1), 1, 65535));
    }

    private static String hostPort(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
