package io.reactivep2p.protocol;

import static io.reactivep2p.protocol.Frames.ALLOC;
import static io.reactivep2p.protocol.Frames.SETTINGS;
import static io.reactivep2p.protocol.Frames.decode;
import static io.reactivep2p.protocol.Frames.encode;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class FrameCodecProperties {

    @Property(tries = 60)
    void anyPayloadUpTo1MiBRoundTrips(@ForAll("payloads") byte[] payload, @ForAll boolean lz4,
                                      @ForAll @IntRange(min = 0, max = 255) int type) {
        Message message = Message.of(MessageType.fromCode(type), payload);
        byte[] frame = encode(message, lz4);
        assertThat(frame.length).isLessThanOrEqualTo(FrameCodec.HEADER_LENGTH + payload.length);
        assertThat(decode(frame)).isEqualTo(message);
    }

    @Property(tries = 200)
    void anySplitOfAStreamOfFramesDecodesToTheSameMessages(
            @ForAll("messageLists") List<Message> messages, @ForAll boolean lz4,
            @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 1, max = 5000) Integer> cuts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Message m : messages) {
            out.writeBytes(encode(m, lz4));
        }
        byte[] stream = out.toByteArray();

        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(SETTINGS));
        int position = 0;
        int i = 0;
        while (position < stream.length) {
            int n = Math.min(cuts.get(i++ % cuts.size()), stream.length - position);
            ByteBuf chunk = ALLOC.buffer(n).writeBytes(stream, position, n);
            channel.writeInbound(chunk);
            position += n;
        }
        List<Message> received = new ArrayList<>();
        for (ByteBuf frame; (frame = channel.readInbound()) != null; ) {
            received.add(FrameCodec.toMessage(frame));
            frame.release();
        }
        assertThat(channel.finishAndReleaseAll()).isFalse();
        assertThat(received).containsExactlyElementsOf(messages);
    }

    @Provide
    Arbitrary<byte[]> payloads() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(1 << 20);
        // Compressible: a few distinct bytes, repeated, so that LZ4 kicks in on large payloads.
        Arbitrary<byte[]> compressible = Combinators.combine(
                        Arbitraries.integers().between(0, 1 << 20), Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(16))
                .as((length, pattern) -> {
                    byte[] b = new byte[length];
                    for (int i = 0; i < length; i++) {
                        b[i] = pattern[i % pattern.length];
                    }
                    return b;
                });
        Arbitrary<byte[]> small = Arbitraries.bytes().array(byte[].class).ofMaxSize(2048);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, small), net.jqwik.api.Tuple.of(1, random), net.jqwik.api.Tuple.of(2, compressible));
    }

    @Provide
    Arbitrary<List<Message>> messageLists() {
        Arbitrary<Message> message = Combinators.combine(
                        Arbitraries.integers().between(0, 255),
                        Arbitraries.oneOf(
                                Arbitraries.bytes().array(byte[].class).ofMaxSize(3000),
                                Arbitraries.strings().withChars("ab").ofMaxLength(5000).map(String::getBytes)))
                .as((type, payload) -> Message.of(MessageType.fromCode(type), payload));
        return message.list().ofMinSize(1).ofMaxSize(30);
    }
}
