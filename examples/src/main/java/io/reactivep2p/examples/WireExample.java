package io.reactivep2p.examples;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.reactivep2p.protocol.FrameCodec;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.Hello;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.NodeId;
import java.nio.charset.StandardCharsets;

/**
 * Encodes a HELLO and a compressible TX into v1 frames, prints them in hex, and decodes
 * them back.
 *
 * <pre>
 * ./mvnw -B -q -pl examples -am compile exec:java -Dexec.mainClass=io.reactivep2p.examples.WireExample
 * </pre>
 */
public final class WireExample {

    private WireExample() {
    }

    public static void main(String[] args) {
        FrameSettings settings = FrameSettings.defaults();
        Hello hello = new Hello(Hello.VERSION, NodeId.random(), 3000, System.nanoTime(), Hello.CAP_LZ4,
                System.currentTimeMillis(), "wire-example/1.0", new byte[0]);
        byte[] text = "a transaction that compresses well. ".repeat(64).getBytes(StandardCharsets.US_ASCII);

        for (Message message : new Message[] {hello.toMessage(), Message.of(MessageType.MsgTx, text)}) {
            ByteBuf wire = FrameCodec.encode(PooledByteBufAllocator.DEFAULT, settings, message, true);
            try {
                System.out.printf("%s: %d payload bytes -> %d bytes on the wire (flags %d)%n",
                        message.type(), message.payloadLength(), wire.readableBytes(), FrameCodec.flags(wire));
                System.out.println("  " + ByteBufUtil.hexDump(wire, 0, Math.min(wire.readableBytes(), 48)) + "...");
                ByteBuf frame = FrameCodec.decode(wire, settings, PooledByteBufAllocator.DEFAULT);
                try {
                    System.out.println("  decodes back: " + FrameCodec.toMessage(frame).equals(message));
                } finally {
                    frame.release();
                }
            } finally {
                wire.release();
            }
        }
    }
}
