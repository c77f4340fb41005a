package io.reactivep2p.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** Shows that a leaked buffer is reported, so that the check after every test class means something. */
class LeakDetectionSelfTest {

    @Test
    void aLeakedBufferIsReported() {
        leak();
        assertThat(LeakChecks.collect()).anySatisfy(report -> assertThat(report).startsWith("LEAK: ByteBuf"));
        assertThat(LeakChecks.collect()).isEmpty();
    }

    @Test
    void aReleasedBufferIsNot() {
        PooledByteBufAllocator.DEFAULT.directBuffer(64).writeLong(1).release();
        assertThat(LeakChecks.collect()).isEmpty();
    }

    private static void leak() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        buf.writeLong(42);
        // dropped without release()
    }
}
