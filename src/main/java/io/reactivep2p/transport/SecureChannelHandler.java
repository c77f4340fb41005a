package io.reactivep2p.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CoalescingBufferQueue;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.FastThreadLocal;
import io.reactivep2p.noise.CipherState;
import io.reactivep2p.noise.Dh;
import io.reactivep2p.noise.DhKeyPair;
import io.reactivep2p.noise.HandshakePattern;
import io.reactivep2p.noise.HandshakeState;
import io.reactivep2p.noise.NoiseCipher;
import io.reactivep2p.noise.NoiseException;
import io.reactivep2p.noise.StaticStaticCache;
import io.reactivep2p.noise.TransportState;
import io.reactivep2p.protocol.ProtocolException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The secure channel of wire protocol v2 (docs/protocol.md §2): the preamble,
 * a Noise handshake ({@code Noise_XX_25519_AESGCM_SHA256} or {@code Noise_IK_...}) whose
 * payloads are the two nodes' HELLOs, then records. First in a connection's pipeline (after
 * the byte counter); what is above it reads and writes plaintext bytes.
 *
 * <pre>
 *   socket ⇄ [preamble] [u16 len, Noise message]… [u16 L, AES-GCM(plaintext, L−16 bytes) + tag]…
 *              5 bytes    the handshake             records, each direction's nonces 0, 1, 2…
 *
 *   above:   ByteBuf of plaintext in (one per record) ⇄ ByteBuf of plaintext out (any size)
 * </pre>
 *
 * <p><b>Handshake.</b> The dialer sends the preamble ({@code u32 magic}, {@code u8 mode}:
 * 1 = XX, 2 = IK) and its first message at once; the responder reads the preamble before
 * anything else. When the handshake completes, this handler fires a {@link Completed} user
 * event with the peer's authenticated static key (its node id) and its HELLO bytes, then
 * writes what was written to it meanwhile. It never reads the HELLO: the peer handler above
 * does, and may refuse it with a DISCONNECT like any message.
 *
 * <p><b>Records.</b> Writes are queued and packed into records of at most
 * {@value #MAX_RECORD_PLAINTEXT} plaintext bytes at each flush, so small messages share one
 * AEAD (the JDK's AES-GCM costs about half a microsecond per call, whatever the size). Each
 * record is the queued bytes copied into one pooled heap buffer and encrypted there, in place
 * (see {@code seal}); a record read is copied to an array of its thread's and decrypted from
 * there into a pooled heap buffer (see {@code open}). Before record number r of a direction,
 * for every r &gt; 0 that is a multiple of {@value #REKEY_INTERVAL}, both ends rekey that
 * direction.
 *
 * <p><b>Failures.</b> A wrong magic, an unknown mode, a v1 HELLO, a handshake message over
 * {@value #MAX_HANDSHAKE_MESSAGE} bytes or failing Noise, a payload in XX message 1, another
 * static key than the one the dialer expected, a record failing authentication or whose
 * length is out of range: the handler fires a {@link ProtocolException} (its kind says which)
 * through {@code exceptionCaught}, discards everything after it and closes the connection.
 * Nothing is sent: before the handshake there is no channel to send on, and a forged record
 * deserves no answer. Writes pending at the close fail and are released.
 *
 * <p><b>Limits.</b> Before the handshake completes the handler holds at most one handshake
 * message (2 + {@value #MAX_HANDSHAKE_MESSAGE} bytes) and, after it, at most one record
 * (2 + 65,535 bytes) of the peer's bytes, on top of the read in progress. The time a handshake
 * may take is the peer handler's handshake timeout. Writes waiting for a flush (or for the
 * handshake) count in the channel's pending outbound bytes, so the channel turns unwritable at
 * its high-water mark as it does without this handler.
 *
 * <p>One instance per connection, used on its event loop only.
 */
public final class SecureChannelHandler extends ByteToMessageDecoder implements ChannelOutboundHandler {

    /** The preamble's mode byte for Noise XX. */
    public static final int MODE_XX = 0x01;
    /** The preamble's mode byte for Noise IK. */
    public static final int MODE_IK = 0x02;
    /** The largest Noise message during the handshake. */
    public static final int MAX_HANDSHAKE_MESSAGE = 8 * 1024;
    /** Bytes of the largest record, its tag included: what its {@code u16} length can say. */
    private static final int MAX_RECORD = 65_535;
    /** Plaintext bytes in a full record: 65,535 less the tag. */
    public static final int MAX_RECORD_PLAINTEXT = MAX_RECORD - NoiseCipher.TAG_LENGTH;
    /** Records between rekeys of a direction. */
    public static final long REKEY_INTERVAL = 65_536;
    /** The prologue's text; the network magic follows it. */
    static final byte[] PROLOGUE_TEXT = "reactive-p2p/2".getBytes(StandardCharsets.US_ASCII);

    /** Bytes of the preamble: the u32 magic and the mode byte. */
    public static final int PREAMBLE_LENGTH = 5;
    /**
     * Per thread (event loops, in practice), a record's ciphertext on its way to decryption:
     * 64 KiB per thread that reads records, not per connection; used within {@code open} only.
     */
    private static final FastThreadLocal<byte[]> CIPHERTEXT = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[MAX_RECORD];
        }
    };
    /** The largest buffer Netty's adaptive allocator serves from its pooled chunks. */
    private static final int POOLED_BUFFER = 64 * 1024;
    private static final int LENGTH_PREFIX = 2;
    private static final int MIN_RECORD = NoiseCipher.TAG_LENGTH + 1;

    private enum State { PREAMBLE, HANDSHAKE, TRANSPORT, FAILED }

    /**
     * The handshake is done: the peer proved {@link #remoteStaticKey()}, which is its node id,
     * and sent {@link #remotePayload()} (its HELLO v2). Fired once, on the event loop.
     *
     * @param pattern XX or IK
     * @param initiator whether this side dialled
     * @param remoteStaticKey the peer's authenticated 32-byte static public key
     * @param remotePayload the peer's handshake payload
     * @param handshakeHash the Noise handshake hash, which names the session
     */
    public record Completed(HandshakePattern pattern, boolean initiator, byte[] remoteStaticKey, byte[] remotePayload,
                            byte[] handshakeHash) {
    }

    private final int magic;
    private final boolean initiator;
    private final DhKeyPair localStatic;
    private final byte[] expectedRemoteStatic;
    private final Supplier<byte[]> localPayload;
    private final SecureRandom random;
    private final HandshakePattern dialPattern;
    private final Dh dh;
    private StaticStaticCache staticStatic;
    private State state;
    private HandshakeState handshake;
    private byte[] remotePayload;
    private CipherState sender;
    private CipherState receiver;
    private CoalescingBufferQueue pending;
    private boolean flushPending;
    /** Whether a handshake message has been read: the responder's first one is XX's message 1. */
    private boolean readAny;

    private SecureChannelHandler(int magic, boolean initiator, DhKeyPair localStatic, byte[] expectedRemoteStatic,
            HandshakePattern dialPattern, Supplier<byte[]> localPayload, SecureRandom random, Dh dh) {
        this.dh = Objects.requireNonNull(dh, "dh");
        this.magic = magic;
        this.initiator = initiator;
        this.localStatic = Objects.requireNonNull(localStatic, "localStatic");
        this.expectedRemoteStatic = expectedRemoteStatic == null ? null : expectedRemoteStatic.clone();
        this.dialPattern = dialPattern;
        this.localPayload = Objects.requireNonNull(localPayload, "localPayload");
        this.random = Objects.requireNonNull(random, "random");
        this.state = initiator ? State.HANDSHAKE : State.PREAMBLE;
    }

    /**
     * The dialer's side: Noise IK if {@code expectedRemoteStatic} is given (the peer's id, known
     * beforehand), XX otherwise.
     *
     * @param magic the network magic, sent in the preamble and mixed into the prologue
     * @param localStatic this node's identity key pair
     * @param expectedRemoteStatic the peer's node id if known: IK, and any other key fails the
     *     handshake; {@code null}: XX, any key is accepted
     * @param localPayload this node's HELLO v2, asked for when the handshake sends it
     * @param random where the ephemeral keys come from
     */
    public static SecureChannelHandler dialer(int magic, DhKeyPair localStatic, byte[] expectedRemoteStatic,
            Supplier<byte[]> localPayload, SecureRandom random) {
        return dialer(magic, localStatic, expectedRemoteStatic, expectedRemoteStatic != null, localPayload, random);
    }

    /**
     * The dialer's side with the pattern chosen: XX with an expected key is how a dial retried
     * after an IK refusal, or a dial to a pinned seed, checks the key it authenticates.
     *
     * @param ik IK (requires {@code expectedRemoteStatic}) or XX
     */
    public static SecureChannelHandler dialer(int magic, DhKeyPair localStatic, byte[] expectedRemoteStatic,
            boolean ik, Supplier<byte[]> localPayload, SecureRandom random) {
        return dialer(magic, localStatic, expectedRemoteStatic, ik, localPayload, random, Dh.X25519);
    }

    /** Tests: the dialer with other DH functions (fixed ephemeral keys, for the test vectors). */
    static SecureChannelHandler dialer(int magic, DhKeyPair localStatic, byte[] expectedRemoteStatic, boolean ik,
            Supplier<byte[]> localPayload, SecureRandom random, Dh dh) {
        if (ik && expectedRemoteStatic == null) {
            throw new IllegalArgumentException("IK needs the peer's static key");
        }
        return new SecureChannelHandler(magic, true, localStatic, expectedRemoteStatic,
                ik ? HandshakePattern.IK : HandshakePattern.XX, localPayload, random, dh);
    }

    /** The listener's side: XX or IK, as the dialer's preamble says. */
    public static SecureChannelHandler responder(int magic, DhKeyPair localStatic, Supplier<byte[]> localPayload,
            SecureRandom random) {
        return responder(magic, localStatic, localPayload, random, Dh.X25519);
    }

    /** Tests: the listener with other DH functions. */
    static SecureChannelHandler responder(int magic, DhKeyPair localStatic, Supplier<byte[]> localPayload,
            SecureRandom random, Dh dh) {
        return new SecureChannelHandler(magic, false, localStatic, null, null, localPayload, random, dh);
    }

    /**
     * Keeps the results of IK's static-static agreement per peer in {@code cache} (one per node,
     * for its identity): a handshake with a peer met before skips that X25519 operation on each
     * side. Set before the handler joins a pipeline.
     *
     * @return this handler
     */
    public SecureChannelHandler staticStaticCache(StaticStaticCache cache) {
        this.staticStatic = Objects.requireNonNull(cache, "cache");
        return this;
    }

    /** The prologue of both patterns: {@code "reactive-p2p/2"} then the {@code u32} magic. */
    public static byte[] prologue(int magic) {
        byte[] prologue = Arrays.copyOf(PROLOGUE_TEXT, PROLOGUE_TEXT.length + 4);
        ByteBuffer.wrap(prologue, PROLOGUE_TEXT.length, 4).putInt(magic);
        return prologue;
    }

    // ---- the handshake ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        // Counted in the channel's pending outbound bytes, as the records will be: writers that
        // wait for writability stop at the high-water mark instead of queueing a whole stream here.
        pending = new CoalescingBufferQueue(ctx.channel(), 16, true);
        if (initiator && ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (initiator && handshake == null && state == State.HANDSHAKE) {
            start(ctx);
        }
        super.channelActive(ctx);
    }

    private void start(ChannelHandlerContext ctx) {
        HandshakeState.Builder b = HandshakeState.builder(dialPattern, true).prologue(prologue(magic))
                .localStatic(localStatic).random(random).dh(dh);
        if (dialPattern == HandshakePattern.IK) {
            b.remoteStatic(expectedRemoteStatic);
        }
        if (staticStatic != null) {
            b.staticStaticCache(staticStatic);
        }
        handshake = b.build();
        byte[] first;
        try {
            first = handshake.writeMessage(dialPattern == HandshakePattern.IK ? localPayload.get() : new byte[0]);
        } catch (NoiseException e) {
            // IK under a key X25519 refuses (a low-order point given as the peer's id). Told on
            // the next turn of the loop, once the handlers after this one are in place.
            state = State.FAILED;
            ProtocolException why = new ProtocolException(ProtocolException.Kind.HANDSHAKE_FAILED, e.getMessage());
            ctx.executor().execute(() -> {
                releasePending(why);
                ctx.fireExceptionCaught(why);
                ctx.close();
            });
            return;
        }
        ByteBuf out = ctx.alloc().buffer(PREAMBLE_LENGTH + LENGTH_PREFIX + first.length);
        out.writeInt(magic).writeByte(dialPattern == HandshakePattern.IK ? MODE_IK : MODE_XX);
        out.writeShort(first.length).writeBytes(first);
        ctx.writeAndFlush(out);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            switch (state) {
                case PREAMBLE -> {
                    if (readPreamble(in)) {
                        readHandshake(ctx, in, out);
                    }
                }
                case HANDSHAKE -> readHandshake(ctx, in, out);
                case TRANSPORT -> readRecords(ctx, in, out);
                case FAILED -> in.skipBytes(in.readableBytes());
                default -> throw new IllegalStateException(state.toString());
            }
        } catch (ProtocolException e) {
            fail(ctx, in, e);
        } catch (NoiseException e) {
            fail(ctx, in, new ProtocolException(state == State.TRANSPORT ? ProtocolException.Kind.BAD_RECORD
                    : ProtocolException.Kind.HANDSHAKE_FAILED, e.getMessage()));
        }
    }

    /** The responder's first read: magic and mode. Returns whether the handshake may start. */
    private boolean readPreamble(ByteBuf in) {
        if (in.readableBytes() < PREAMBLE_LENGTH) {
            return false;
        }
        int theirs = in.readInt();
        int mode = in.readUnsignedByte();
        if (theirs != magic) {
            throw new ProtocolException(ProtocolException.Kind.BAD_MAGIC,
                    String.format(Locale.ROOT, "preamble magic 0x%08x, expected 0x%08x", theirs, magic));
        }
        HandshakePattern pattern = switch (mode) {
            case MODE_XX -> HandshakePattern.XX;
            case MODE_IK -> HandshakePattern.IK;
            case 0x00 -> throw new ProtocolException(ProtocolException.Kind.WRONG_VERSION,
                    "a v1 HELLO frame: this node runs the secure channel (v2) only");
            default -> throw new ProtocolException(ProtocolException.Kind.UNKNOWN_MODE, "preamble mode " + mode);
        };
        HandshakeState.Builder b = HandshakeState.builder(pattern, false).prologue(prologue(magic))
                .localStatic(localStatic).random(random).dh(dh);
        if (staticStatic != null) {
            b.staticStaticCache(staticStatic);
        }
        handshake = b.build();
        state = State.HANDSHAKE;
        return true;
    }

    private void readHandshake(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (state == State.HANDSHAKE && in.readableBytes() >= LENGTH_PREFIX) {
            int length = in.getUnsignedShort(in.readerIndex());
            if (length > MAX_HANDSHAKE_MESSAGE) {
                throw new ProtocolException(ProtocolException.Kind.HANDSHAKE_FAILED,
                        "handshake message of " + length + " bytes, above " + MAX_HANDSHAKE_MESSAGE);
            }
            if (in.readableBytes() < LENGTH_PREFIX + length) {
                return;
            }
            in.skipBytes(LENGTH_PREFIX);
            byte[] message = new byte[length];
            in.readBytes(message);
            boolean firstOfXx = handshake.pattern() == HandshakePattern.XX && !initiator && !readAny;
            byte[] payload = handshake.readMessage(message);
            readAny = true;
            if (firstOfXx) {
                if (payload.length != 0) {
                    throw new ProtocolException(ProtocolException.Kind.HANDSHAKE_FAILED,
                            "XX message 1 with a payload of " + payload.length + " bytes");
                }
            } else {
                remotePayload = payload; // the peer's HELLO: XX 2 and 3, IK 1 and 2
            }
            checkExpectedKey();
            if (handshake.isMyTurnToWrite()) {
                byte[] reply = handshake.writeMessage(localPayload.get());
                ctx.write(ctx.alloc().buffer(LENGTH_PREFIX + reply.length).writeShort(reply.length).writeBytes(reply));
                if (!handshake.isComplete()) {
                    ctx.flush();
                }
            }
            if (handshake.isComplete()) {
                complete(ctx);
            }
        }
        if (state == State.TRANSPORT) {
            readRecords(ctx, in, out); // records the peer sent behind its last handshake message
        }
    }

    /** The dialer's check, as soon as the responder's key is known (XX message 2; IK knows it from the start). */
    private void checkExpectedKey() {
        byte[] remote = handshake.remoteStaticKey();
        if (initiator && expectedRemoteStatic != null && remote != null && !Arrays.equals(remote, expectedRemoteStatic)) {
            throw new ProtocolException(ProtocolException.Kind.WRONG_PEER, "the peer proved key "
                    + HexFormat.of().formatHex(remote) + ", expected " + HexFormat.of().formatHex(expectedRemoteStatic));
        }
    }

    private void complete(ChannelHandlerContext ctx) {
        TransportState keys = handshake.split();
        sender = keys.sender();
        receiver = keys.receiver();
        Completed completed = new Completed(handshake.pattern(), initiator, keys.remoteStaticKey(), remotePayload,
                keys.handshakeHash());
        handshake = null;
        remotePayload = null;
        state = State.TRANSPORT;
        ctx.fireUserEventTriggered(completed);
        if (!pending.isEmpty() || flushPending) {
            flushRecords(ctx); // what was written during the handshake, and the last handshake message
        } else {
            ctx.flush(); // the last handshake message (XX 3 or IK 2)
        }
    }

    // ---- records ----

    private void readRecords(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (state == State.TRANSPORT && in.readableBytes() >= LENGTH_PREFIX) {
            int length = in.getUnsignedShort(in.readerIndex());
            if (length < MIN_RECORD) {
                throw new ProtocolException(ProtocolException.Kind.BAD_RECORD,
                        "record of " + length + " bytes, below " + MIN_RECORD);
            }
            if (in.readableBytes() < LENGTH_PREFIX + length) {
                return;
            }
            if (receiver.nonce() != 0 && receiver.nonce() % REKEY_INTERVAL == 0) {
                receiver.rekey();
            }
            ByteBuf plain = open(ctx.alloc(), receiver, in, in.readerIndex() + LENGTH_PREFIX, length);
            in.skipBytes(LENGTH_PREFIX + length);
            out.add(plain);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf buf)) {
            io.netty.util.ReferenceCountUtil.release(msg);
            promise.setFailure(new IllegalArgumentException("the secure channel writes ByteBufs, got "
                    + msg.getClass().getName()));
            return;
        }
        if (state == State.FAILED) {
            buf.release();
            promise.setFailure(new ClosedChannelException());
            return;
        }
        pending.add(buf, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (state != State.TRANSPORT) {
            flushPending = true; // the handshake's own messages are flushed as they are written
            return;
        }
        flushRecords(ctx);
    }

    private void flushRecords(ChannelHandlerContext ctx) {
        flushPending = false;
        while (!pending.isEmpty()) {
            ChannelPromise promise = ctx.newPromise();
            ByteBuf plain = pending.remove(ctx.alloc(), MAX_RECORD_PLAINTEXT, promise);
            try {
                if (plain.isReadable()) {
                    seal(ctx, plain, promise);
                } else {
                    // Only empty buffers, written to learn when what came before them is written:
                    // a record carries at least one byte, so none is sealed; the promise follows the
                    // records already written.
                    ctx.write(Unpooled.EMPTY_BUFFER, promise);
                }
            } finally {
                plain.release();
            }
        }
        ctx.flush();
    }

    /**
     * Writes one record of {@code plain}. A full record (2 + 65,535 bytes) would be one byte
     * over the 64 KiB that Netty's adaptive allocator serves from its pooled chunks, and each
     * would then take a new chunk: its 2-byte length goes in a small buffer of its own instead
     * (one system call writes both). A cross-process run of 1 GiB uploads measured 0.7 Gbit/s
     * with one 65,537-byte buffer per record against 4.5 with records that fit.
     */
    private void seal(ChannelHandlerContext ctx, ByteBuf plain, ChannelPromise promise) {
        if (sender.nonce() != 0 && sender.nonce() % REKEY_INTERVAL == 0) {
            sender.rekey();
        }
        int length = plain.readableBytes() + NoiseCipher.TAG_LENGTH;
        boolean split = LENGTH_PREFIX + length > POOLED_BUFFER;
        ByteBuf record = seal(ctx.alloc(), sender, plain, split ? 0 : LENGTH_PREFIX);
        if (split) {
            ctx.write(ctx.alloc().directBuffer(LENGTH_PREFIX).writeShort(length), ctx.voidPromise());
        }
        ctx.write(record, promise);
    }

    /**
     * One record's bytes: {@code prefix} bytes of length (0 or 2), then the readable bytes of
     * {@code plain} encrypted, with their tag, in a pooled heap buffer. Why so, with the JDK's
     * AES-GCM: it runs its fast code on arrays only (on direct buffers it goes through 512-byte
     * arrays it allocates per call); between two heap buffers of one array (pooled buffers are
     * slices of one chunk) it allocates a copy of its input when the output lies after it; in
     * place it neither copies nor leaves its fast code. So a plaintext in an array of its own (a
     * large message's payload, which inner frames refer to without copying) is encrypted from
     * there into the record, and any other is copied into the record and encrypted in place.
     * The transport copies the record into a direct buffer to write it, as it does any heap
     * buffer. RecordBenchmark measures both ways (bench/RESULTS.md, "Secure channel, second
     * measurements").
     */
    static ByteBuf seal(ByteBufAllocator alloc, CipherState sender, ByteBuf plain, int prefix) {
        int plaintext = plain.readableBytes();
        int length = plaintext + NoiseCipher.TAG_LENGTH;
        ByteBuf record = alloc.heapBuffer(prefix + length);
        try {
            if (prefix != 0) {
                record.writeShort(length);
            }
            int at = record.writerIndex();
            ByteBuffer in = plain.nioBufferCount() == 1 ? plain.nioBuffer(plain.readerIndex(), plaintext) : null;
            if (in == null || !in.hasArray() || in.isReadOnly() || in.array() == record.array()) {
                // Component by component: the record's writeBytes would merge a composite first.
                plain.getBytes(plain.readerIndex(), record, at, plaintext);
                in = null;
            }
            ByteBuffer out = record.internalNioBuffer(at, length);
            sender.encrypt(null, in != null ? in : out.duplicate().limit(out.position() + plaintext), out);
            return record.writerIndex(at + length);
        } catch (RuntimeException e) {
            record.release();
            throw e;
        }
    }

    /**
     * The plaintext of the record of {@code length} bytes (tag included) at {@code index} of
     * {@code in}, in a pooled heap buffer; {@code in}'s indexes do not move. The JDK's AES-GCM
     * decrypts with its combined AES/GHASH code only from one array into another (in place it
     * verifies, then decrypts, in two passes; JDK 25's RecordBenchmark: 16 µs against 7 µs for a
     * full record), and pooled heap buffers may share an array: a record in a direct buffer (a
     * socket's read) is copied into this thread's {@link #CIPHERTEXT} array, which no buffer
     * shares, and decrypted from there into the pooled buffer.
     *
     * @throws NoiseException if the record does not authenticate
     */
    static ByteBuf open(ByteBufAllocator alloc, CipherState receiver, ByteBuf in, int index, int length) {
        ByteBuf plain = alloc.heapBuffer(length - NoiseCipher.TAG_LENGTH);
        try {
            ByteBuffer src;
            if (in.hasArray() && in.array() != plain.array()) {
                src = in.nioBuffer(index, length);
            } else {
                byte[] scratch = CIPHERTEXT.get();
                in.getBytes(index, scratch, 0, length);
                src = ByteBuffer.wrap(scratch, 0, length);
            }
            int written = receiver.decrypt(null, src, plain.internalNioBuffer(0, length - NoiseCipher.TAG_LENGTH));
            return plain.writerIndex(written);
        } catch (RuntimeException e) {
            plain.release();
            throw e;
        }
    }

    // ---- failure and close ----

    private void fail(ChannelHandlerContext ctx, ByteBuf in, ProtocolException e) {
        state = State.FAILED;
        in.skipBytes(in.readableBytes());
        releasePending(e);
        ctx.fireExceptionCaught(e);
        ctx.close();
    }

    private void releasePending(Throwable cause) {
        if (pending != null) {
            pending.releaseAndFailAll(cause);
        }
    }

    /** At a close: the pending writes fail; no exception is made (with its stack) when there are none. */
    private void releasePendingAtClose() {
        if (pending != null && !pending.isEmpty()) {
            pending.releaseAndFailAll(new ClosedChannelException());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releasePendingAtClose();
        super.channelInactive(ctx);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        releasePendingAtClose();
    }

    // ---- the rest of ChannelOutboundHandler: passed on ----

    @Override
    public void bind(ChannelHandlerContext ctx, SocketAddress localAddress, ChannelPromise promise) {
        ctx.bind(localAddress, promise);
    }

    @Override
    public void connect(ChannelHandlerContext ctx, SocketAddress remoteAddress, SocketAddress localAddress,
            ChannelPromise promise) {
        ctx.connect(remoteAddress, localAddress, promise);
    }

    @Override
    public void disconnect(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.disconnect(promise);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (state == State.TRANSPORT && !pending.isEmpty()) {
            flushRecords(ctx); // a DISCONNECT written just before the close goes out first
        }
        ctx.close(promise);
    }

    @Override
    public void deregister(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.deregister(promise);
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        ctx.read();
    }
}
