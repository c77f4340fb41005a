package io.reactivep2p.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CliArgumentsTest {

    @ParameterizedTest(name = "p2p {0}")
    @CsvSource(delimiter = '|', textBlock = """
            node --port 70000                    | p2p node: invalid value for --port: '70000' is not a port (0..65535)
            node --port abc                      | p2p node: invalid value for --port: 'abc' is not a port (0..65535)
            node --port -1                       | p2p node: invalid value for --port: '-1' is not a port (0..65535)
            node --metrics-port 65536            | p2p node: invalid value for --metrics-port: '65536' is not a port (0..65535)
            node --seed nohost                   | p2p node: invalid value for --seed: 'nohost' is not host:port
            node --seed host:99999               | p2p node: invalid value for --seed: 'host:99999' has no valid port (1..65535)
            node --seed :3000                    | p2p node: invalid value for --seed: ':3000' has no host (expected host:port)
            node --seed a:1,b:0                  | p2p node: invalid value for --seed: 'b:0' has no valid port (1..65535)
            node --seed ::1:3000                 | p2p node: invalid value for --seed: '::1:3000' is not host:port (an IPv6 address needs brackets: [addr]:port)
            node --status-interval soon          | p2p node: invalid value for --status-interval: 'soon' is not a duration (e.g. 500ms, 30s, 2m, 1h, PT1M30S)
            node --status-interval 0s            | p2p node: invalid value for --status-interval: '0s' is not a positive duration
            node --max-peers 0                   | p2p node: invalid value for --max-peers: '0' is not a positive whole number
            node --bogus                         | p2p node: unknown option '--bogus'
            node extra                           | p2p node: unexpected argument 'extra'
            demo --duration 30                   | p2p demo: invalid value for --duration: '30' is not a duration (e.g. 500ms, 30s, 2m, 1h, PT1M30S)
            demo --duration -5s                  | p2p demo: invalid value for --duration: '-5s' is not a duration (e.g. 500ms, 30s, 2m, 1h, PT1M30S)
            demo --duration PT0S                 | p2p demo: invalid value for --duration: 'PT0S' is not a positive duration
            demo --nodes 0                       | p2p demo: invalid value for --nodes: '0' is not a positive whole number
            demo --nodes -3                      | p2p demo: invalid value for --nodes: '-3' is not a positive whole number
            demo --nodes 1                       | p2p demo: invalid value for --nodes: '1' is not in 2..500
            demo --tx-rate 0                     | p2p demo: invalid value for --tx-rate: '0' is not a positive whole number
            demo --tx-rate lots                  | p2p demo: invalid value for --tx-rate: 'lots' is not a positive whole number
            demo --degree 17                     | p2p demo: invalid value for --degree: '17' is not in 1..16
            demo --seed x                        | p2p demo: invalid value for --seed: 'x' is not a whole number
            demo --plain=maybe                   | p2p demo: invalid value for --plain: 'maybe' is not a boolean
            perf                                 | p2p perf: missing command: 'server' or 'client'
            perf frobnicate                      | p2p perf: unknown command 'frobnicate' (commands: server, client)
            perf client                          | p2p perf client: missing required option: '--server=HOST:PORT'
            perf client --server nohost          | p2p perf client: invalid value for --server: 'nohost' is not host:port
            perf client -s h:1 --upload 12XB     | p2p perf client: invalid value for --upload: '12XB' is not a size (e.g. 100MiB, 1GiB, 4096)
            perf client -s h:1 --download -1MiB  | p2p perf client: invalid value for --download: '-1MiB' is not a size (e.g. 100MiB, 1GiB, 4096)
            perf client -s h:1 --chunk 0         | p2p perf client: invalid value for --chunk: '0' is not in 1..4194296 bytes
            perf client -s h:1 --chunk 8MiB     | p2p perf client: invalid value for --chunk: '8MiB' is not in 1..4194296 bytes
            perf client -s h:1 --chunk 4MiB      | p2p perf client: invalid value for --chunk: '4MiB' is not in 1..4194296 bytes
            perf client -s h:1 --latency-samples -1 | p2p perf client: invalid value for --latency-samples: '-1' is not a whole number >= 0
            perf client -s h:1 --latency-samples 1000001 | p2p perf client: invalid value for --latency-samples: '1000001' is not in 0..1000000
            perf client -s h:1 --data ones       | p2p perf client: invalid value for --data: 'ones' is not random or zeros
            perf server --max-download 1TB2      | p2p perf server: invalid value for --max-download: '1TB2' is not a size (e.g. 100MiB, 1GiB, 4096)
            perf server --port 70000             | p2p perf server: invalid value for --port: '70000' is not a port (0..65535)
            perf server --status-interval 0s     | p2p perf server: invalid value for --status-interval: '0s' is not a positive duration
            --bogus                              | p2p: unknown option '--bogus'
            frobnicate                           | p2p: unknown command 'frobnicate' (commands: node, demo, sim, perf)
            """)
    void badArguments_printOneLineAndExitWithTwo(String args, String expected) {
        Cli cli = new Cli();

        int code = cli.run(args.trim().split(" +"));

        assertThat(code).isEqualTo(2);
        assertThat(cli.out()).isEmpty();
        List<String> lines = cli.err().lines().toList();
        String command = expected.substring(0, expected.indexOf(':'));
        assertThat(lines).containsExactly(expected.trim(), "Try '" + command + " --help'.");
        assertThat(cli.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void missingCommand_exitsWithTwo() {
        Cli cli = new Cli();

        assertThat(cli.run()).isEqualTo(2);
        assertThat(cli.err().lines().toList())
                .containsExactly("p2p: missing command: 'node', 'demo' or 'perf'", "Try 'p2p --help'.");
    }

    @ParameterizedTest(name = "p2p {0} --help")
    @ValueSource(strings = {"", "node", "demo", "perf", "perf server", "perf client"})
    void help_printsUsageAndExitsWithZero(String command) {
        Cli cli = new Cli();
        String[] args = (command + " --help").trim().split(" ");

        assertThat(cli.run(args)).isZero();
        assertThat(cli.out()).startsWith("Usage: p2p" + (command.isEmpty() ? "" : " " + command));
        assertThat(cli.err()).isEmpty();
    }

    @Test
    void help_documentsEveryOptionWithItsDefault() {
        Cli node = new Cli();
        node.run("node", "--help");
        assertThat(node.out()).contains("--host", "Default: 0.0.0.0", "--port", "Default: 3000", "--seed", "--max-peers",
                "--data-dir", "--metrics-port", "--status-interval", "Default: 5s", "--allow-local", "Local networks");

        Cli demo = new Cli();
        demo.run("demo", "--help");
        assertThat(demo.out()).contains("--nodes", "Default: 8.", "--duration", "Default: 30s", "--tx-rate",
                "Default: 200", "--degree", "Default: 3.", "--seed", "--plain");

        Cli perf = new Cli();
        perf.run("perf", "--help");
        assertThat(perf.out()).contains("server", "client");

        Cli server = new Cli();
        server.run("perf", "server", "--help");
        assertThat(server.out().replaceAll("\\s+", " ")).contains("--host", "Default: 0.0.0.0", "--port", "Default: 4001.", "--max-download",
                "Default: 64GiB", "--no-lz4", "--status-interval", "Default: 5s");

        Cli client = new Cli();
        client.run("perf", "client", "--help");
        assertThat(client.out().replaceAll("\\s+", " ")).contains("--server", "--upload", "Default: 100MiB", "--download", "--chunk",
                "Default: 1MiB", "--latency-samples", "Default: 1000", "--data", "Default: random", "--no-lz4", "--json");
    }

    @ParameterizedTest(name = "p2p {0} --version")
    @ValueSource(strings = {"", "node", "demo", "perf", "perf server", "perf client"})
    void version_printsTheVersionAndExitsWithZero(String command) {
        Cli cli = new Cli();
        String[] args = (command + " --version").trim().split(" ");

        assertThat(cli.run(args)).isZero();
        assertThat(cli.out()).startsWith("p2p 0.1.0").contains("Java ");
    }
}
