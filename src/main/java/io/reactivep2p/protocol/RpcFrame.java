package io.reactivep2p.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The frames of requests and streams between two peers (docs/protocol.md §4.8): a requester
 * opens a stream with {@link Request}, gives credits with {@link RequestN} and may
 * {@link Cancel}; the responder answers with {@link Response} frames or one
 * {@link StreamError}. Every frame names its stream by a {@code u32} id the requester chose.
 *
 * <pre>{@code
 * Message m = new RpcFrame.Request(7, RpcFrame.Mode.STREAM, 16, Message.of(GET_BLOCKS, from)).toMessage();
 * RpcFrame frame = RpcFrame.decode(m);   // a ProtocolException for anything malformed
 * }</pre>
 */
public sealed interface RpcFrame {

    /** Credits a requester may give a stream in all: more saturate there (2^31 − 1). */
    long MAX_CREDITS = Integer.MAX_VALUE;
    /** Bytes a REQUEST adds to its message's payload: id, mode, credits, type. */
    int REQUEST_OVERHEAD = 10;
    /** Bytes a RESPONSE with an item adds to its payload: id, flags, type. */
    int RESPONSE_OVERHEAD = 6;

    /** The stream this frame belongs to; 0 only for a fire-and-forget REQUEST. */
    long stream();

    /** Encodes this frame as the payload of a message of its type. */
    Message toMessage();

    /** Whether {@code type} is one of these frames' types (0x30–0x34). */
    static boolean handles(MessageType type) {
        int code = type.code();
        return code >= 0x30 && code <= 0x34;
    }

    /**
     * Decodes a REQUEST, RESPONSE, ERROR, REQUEST_N or CANCEL.
     *
     * @throws ProtocolException for a field out of range, a length that does not match, or
     *     trailing bytes (the peer is then disconnected with a protocol error)
     * @throws IllegalArgumentException if the message is of another type
     */
    static RpcFrame decode(Message message) {
        return switch (message.type().code()) {
            case 0x30 -> Request.decode(message);
            case 0x31 -> Response.decode(message);
            case 0x32 -> StreamError.decode(message);
            case 0x33 -> RequestN.decode(message);
            case 0x34 -> Cancel.decode(message);
            default -> throw new IllegalArgumentException("not a request frame: " + message.type());
        };
    }

    /** What a REQUEST asks for. */
    enum Mode {
        /** One answer: a RESPONSE with COMPLETE (with or without an item), or an ERROR. */
        RESPONSE(0),
        /** Items, as many as the credits given, then the end: a RESPONSE with COMPLETE, or an ERROR. */
        STREAM(1),
        /** No answer at all. */
        FIRE_AND_FORGET(2);

        private final int code;

        Mode(int code) {
            this.code = code;
        }

        /** The wire code. */
        public int code() {
            return code;
        }

        static Mode of(int code, PayloadReader r) {
            for (Mode m : values()) {
                if (m.code == code) {
                    return m;
                }
            }
            throw r.malformed("mode " + code + " is not 0, 1 or 2");
        }
    }

    /**
     * REQUEST ({@code 0x30}): {@code u32 stream}, {@code u8 mode}, {@code u32 credits},
     * {@code u8 type}, then the request's payload. A fire-and-forget has stream 0 and no
     * credits; a request/response a stream id and no credits; a stream a stream id and its
     * first credits, 1 to 2^31 − 1.
     *
     * @param request the request message: its type and payload
     */
    record Request(long stream, Mode mode, long credits, Message request) implements RpcFrame {

        /** Checks the fields against the mode. */
        public Request {
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(request, "request");
            checkU32(stream, "stream");
            if ((mode == Mode.FIRE_AND_FORGET) != (stream == 0)) {
                throw new IllegalArgumentException("stream 0 is for fire-and-forget alone, got " + stream + " for " + mode);
            }
            if (mode == Mode.STREAM ? credits < 1 || credits > MAX_CREDITS : credits != 0) {
                throw new IllegalArgumentException("credits " + credits + " for " + mode);
            }
        }

        @Override
        public Message toMessage() {
            ByteBuffer b = ByteBuffer.allocate(REQUEST_OVERHEAD + request.payloadLength());
            b.putInt((int) stream).put((byte) mode.code()).putInt((int) credits).put((byte) request.type().code());
            request.copyPayload(0, b.array(), REQUEST_OVERHEAD, request.payloadLength());
            return Message.wrap(MessageType.MsgRequest, b.array());
        }

        static Request decode(Message message) {
            PayloadReader r = new PayloadReader(message);
            long stream = r.u32("stream");
            Mode mode = Mode.of(r.u8("mode"), r);
            long credits = r.u32("credits");
            MessageType type = MessageType.fromCode(r.u8("type"));
            if ((mode == Mode.FIRE_AND_FORGET) != (stream == 0)) {
                throw r.malformed("stream " + stream + " for " + mode);
            }
            if (mode == Mode.STREAM ? credits < 1 || credits > MAX_CREDITS : credits != 0) {
                throw r.malformed("credits " + credits + " for " + mode);
            }
            return new Request(stream, mode, credits, r.rest(type));
        }
    }

    /**
     * RESPONSE ({@code 0x31}): {@code u32 stream}, {@code u8 flags} (bit 0 NEXT: an item
     * follows, {@code u8 type} and its payload; bit 1 COMPLETE: the last frame of the stream;
     * bit 2 FOLLOWS: the item is a fragment, continued in the stream's next RESPONSE; at least
     * one of NEXT and COMPLETE, FOLLOWS only with NEXT and without COMPLETE, no other bit),
     * then the item if NEXT.
     *
     * @param item the item (or a fragment of it), or {@code null} for a COMPLETE without one
     * @param follows whether {@code item} is a fragment that the next RESPONSE continues
     */
    record Response(long stream, Message item, boolean complete, boolean follows) implements RpcFrame {

        /** Flag bit 0: an item follows. */
        public static final int NEXT = 1;
        /** Flag bit 1: the last frame of the stream. */
        public static final int COMPLETE = 2;
        /** Flag bit 2: the item is a fragment; the stream's next RESPONSE continues it. */
        public static final int FOLLOWS = 4;

        /** Checks that there is an item, an end, or both, and that only an item's fragment follows. */
        public Response {
            checkU32(stream, "stream");
            if (stream == 0) {
                throw new IllegalArgumentException("stream 0 has no answer");
            }
            if (item == null && !complete) {
                throw new IllegalArgumentException("a RESPONSE carries an item, the end, or both");
            }
            if (follows && (item == null || complete)) {
                throw new IllegalArgumentException("FOLLOWS is for a fragment of an item, not the end");
            }
        }

        /** A whole item, the end, or both. */
        public Response(long stream, Message item, boolean complete) {
            this(stream, item, complete, false);
        }

        @Override
        public Message toMessage() {
            int itemLength = item == null ? 0 : 1 + item.payloadLength();
            ByteBuffer b = ByteBuffer.allocate(5 + itemLength);
            b.putInt((int) stream).put((byte) ((item == null ? 0 : NEXT) | (complete ? COMPLETE : 0)
                    | (follows ? FOLLOWS : 0)));
            if (item != null) {
                b.put((byte) item.type().code());
                item.copyPayload(0, b.array(), RESPONSE_OVERHEAD, item.payloadLength());
            }
            return Message.wrap(MessageType.MsgResponse, b.array());
        }

        /**
         * The RESPONSE message of a fragment: {@code length} bytes of {@code item}'s payload from
         * {@code offset}, with NEXT, and FOLLOWS unless it is the item's last. Copies the bytes
         * once, straight into the frame (a {@link Response} of the fragment would copy them twice).
         */
        public static Message fragment(long stream, Message item, int offset, int length, boolean follows) {
            return fragment(stream, item, offset, length, follows, false);
        }

        /**
         * As {@link #fragment(long, Message, int, int, boolean)}, and with COMPLETE when
         * {@code complete}: the last fragment of an answer to a request/response, or of a
         * stream's last item.
         *
         * @throws IllegalArgumentException for a fragment that both {@code follows} and {@code complete}s
         */
        public static Message fragment(long stream, Message item, int offset, int length, boolean follows,
                                       boolean complete) {
            checkU32(stream, "stream");
            if (stream == 0) {
                throw new IllegalArgumentException("stream 0 has no answer");
            }
            if (follows && complete) {
                throw new IllegalArgumentException("FOLLOWS is for a fragment of an item, not the end");
            }
            Objects.checkFromIndexSize(offset, length, item.payloadLength());
            byte[] b = new byte[RESPONSE_OVERHEAD + length];
            ByteBuffer.wrap(b).putInt((int) stream).put((byte) (NEXT | (follows ? FOLLOWS : 0) | (complete ? COMPLETE : 0)))
                    .put((byte) item.type().code());
            item.copyPayload(offset, b, RESPONSE_OVERHEAD, length);
            return Message.wrap(MessageType.MsgResponse, b);
        }

        static Response decode(Message message) {
            ResponseView v = ResponseView.decode(message);
            return new Response(v.stream(), v.item(), v.complete(), v.follows());
        }
    }

    /**
     * A RESPONSE read in place: its fields, and its item (if any) still in the frame, copied
     * only when asked. The receiver of a stream joins an item's fragments straight from their
     * frames, one copy of the item instead of one per fragment and one for the whole.
     * {@link #decode} checks exactly what {@link RpcFrame#decode} checks of a RESPONSE.
     *
     * @param stream the stream
     * @param complete the last frame of the stream
     * @param follows the item is a fragment, continued in the stream's next RESPONSE
     * @param itemType the item's type, or {@code null} without an item
     * @param frame the RESPONSE message; the item is its payload from {@link #RESPONSE_OVERHEAD}
     */
    record ResponseView(long stream, boolean complete, boolean follows, MessageType itemType, Message frame) {

        /**
         * Reads a RESPONSE.
         *
         * @throws ProtocolException as {@link RpcFrame#decode} does
         * @throws IllegalArgumentException if the message is not a RESPONSE
         */
        public static ResponseView decode(Message message) {
            if (!message.type().equals(MessageType.MsgResponse)) {
                throw new IllegalArgumentException("not a RESPONSE: " + message.type());
            }
            PayloadReader r = new PayloadReader(message);
            long stream = r.u32("stream");
            int flags = r.u8("flags");
            if (stream == 0) {
                throw r.malformed("stream 0 has no answer");
            }
            int next = Response.NEXT;
            int complete = Response.COMPLETE;
            int follows = Response.FOLLOWS;
            if ((flags & (next | complete)) == 0 || (flags & ~(next | complete | follows)) != 0
                    || ((flags & follows) != 0 && (flags & (next | complete)) != next)) {
                throw r.malformed("flags " + flags);
            }
            MessageType itemType = null;
            if ((flags & next) != 0) {
                itemType = MessageType.fromCode(r.u8("type"));
            } else {
                r.end();
            }
            return new ResponseView(stream, (flags & complete) != 0, (flags & follows) != 0, itemType, message);
        }

        /** The item's length in bytes (0 without an item). */
        public int itemLength() {
            return itemType == null ? 0 : frame.payloadLength() - RESPONSE_OVERHEAD;
        }

        /** Copies the item's bytes into {@code dst} from {@code at}. */
        public void copyItem(byte[] dst, int at) {
            frame.copyPayload(RESPONSE_OVERHEAD, dst, at, itemLength());
        }

        /** The item, copied out of the frame; {@code null} without one. */
        public Message item() {
            return itemType == null ? null : Message.of(itemType, frame.array(), RESPONSE_OVERHEAD, itemLength());
        }
    }

    /** What an ERROR says went wrong; its wire code. */
    enum ErrorCode {
        /** The handler failed on purpose, with an application code and text. */
        APPLICATION(1),
        /** Over a limit of the responder (streams in flight, request rate): not handled. */
        REFUSED(2),
        /** The responder has no handler for the request's type (and mode). */
        NO_HANDLER(3),
        /** The handler failed otherwise (its details stay with the responder). */
        FAILED(4);

        private final int code;

        ErrorCode(int code) {
            this.code = code;
        }

        /** The wire code. */
        public int code() {
            return code;
        }

        /** The code for {@code wire}; {@link #FAILED} for a code this version does not define. */
        public static ErrorCode of(int wire) {
            for (ErrorCode c : values()) {
                if (c.code == wire) {
                    return c;
                }
            }
            return FAILED;
        }
    }

    /**
     * ERROR ({@code 0x32}): {@code u32 stream}, {@code u8 code}, {@code u32 application code},
     * {@code u16 len} and UTF-8 text (≤ 256 bytes). Ends the stream.
     *
     * @param code the wire code, see {@link ErrorCode}
     * @param applicationCode the application's own code ({@link ErrorCode#APPLICATION}); 0 otherwise
     */
    record StreamError(long stream, int code, long applicationCode, String text) implements RpcFrame {

        /** Limit of the text, in UTF-8 bytes (longer texts are cut when encoded). */
        public static final int MAX_TEXT_BYTES = Disconnect.MAX_TEXT_BYTES;

        /** Checks the fields. */
        public StreamError {
            checkU32(stream, "stream");
            checkU32(applicationCode, "applicationCode");
            if (stream == 0) {
                throw new IllegalArgumentException("stream 0 has no answer");
            }
            if (code < 0 || code > 0xFF) {
                throw new IllegalArgumentException("code must fit a u8, got " + code);
            }
            Objects.requireNonNull(text, "text");
        }

        /** An ERROR with {@code code}. */
        public static StreamError of(long stream, ErrorCode code, long applicationCode, String text) {
            return new StreamError(stream, code.code(), applicationCode, text);
        }

        /** The code; {@link ErrorCode#FAILED} for one this version does not define. */
        public ErrorCode errorCode() {
            return ErrorCode.of(code);
        }

        @Override
        public Message toMessage() {
            byte[] utf8 = Disconnect.truncate(text.getBytes(StandardCharsets.UTF_8));
            ByteBuffer b = ByteBuffer.allocate(4 + 1 + 4 + 2 + utf8.length);
            b.putInt((int) stream).put((byte) code).putInt((int) applicationCode).putShort((short) utf8.length).put(utf8);
            return Message.wrap(MessageType.MsgError, b.array());
        }

        static StreamError decode(Message message) {
            PayloadReader r = new PayloadReader(message);
            long stream = r.u32("stream");
            int code = r.u8("code");
            long applicationCode = r.u32("application code");
            String text = r.utf8(MAX_TEXT_BYTES, "text");
            r.end();
            if (stream == 0) {
                throw r.malformed("stream 0 has no answer");
            }
            return new StreamError(stream, code, applicationCode, text);
        }
    }

    /** REQUEST_N ({@code 0x33}): {@code u32 stream}, {@code u32 n}, 1 to 2^31 − 1: more credits. */
    record RequestN(long stream, long n) implements RpcFrame {

        /** Checks the fields. */
        public RequestN {
            checkU32(stream, "stream");
            if (stream == 0 || n < 1 || n > MAX_CREDITS) {
                throw new IllegalArgumentException("REQUEST_N " + n + " for stream " + stream);
            }
        }

        @Override
        public Message toMessage() {
            return Message.wrap(MessageType.MsgRequestN, ByteBuffer.allocate(8).putInt((int) stream).putInt((int) n).array());
        }

        static RequestN decode(Message message) {
            PayloadReader r = new PayloadReader(message);
            long stream = r.u32("stream");
            long n = r.u32("n");
            r.end();
            if (stream == 0 || n < 1 || n > MAX_CREDITS) {
                throw r.malformed("REQUEST_N " + n + " for stream " + stream);
            }
            return new RequestN(stream, n);
        }
    }

    /** CANCEL ({@code 0x34}): {@code u32 stream}. The responder stops and sends nothing more. */
    record Cancel(long stream) implements RpcFrame {

        /** Checks the id. */
        public Cancel {
            checkU32(stream, "stream");
            if (stream == 0) {
                throw new IllegalArgumentException("stream 0 has no answer to cancel");
            }
        }

        @Override
        public Message toMessage() {
            return Message.wrap(MessageType.MsgCancel, ByteBuffer.allocate(4).putInt((int) stream).array());
        }

        static Cancel decode(Message message) {
            PayloadReader r = new PayloadReader(message);
            long stream = r.u32("stream");
            r.end();
            if (stream == 0) {
                throw r.malformed("stream 0 has no answer to cancel");
            }
            return new Cancel(stream);
        }
    }

    private static void checkU32(long value, String name) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(name + " must fit a u32, got " + value);
        }
    }
}
