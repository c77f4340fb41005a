package io.reactivep2p.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import com.dynatrace.hash4j.hashing.Hashing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.reactivep2p.protocol.FrameCodec;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class MessageIdsTest {

    @Property(tries = 300)
    void dedupKeyIsXxHash64OfThePayloadWithTheTypesSeed(@ForAll @Size(max = 300) byte[] payload,
                                                        @ForAll @IntRange(min = 0, max = 255) int type,
                                                        @ForAll long seed) {
        Message message = Message.of(MessageType.fromCode(type), payload);
        MessageIds ids = MessageIds.withSeed(seed);
        // The array path hashes with hash4j itself; the frame paths below (lz4-java's JNI, or its
        // pure-Java code) are checked against it here, and Lz4Test checks both against a
        // published XXH64 value.
        long expected = Hashing.xxh64(ids.typeSeed(type)).hashBytesToLong(payload);
        assertThat(ids.dedupKey(message)).isEqualTo(expected);

        for (boolean direct : new boolean[] {false, true}) {
            ByteBuf frame = FrameCodec.encode(direct ? PooledByteBufAllocator.DEFAULT : Unpooled.buffer().alloc(),
                    FrameSettings.defaults(), message, false);
            try {
                assertThat(ids.dedupKey(frame)).isEqualTo(expected);
            } finally {
                frame.release();
            }
        }
    }

    @Test
    void typeSeedsAreSplitMix64OfTheRunSeed() {
        MessageIds ids = MessageIds.withSeed(0);
        // SplitMix64 reference output for state 0: the first value of the generator.
        assertThat(ids.typeSeed(0)).isEqualTo(0xE220A8397B1DCDAFL);
        assertThat(ids.typeSeed(1)).isNotEqualTo(ids.typeSeed(0));
    }

    @Test
    void keysDependOnTheSeedAndTheType() {
        byte[] payload = new byte[256];
        new Random(1).nextBytes(payload);
        Message tx = Message.of(MessageType.MsgTx, payload);
        Message block = Message.of(MessageType.MsgBlock, payload);
        assertThat(MessageIds.withSeed(1).dedupKey(tx)).isNotEqualTo(MessageIds.withSeed(2).dedupKey(tx));
        assertThat(MessageIds.withSeed(1).dedupKey(tx)).isNotEqualTo(MessageIds.withSeed(1).dedupKey(block));
        assertThat(MessageIds.withRandomSeed().seed()).isNotEqualTo(MessageIds.withRandomSeed().seed());
    }

    @Test
    void contentHashIsSha256OfTypeThenPayload() {
        Message tx = Message.of(MessageType.MsgTx, "hello".getBytes(StandardCharsets.US_ASCII));
        assertThat(MessageIds.contentHash(tx).toHex())
                .isEqualTo("1c9c535c80b3298829957b9fbfcd00bec337baca0866812efc749b7669613d43");
    }
}
