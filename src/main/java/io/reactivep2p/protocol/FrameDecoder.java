package io.reactivep2p.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.Objects;

/**
 * Splits the inbound byte stream into frames with {@link FrameCodec#decode}, emitting one
 * uncompressed frame {@link ByteBuf} per frame; whoever reads them must release them.
 *
 * <pre>
 *  bytes in             frames out (uncompressed, checksummed)
 *  +------+---------+   +------+---------+   +------+-----+
 *  | hdr  | payl|hdr| → | hdr  | payload | , | hdr  | ... |
 *  +------+---------+   +------+---------+   +------+-----+
 * </pre>
 *
 * <p>Pitfalls it handles: a header announcing more than the maximum frame length fails at
 * once, before the payload is buffered; after the first {@link ProtocolException} the stream
 * cannot be resynchronised, so the decoder discards everything that follows and the error
 * is fired once through {@code exceptionCaught}. The handler above is expected to send
 * DISCONNECT with {@link ProtocolException#reason()} and close.
 *
 * <p><b>Large frames.</b> Small frames are gathered by copying the reads into one buffer
 * ({@link #MERGE_CUMULATOR}). A frame whose header announces at least
 * {@value #LARGE_FRAME_LENGTH} bytes (once the length has passed the maximum-frame check) is
 * gathered instead as a {@link CompositeByteBuf} of the read buffers themselves: a megabyte
 * frame arriving in 64 KiB reads would otherwise be copied again each time the
 * merged buffer doubles, and end in one-off allocations above the pooled sizes. The reads are
 * checksummed and handed on in place; the decoder goes back to one merged buffer after the
 * frame.
 *
 * <p>A component keeps its whole read buffer, so only well-filled reads (at least
 * {@value #MIN_COMPONENT} bytes and half their buffer) become components. Smaller reads are
 * copied together into a tail buffer of {@value #TAIL_LENGTH} bytes that joins the composite
 * once nearly full or once it completes the frame: a peer sending its frame in tiny pieces
 * makes the node hold at most about twice what it sent, plus one tail, never a buffer and a
 * component per byte.
 *
 * <p><b>Before the handshake.</b> After {@link #handshaking()}, until {@link #handshakeDone()},
 * frames are held to {@value #HANDSHAKE_FRAME_LENGTH} bytes of payload, on the wire and after
 * LZ4: the first frame of a connection is a HELLO (at most 4,418 bytes in any version, whose
 * layout is fixed) or a DISCONNECT, and a stranger that has not said who it is does not get
 * the node to buffer a 4 MiB frame.
 *
 * <p>One instance per channel (not sharable).
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    /** Payload length from which a frame is gathered as a composite of the reads rather than copied. */
    static final int LARGE_FRAME_LENGTH = 64 * 1024;
    /** The smallest read that joins a large frame's composite as it is. */
    static final int MIN_COMPONENT = 8 * 1024;
    /** The buffer that smaller reads are copied into. */
    static final int TAIL_LENGTH = 32 * 1024;

    /** Payload bytes a frame may have before the handshake: above any HELLO or DISCONNECT. */
    public static final int HANDSHAKE_FRAME_LENGTH = 8 * 1024;

    private final FrameSettings settings;
    /** {@link #settings}, or while handshaking the same with the lengths cut to {@link #HANDSHAKE_FRAME_LENGTH}. */
    private FrameSettings limits;
    private final FrameObserver observer;
    private final int largeFrameLength;
    private final int minComponent;
    private final int tailLength;
    private boolean failed;
    /**
     * The length, header included, of the large frame being gathered: its header is in (and
     * checked), its payload is not complete yet. 0 when no large frame is being gathered.
     */
    private int largeFrameEnd;
    /** While gathering: small reads copied together, not yet in the composite. */
    private ByteBuf tail;

    /** A decoder with the given settings. */
    public FrameDecoder(FrameSettings settings) {
        this(settings, FrameObserver.NONE);
    }

    /** A decoder with the given settings that tells {@code observer} of each frame it reads. */
    public FrameDecoder(FrameSettings settings, FrameObserver observer) {
        this(settings, observer, LARGE_FRAME_LENGTH, MIN_COMPONENT, TAIL_LENGTH);
    }

    /** Tests: a decoder that gathers frames of {@code largeFrameLength} payload bytes and more as composites. */
    FrameDecoder(FrameSettings settings, FrameObserver observer, int largeFrameLength) {
        this(settings, observer, largeFrameLength, MIN_COMPONENT, TAIL_LENGTH);
    }

    /** Tests (fuzzing with short inputs): every threshold of the large-frame path chosen. */
    FrameDecoder(FrameSettings settings, FrameObserver observer, int largeFrameLength, int minComponent, int tailLength) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.limits = settings;
        this.observer = Objects.requireNonNull(observer, "observer");
        this.largeFrameLength = largeFrameLength;
        this.minComponent = minComponent;
        this.tailLength = tailLength;
        setCumulator(this::cumulate);
    }

    /**
     * Holds frames to {@value #HANDSHAKE_FRAME_LENGTH} bytes until {@link #handshakeDone()}.
     * Call before the first byte is read.
     *
     * @return this decoder
     */
    public FrameDecoder handshaking() {
        limits = settings.withMaxFrameLength(Math.min(HANDSHAKE_FRAME_LENGTH, settings.maxFrameLength()))
                .withMaxMessageLength(Math.min(HANDSHAKE_FRAME_LENGTH, settings.maxMessageLength()));
        return this;
    }

    /**
     * Lifts the handshake limit, from the next frame on. Call on the channel's event loop, as
     * the HELLO is accepted: frames pipelined behind it are decoded after it is handled.
     */
    public void handshakeDone() {
        limits = settings;
    }

    private ByteBuf cumulate(ByteBufAllocator alloc, ByteBuf cumulation, ByteBuf in) {
        if (largeFrameEnd == 0) {
            if (cumulation instanceof CompositeByteBuf) {
                // What a large frame left behind: an incomplete small frame at most (a complete
                // one was decoded, a large one would be gathering). Back to one buffer.
                ByteBuf merged = alloc.buffer(cumulation.readableBytes() + in.readableBytes());
                merged.writeBytes(cumulation).writeBytes(in);
                cumulation.release();
                in.release();
                return merged;
            }
            return MERGE_CUMULATOR.cumulate(alloc, cumulation, in);
        }
        CompositeByteBuf composite;
        if (cumulation instanceof CompositeByteBuf c && c.refCnt() == 1) {
            composite = c;
        } else {
            // Shared (a decoded frame is a retained slice of it): left as it is, wrapped.
            composite = alloc.compositeBuffer(Integer.MAX_VALUE).addFlattenedComponents(true, cumulation);
        }
        int length = in.readableBytes();
        if (length >= minComponent && length >= in.capacity() / 2) {
            joinTail(composite);
            composite.addFlattenedComponents(true, in);
        } else {
            try {
                if (tail != null && tail.writableBytes() < length) {
                    joinTail(composite);
                }
                if (tail == null) {
                    tail = alloc.buffer(Math.max(tailLength, length));
                }
                tail.writeBytes(in);
            } finally {
                in.release();
            }
            if (tail.writableBytes() < minComponent || composite.readableBytes() + tail.readableBytes() >= largeFrameEnd) {
                joinTail(composite);
            }
        }
        return composite;
    }

    private void joinTail(CompositeByteBuf composite) {
        if (tail != null && tail.isReadable()) {
            composite.addComponent(true, tail);
            tail = null;
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (tail != null) {
            tail.release();
            tail = null;
        }
    }

    /** Tests: the buffer gathering the bytes not decoded yet. */
    ByteBuf cumulation() {
        return internalBuffer();
    }

    /** Tests: small reads of a large frame not in {@link #cumulation()} yet. */
    int tailBytes() {
        return tail == null ? 0 : tail.readableBytes();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        super.channelRead(ctx, msg);
        if (internalBuffer() instanceof CompositeByteBuf) {
            discardSomeReadBytes(); // frees the reads already decoded, at once rather than every 16 reads
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        ByteBuf frame;
        int start = in.readerIndex();
        try {
            frame = FrameCodec.decode(in, limits, ctx.alloc());
        } catch (ProtocolException e) {
            failed = true;
            largeFrameEnd = 0;
            in.skipBytes(in.readableBytes());
            throw e;
        }
        if (frame == null) {
            // Incomplete: if the header is in, decode() has checked its length.
            FrameFormat format = settings.format();
            largeFrameEnd = in.readableBytes() >= format.headerLength()
                    && format.payloadLength(in) >= largeFrameLength
                    ? format.headerLength() + format.payloadLength(in) : 0;
            return;
        }
        largeFrameEnd = 0;
        observer.frameRead(settings.format().typeCode(frame), in.readerIndex() - start);
        out.add(frame);
    }
}
