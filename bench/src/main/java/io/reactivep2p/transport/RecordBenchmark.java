package io.reactivep2p.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.reactivep2p.BenchmarkBase;
import io.reactivep2p.noise.CipherState;
import io.reactivep2p.noise.Dh;
import io.reactivep2p.noise.HandshakePattern;
import io.reactivep2p.noise.HandshakeState;
import io.reactivep2p.noise.TransportState;
import java.security.SecureRandom;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The secure channel's record layer as {@link SecureChannelHandler} runs it, on the allocator
 * a node uses: {@code seal} encrypts a heap plaintext (an inner frame) into a pooled heap record,
 * from the plaintext's array when it is one of its own, else copied into the record and
 * encrypted there in place ({@code source}); {@code sealThenOpen} then does what the rest of the way costs: the
 * transport's copy of the heap record into a direct buffer (as a socket write does) and the
 * receiver's {@code open} of it (a copy to the heap, decrypted there in place).
 * Compare with {@code NoiseBenchmark.sealRecord}/{@code openRecord}, the cipher alone between
 * direct buffers, in the same run.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar 'RecordBenchmark|NoiseBenchmark.(seal|open)Record' -prof gc
 * </pre>
 */
public class RecordBenchmark extends BenchmarkBase {

    /** Plaintext bytes of a record: a small message, and a full record. */
    @Param({"256", "65519"})
    public int recordBytes;

    /**
     * Where the plaintext is: {@code array}, an array of its own (a large message's payload):
     * encrypted from there; {@code pooled}, a pooled heap buffer, and {@code pieces}, a
     * composite of two: copied into the record and encrypted in place.
     */
    @Param({"array", "pooled", "pieces"})
    public String source;

    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private CipherState sender;
    private CipherState receiver;
    private ByteBuf plaintext;

    @Setup(Level.Trial)
    public void setUp() {
        SecureRandom random = new SecureRandom();
        HandshakeState i = HandshakeState.builder(HandshakePattern.XX, true)
                .localStatic(Dh.X25519.generateKeyPair(random)).random(random).build();
        HandshakeState r = HandshakeState.builder(HandshakePattern.XX, false)
                .localStatic(Dh.X25519.generateKeyPair(random)).random(random).build();
        r.readMessage(i.writeMessage(new byte[0]));
        i.readMessage(r.writeMessage(new byte[0]));
        r.readMessage(i.writeMessage(new byte[0]));
        TransportState initiator = i.split();
        TransportState responder = r.split();
        sender = initiator.sender();
        receiver = responder.receiver();
        byte[] bytes = new byte[recordBytes];
        new Random(DATA_SEED).nextBytes(bytes);
        plaintext = switch (source) {
            case "array" -> Unpooled.wrappedBuffer(bytes);
            case "pooled" -> alloc.heapBuffer(recordBytes).writeBytes(bytes);
            case "pieces" -> alloc.compositeHeapBuffer(2).addComponents(true,
                    alloc.heapBuffer(recordBytes / 2).writeBytes(bytes, 0, recordBytes / 2),
                    alloc.heapBuffer(recordBytes - recordBytes / 2).writeBytes(bytes, recordBytes / 2,
                            recordBytes - recordBytes / 2));
            default -> throw new IllegalArgumentException(source);
        };
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        plaintext.release();
    }

    @Benchmark
    public int seal() {
        ByteBuf record = SecureChannelHandler.seal(alloc, sender, plaintext, 0);
        int length = record.readableBytes();
        record.release();
        return length;
    }

    @Benchmark
    public int sealThenOpen() {
        ByteBuf record = SecureChannelHandler.seal(alloc, sender, plaintext, 0);
        ByteBuf wire = alloc.directBuffer(record.readableBytes()).writeBytes(record);
        record.release();
        try {
            ByteBuf plain = SecureChannelHandler.open(alloc, receiver, wire, wire.readerIndex(), wire.readableBytes());
            int length = plain.readableBytes();
            plain.release();
            return length;
        } finally {
            wire.release();
        }
    }
}
