package io.reactivep2p.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The raw ping-pong baseline, run in this process on loopback. */
class RawPingPongTest {

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void clientTimesEveryEchoedRoundTripAfterItsWarmUp() throws Exception {
        try (RawPingPong.Server server = RawPingPong.Server.bind(new InetSocketAddress("127.0.0.1", 0))) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try {
                    server.serveOne();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            long[] nanos = RawPingPong.roundTrips(server.address(), RawPingPong.DEFAULT_SIZE, 50, 200);

            assertThat(nanos).hasSize(200);
            assertThat(LongStream.of(nanos).min().getAsLong()).isPositive();
            served.get(10, TimeUnit.SECONDS); // the server saw the client close and returned
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void serverOutlivesAConnectionThatCarriesNothingAndStopsWhenClosed() throws Exception {
        RawPingPong.Server server = RawPingPong.Server.bind(new InetSocketAddress("127.0.0.1", 0));
        CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> {
            try {
                server.serveUntilClosed();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            new Socket("127.0.0.1", server.address().getPort()).close(); // a readiness probe
            assertThat(RawPingPong.roundTrips(server.address(), RawPingPong.MAX_SIZE, 0, 5)).hasSize(5);
        } finally {
            server.close();
        }
        serving.get(10, TimeUnit.SECONDS);
    }

    @Test
    void percentilesAreNearestRankInMicros() {
        long[] nanos = LongStream.rangeClosed(1, 1000).map(i -> i * 1000).toArray(); // 1..1000 µs, in nanoseconds

        Map<String, Object> p = RawPingPong.percentiles(nanos);

        assertThat(p).containsEntry("samples", 1000).containsEntry("p50Micros", 500.0)
                .containsEntry("p90Micros", 900.0).containsEntry("p99Micros", 990.0)
                .containsEntry("p999Micros", 999.0).containsEntry("maxMicros", 1000.0);
        assertThat(RawPingPong.percentiles(new long[] {1_500}))
                .containsEntry("p50Micros", 1.5).containsEntry("p999Micros", 1.5);
        assertThat(RawPingPong.json(p)).isEqualTo("{\"samples\":1000,\"p50Micros\":500.0,\"p90Micros\":900.0,"
                + "\"p99Micros\":990.0,\"p999Micros\":999.0,\"maxMicros\":1000.0}");
    }

    @Test
    void roundTripsRejectsASizeAboveTheLargestMessage() {
        assertThatThrownBy(() -> RawPingPong.roundTrips(new InetSocketAddress("127.0.0.1", 1),
                RawPingPong.MAX_SIZE + 1, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
