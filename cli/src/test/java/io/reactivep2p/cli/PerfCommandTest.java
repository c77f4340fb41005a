package io.reactivep2p.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code p2p perf server} and {@code p2p perf client} in this JVM, on loopback. */
class PerfCommandTest {

    private static final Pattern LISTENING = Pattern.compile("(?m)^listening on 127\\.0\\.0\\.1:(\\d+)$");
    private static final Pattern SERVER_STATUS = Pattern.compile(
            "(?m)^\\d\\d:\\d\\d:\\d\\d  runs \\d+  in \\d+(\\.\\d)? [KMG]?i?B  out \\d+(\\.\\d)? [KMG]?i?B  clients \\d+$");
    private static final String THROUGHPUT = " 4194304 bytes in \\d+\\.\\d{3} s  \\d+\\.\\d{3} Gbit/s  \\d+\\.\\d MiB/s$";
    private static final long UPLOAD = 4L << 20;

    @Test
    void client_measuresAServer_asTextAndJson_andTheServerStopsOnShutdown() {
        Cli server = new Cli();
        CompletableFuture<Integer> serverCode = CompletableFuture.supplyAsync(() -> server.run("perf", "server",
                "--host", "127.0.0.1", "--port", "0", "--status-interval", "100ms"));
        await().atMost(Duration.ofSeconds(10)).until(() -> LISTENING.matcher(server.out()).find());
        Matcher listening = LISTENING.matcher(server.out());
        assertThat(listening.find()).isTrue();
        String address = "127.0.0.1:" + listening.group(1);

        Cli text = new Cli();
        assertThat(text.run("perf", "client", "--server", address, "--upload", "4MiB", "--download", "4MiB",
                "--chunk", "256KiB", "--latency-samples", "50")).isZero();
        assertThat(text.err()).isEmpty();
        assertThat(text.out())
                .contains("connected to node ", "lz4 on")
                .containsPattern("(?m)^" + Pattern.quote(address) + " \\(node [0-9a-f]{16}\\), lz4 on, data random, chunk 256\\.0 KiB, "
                        + "1 warm-up round not reported$")
                .containsPattern("(?m)^  setup     \\d+\\.\\d{3} ms \\(dial to handshake done\\), first byte \\d+\\.\\d ms "
                        + "after the JVM started$")
                .containsPattern("(?m)^  upload   " + THROUGHPUT)
                .containsPattern("(?m)^  download " + THROUGHPUT)
                .containsPattern("(?m)^  latency   50 round trips: p50 \\d+\\.\\d us  p90 \\d+\\.\\d us  p99 \\d+\\.\\d us"
                        + "  p99\\.9 \\d+\\.\\d us  max \\d+\\.\\d us$")
                .containsPattern("(?m)^  wire      sent \\d+ bytes \\(\\d+\\.\\d % of the upload\\), "
                        + "received \\d+ bytes \\(\\d+\\.\\d % of the download\\)$");

        Map<String, Object> random = json(address, "--upload", "4MiB", "--download", "4MiB", "--chunk", "256KiB",
                "--latency-samples", "50");
        assertThat(random).containsEntry("server", address).containsEntry("lz4", true)
                .containsEntry("data", "random").containsEntry("chunk", 262144.0);
        assertThat(object(random, "upload")).containsEntry("bytes", (double) UPLOAD)
                .containsKeys("seconds", "gbitPerSecond", "mibPerSecond");
        assertThat(object(random, "download")).containsEntry("bytes", (double) UPLOAD);
        assertThat(object(random, "latency")).containsEntry("samples", 50.0)
                .containsKeys("p50Micros", "p90Micros", "p99Micros", "p999Micros", "maxMicros");
        Map<String, Object> randomWire = object(random, "wire");
        assertThat((double) randomWire.get("bytesSent")).isGreaterThan(UPLOAD); // random bytes do not compress
        assertThat((double) randomWire.get("bytesReceived")).isGreaterThan(UPLOAD);

        Map<String, Object> rounds = json(address, "--upload", "1MiB", "--download", "1MiB", "--latency-samples", "20",
                "--warmup", "2", "--repeat", "3", "--setup-samples", "5");
        assertThat(rounds).containsEntry("warmup", 2.0).containsEntry("repeat", 3.0)
                .containsKeys("setupMillis", "processStartToFirstByteMillis");
        assertThat((List<?>) rounds.get("runs")).hasSize(3).allSatisfy(run -> assertThat(new java.util.HashSet<Object>(((Map<?, ?>) run).keySet()))
                .containsExactlyInAnyOrder("upload", "download", "ttfbMillis"));
        assertThat(object(rounds, "latency")).containsEntry("samples", 60.0); // every reported round's samples
        assertThat(object(rounds, "setup")).containsEntry("samples", 5.0)
                .containsKeys("p50Millis", "p90Millis", "p99Millis", "maxMillis", "retries");
        assertThat((double) rounds.get("processStartToFirstByteMillis")).isPositive();
        Map<String, Object> latencyOnly = json(address, "--upload", "0", "--download", "0", "--latency-samples", "10",
                "--warmup", "0", "--repeat", "2");
        assertThat(latencyOnly).containsEntry("repeat", 2.0).containsEntry("runs", List.of());
        assertThat(object(latencyOnly, "latency")).containsEntry("samples", 20.0);

        Map<String, Object> zeros = json(address, "--upload", "4MiB", "--download", "0", "--latency-samples", "0",
                "--data", "zeros");
        assertThat(zeros).containsEntry("data", "zeros").containsEntry("download", null).containsEntry("latency", null);
        assertThat((double) object(zeros, "wire").get("bytesSent")).isLessThan(UPLOAD / 20.0);

        Map<String, Object> plain = json(address, "--upload", "4MiB", "--download", "0", "--latency-samples", "0",
                "--data", "zeros", "--no-lz4");
        assertThat(plain).containsEntry("lz4", false);
        assertThat((double) object(plain, "wire").get("bytesSent")).isGreaterThan(UPLOAD);

        Cli refused = new Cli(); // above the server's --max-download: it disconnects the client
        assertThat(refused.run("perf", "client", "--server", address, "--upload", "0", "--download", "65GiB")).isEqualTo(1);
        assertThat(refused.err().lines().toList()).singleElement().asString()
                .startsWith("p2p perf client: download failed: " + address + " closed the connection");

        await().atMost(Duration.ofSeconds(5)).until(() -> SERVER_STATUS.matcher(server.out()).find());
        assertThat(server.shutdownHooks()).hasSize(1);
        server.signal(); // returns once the node has stopped
        assertThat(serverCode).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(0);
        assertThat(server.err()).isEmpty();
        assertThat(server.out())
                .containsPattern("(?m)^node [0-9a-f]{64}$")
                .contains("serving perf: lz4 on, downloads up to 64.0 GiB per run")
                .containsPattern("(?m)^stopping: total runs \\d+  data \\d+\\.\\d MiB in / \\d+\\.\\d MiB out  "
                        + "wire \\d+\\.\\d MiB in / \\d+\\.\\d MiB out$")
                .endsWith("stopped" + System.lineSeparator());
    }

    /** {@code p2p perf client --server address args --json}: exit 0, one line on stdout, a JSON object. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(String address, String... args) {
        Cli cli = new Cli();
        String[] all = new String[args.length + 5];
        all[0] = "perf";
        all[1] = "client";
        all[2] = "--server";
        all[3] = address;
        System.arraycopy(args, 0, all, 4, args.length);
        all[all.length - 1] = "--json";

        assertThat(cli.run(all)).as(cli.err()).isZero();

        assertThat(cli.err()).isEmpty();
        List<String> lines = cli.out().lines().toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).startsWith("{").endsWith("}");
        return (Map<String, Object>) Json.parse(lines.get(0));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Map<String, Object> json, String key) {
        assertThat(json.get(key)).as(key).isInstanceOf(Map.class);
        return (Map<String, Object>) json.get(key);
    }

    @Test
    void client_closedPort_printsOneLineAndExitsWithOne() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Cli cli = new Cli();

        int code = cli.run("perf", "client", "--server", "127.0.0.1:" + port, "--json");

        assertThat(code).isEqualTo(1);
        assertThat(cli.err().lines().toList())
                .containsExactly("p2p perf client: cannot connect to 127.0.0.1:" + port + ": connection refused");
        assertThat(cli.out()).isEmpty();
    }

    @Test
    void server_portInUse_printsOneLineAndExitsWithOne() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Cli cli = new Cli();

            int code = cli.run("perf", "server", "--host", "127.0.0.1", "--port", String.valueOf(port));

            assertThat(code).isEqualTo(1);
            assertThat(cli.err().lines().toList())
                    .containsExactly("p2p perf server: cannot listen on 127.0.0.1:" + port + ": address already in use");
            assertThat(cli.out()).isEmpty();
            assertThat(cli.shutdownHooks()).isEmpty();
        }
    }
}
