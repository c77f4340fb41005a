package io.reactivep2p;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Shared JMH settings of every benchmark in this module: one fork with a fixed 1 GiB heap,
 * average time in nanoseconds, one state instance per benchmark thread.
 *
 * <p>The forked VM also gets:
 * <ul>
 *   <li>{@code -Djmh.executor=CUSTOM} with {@link HarnessExecutor}: JMH's worker threads are
 *       Netty {@link FastThreadLocalThread}s, like the event-loop threads that run the codec in
 *       a node. Since Netty 4.2 {@code PooledByteBufAllocator} gives a thread cache only to
 *       such threads ({@code io.netty.allocator.useCacheForAllThreads} defaults to false), so
 *       without this every allocation would go to the shared arenas, which no node does.</li>
 *   <li>{@code -Dio.netty.leakDetection.level=disabled}: at the default level (SIMPLE) one
 *       buffer allocation in 128 is wrapped in a leak tracker that captures a stack trace;
 *       that cost is the leak detector's, not the codec's, and it makes the figures jump.</li>
 * </ul>
 *
 * <p>Build and run: {@code ./mvnw -B -pl bench -am package -DskipTests} then
 * {@code java -jar bench/target/benchmarks.jar <BenchmarkClass> [JMH options]}.
 */
@Fork(value = 1, jvmArgsAppend = {
        "-Xms1g", "-Xmx1g",
        "--enable-native-access=ALL-UNNAMED", // forks do not read the jar's manifest: epoll, lz4-java's JNI
        "-Djmh.executor=CUSTOM",
        "-Djmh.executor.class=io.reactivep2p.HarnessExecutor",
        "-Dio.netty.leakDetection.level=disabled"})
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public abstract class BenchmarkBase {

    /** Seed of the payload generators, so that every run measures the same bytes. */
    protected static final long DATA_SEED = 0x5EED_2026_1124L;

    /** Warns when the benchmark thread is not a Netty thread (e.g. another executor was chosen). */
    @Setup(Level.Trial)
    public void checkThread() {
        if (!FastThreadLocalThread.currentThreadHasFastThreadLocal()) {
            System.err.println("WARNING: benchmark thread " + Thread.currentThread().getName()
                    + " is not a FastThreadLocalThread: PooledByteBufAllocator runs without a thread cache");
        }
    }

    /** {@code size} bytes from a seeded {@link Random}: incompressible. */
    protected static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(DATA_SEED).nextBytes(bytes);
        return bytes;
    }

    /**
     * {@code size} bytes of JSON-like transaction records that differ only in a few digits:
     * what a text-encoded gossip payload looks like, and compressible.
     */
    protected static byte[] compressibleBytes(int size) {
        StringBuilder sb = new StringBuilder(size + 128);
        sb.append('[');
        for (int i = 0; sb.length() < size; i++) {
            sb.append("{\"id\":").append(i)
                    .append(",\"from\":\"peer-").append(i % 16)
                    .append("\",\"to\":\"peer-").append((i * 7) % 16)
                    .append("\",\"amount\":").append((i * 37) % 1000)
                    .append(",\"memo\":\"transfer\"},");
        }
        byte[] text = sb.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = new byte[size];
        System.arraycopy(text, 0, bytes, 0, size);
        return bytes;
    }

    /** {@link #randomBytes} or {@link #compressibleBytes} by name. */
    protected static byte[] bytes(String data, int size) {
        switch (data) {
            case "random":
                return randomBytes(size);
            case "compressible":
                return compressibleBytes(size);
            default:
                throw new IllegalArgumentException("unknown data kind: " + data);
        }
    }
}
