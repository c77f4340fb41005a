package io.reactivep2p.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeCommandTest {

    private static final Pattern ID = Pattern.compile("(?m)^node ([0-9a-f]{64})$");
    private static final Pattern STATUS = Pattern.compile(
            "(?m)^\\d\\d:\\d\\d:\\d\\d  peers 0 in / 0 out  msgs/s \\d+\\.\\d in / \\d+\\.\\d out  mempool 0$");

    @Test
    void node_printsIdAddressAndStatus_stopsOnShutdown_andKeepsItsIdInTheDataDir(@TempDir Path tmp) throws IOException {
        Path dataDir = tmp.resolve("node1");

        String first = runUntilStatusThenStop(dataDir);
        String second = runUntilStatusThenStop(dataDir);

        String id = id(first);
        assertThat(id(second)).isEqualTo(id);
        assertThat(dataDir.resolve("identity")).content().contains("node-id " + id);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dataDir.resolve("identity")))).isEqualTo("rw-------");
        assertThat(dataDir.resolve("address-book.txt")).exists(); // saved on stop
        assertThat(first)
                .containsPattern("(?m)^listening on 127\\.0\\.0\\.1:\\d+$")
                .containsPattern("(?m)^seed " + id + "@127\\.0\\.0\\.1:\\d+$")
                .contains("data dir " + dataDir.toAbsolutePath().normalize())
                .contains("address book keeps local addresses")
                .containsPattern(STATUS)
                .endsWith("stopping: disconnecting from 0 peers" + System.lineSeparator() + "stopped" + System.lineSeparator());
    }

    private static String runUntilStatusThenStop(Path dataDir) {
        Cli cli = new Cli();
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> cli.run("node", "--host", "127.0.0.1",
                "--port", "0", "--data-dir", dataDir.toString(), "--status-interval", "100ms"));

        await().atMost(Duration.ofSeconds(10)).until(() -> STATUS.matcher(cli.out()).find());
        assertThat(cli.shutdownHooks()).hasSize(1);
        cli.signal(); // returns once the node has stopped

        assertThat(code).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(0);
        assertThat(cli.err()).isEmpty();
        return cli.out();
    }

    private static String id(String out) {
        Matcher m = ID.matcher(out);
        assertThat(m.find()).as("an id line in %s", out).isTrue();
        return m.group(1);
    }

    @Test
    void node_portInUse_printsOneLineAndExitsWithOne() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Cli cli = new Cli();

            int code = cli.run("node", "--host", "127.0.0.1", "--port", String.valueOf(port));

            assertThat(code).isEqualTo(1);
            assertThat(cli.err().lines().toList())
                    .containsExactly("p2p node: cannot listen on 127.0.0.1:" + port + ": address already in use");
            assertThat(cli.out()).isEmpty();
            assertThat(cli.shutdownHooks()).isEmpty();
        }
    }

    @Test
    void node_badDataDir_printsOneLineAndExitsWithOne(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("bad");
        Files.createDirectories(dir);
        Path identity = dir.resolve("identity");
        Files.writeString(identity, "not an identity\n");
        Files.setPosixFilePermissions(identity, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Cli cli = new Cli();

        int code = cli.run("node", "--host", "127.0.0.1", "--port", "0", "--data-dir", dir.toString());

        assertThat(code).isEqualTo(1);
        assertThat(cli.err().lines().toList()).containsExactly("p2p node: " + identity
                + ":1: expected a key and a value; move it away for a new identity (and a new node id)");
    }

    @Test
    void node_identityReadableByOthers_isRefusedAsSshDoes(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("open");
        Files.createDirectories(dir);
        Path identity = dir.resolve("identity");
        io.reactivep2p.protocol.NodeIdentity.generate(new java.security.SecureRandom()).save(identity);
        Files.setPosixFilePermissions(identity, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Cli cli = new Cli();

        int code = cli.run("node", "--host", "127.0.0.1", "--port", "0", "--data-dir", dir.toString());

        assertThat(code).isEqualTo(1);
        assertThat(cli.err().lines().toList()).singleElement().asString()
                .startsWith("p2p node: permissions rw-r--r-- for '" + identity + "' are too open")
                .endsWith("(chmod 600 " + identity + ")");
    }
}
