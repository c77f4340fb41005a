package io.reactivep2p.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivep2p.protocol.RpcFrame.ErrorCode;
import io.reactivep2p.protocol.RpcFrame.Mode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The frames of requests and streams: docs/protocol.md §4.8's vectors (produced by
 * docs/vectors/rpc_vectors.py, independently of this code) both ways, and every malformed case.
 */
class RpcFrameTest {

    static final MessageType GET_HEADER = MessageType.of(0x81, "GET_HEADER");
    static final MessageType GET_BLOCKS = MessageType.of(0x82, "GET_BLOCKS");
    static final MessageType NOTE = MessageType.of(0x83, "NOTE");
    static final MessageType BLOCK = MessageType.of(0x84, "BLOCK_ITEM");

    static final String REQUEST_RESPONSE = "3000000000120000000100000000008100000000000003e8";
    static final String REQUEST_STREAM = "3000000000120000000201000000108200000000000003e8";
    static final String REQUEST_FIRE_AND_FORGET = "30000000000c000000000200000000836869";
    static final String RESPONSE_ITEM_COMPLETE = "31000000000c000000010381686561646572";
    static final String RESPONSE_ITEM = "310000000010000000020184626c6f636b2d31303030";
    static final String RESPONSE_COMPLETE = "3100000000050000000202";
    static final String RESPONSE_FRAGMENT = "31000000000c000000020584626c6f636b2d";
    static final String ERROR_APPLICATION = "320000000018000000010100000194000d6e6f207375636820626c6f636b";
    static final String ERROR_REFUSED = "32000000003d00000003020000000000326f76657220746865206c696d6974206f662072657175"
            + "6573747320696e20666c69676874206f7220706572207365636f6e64";
    static final String REQUEST_N = "3300000000080000000200000020";
    static final String CANCEL = "34000000000400000002";

    private static final byte[] HEIGHT_1000 = ByteBuffer.allocate(8).putLong(1000).array();

    /** The inner frame (§2.4) of {@code m}: type, flags 0, length, payload. */
    static String inner(Message m) {
        ByteBuffer b = ByteBuffer.allocate(6 + m.payloadLength());
        b.put((byte) m.type().code()).put((byte) 0).putInt(m.payloadLength()).put(m.payload());
        return HexFormat.of().formatHex(b.array());
    }

    /** The message an inner frame carries. */
    static Message parse(String hex) {
        byte[] f = HexFormat.of().parseHex(hex);
        int length = ByteBuffer.wrap(f, 2, 4).getInt();
        assertThat(f.length).isEqualTo(6 + length);
        return Message.of(MessageType.fromCode(f[0] & 0xFF), f, 6, length);
    }

    private static void bothWays(String vector, RpcFrame frame) {
        assertThat(inner(frame.toMessage())).isEqualTo(vector);
        assertThat(RpcFrame.decode(parse(vector))).isEqualTo(frame);
    }

    @Test
    void goldenVectors() {
        bothWays(REQUEST_RESPONSE, new RpcFrame.Request(1, Mode.RESPONSE, 0, Message.of(GET_HEADER, HEIGHT_1000)));
        bothWays(REQUEST_STREAM, new RpcFrame.Request(2, Mode.STREAM, 16, Message.of(GET_BLOCKS, HEIGHT_1000)));
        bothWays(REQUEST_FIRE_AND_FORGET, new RpcFrame.Request(0, Mode.FIRE_AND_FORGET, 0,
                Message.of(NOTE, "hi".getBytes(StandardCharsets.US_ASCII))));
        bothWays(RESPONSE_ITEM_COMPLETE, new RpcFrame.Response(1, Message.of(GET_HEADER,
                "header".getBytes(StandardCharsets.US_ASCII)), true));
        bothWays(RESPONSE_ITEM, new RpcFrame.Response(2, Message.of(BLOCK,
                "block-1000".getBytes(StandardCharsets.US_ASCII)), false));
        bothWays(RESPONSE_COMPLETE, new RpcFrame.Response(2, null, true));
        bothWays(RESPONSE_FRAGMENT, new RpcFrame.Response(2, Message.of(BLOCK,
                "block-".getBytes(StandardCharsets.US_ASCII)), false, true));
        Message block = Message.of(BLOCK, "block-1000".getBytes(StandardCharsets.US_ASCII));
        assertThat(inner(RpcFrame.Response.fragment(2, block, 0, 6, true))).isEqualTo(RESPONSE_FRAGMENT);
        assertThat(RpcFrame.decode(RpcFrame.Response.fragment(2, block, 6, 4, false)))
                .isEqualTo(new RpcFrame.Response(2, Message.of(BLOCK, "1000".getBytes(StandardCharsets.US_ASCII)), false));
        bothWays(ERROR_APPLICATION, RpcFrame.StreamError.of(1, ErrorCode.APPLICATION, 404, "no such block"));
        bothWays(ERROR_REFUSED, RpcFrame.StreamError.of(3, ErrorCode.REFUSED, 0,
                "over the limit of requests in flight or per second"));
        bothWays(REQUEST_N, new RpcFrame.RequestN(2, 32));
        bothWays(CANCEL, new RpcFrame.Cancel(2));
    }

    @Property(tries = 200)
    void everyFrameReadsBackAsWritten(@ForAll long stream, @ForAll int credits, @ForAll @Size(max = 300) byte[] payload,
                                      @ForAll boolean complete) {
        long id = 1 + Math.floorMod(stream, 0xFFFF_FFFFL);
        long n = 1 + Math.floorMod(credits, RpcFrame.MAX_CREDITS);
        Message m = Message.of(BLOCK, payload);
        for (RpcFrame f : new RpcFrame[] {
            new RpcFrame.Request(id, Mode.RESPONSE, 0, m), new RpcFrame.Request(id, Mode.STREAM, n, m),
            new RpcFrame.Request(0, Mode.FIRE_AND_FORGET, 0, m), new RpcFrame.Response(id, m, complete),
            new RpcFrame.Response(id, m, false, true),
            new RpcFrame.Response(id, null, true), new RpcFrame.StreamError(id, 7, 0xFFFF_FFFFL, "x"),
            new RpcFrame.RequestN(id, n), new RpcFrame.Cancel(id)}) {
            assertThat(RpcFrame.decode(f.toMessage())).isEqualTo(f);
        }
    }

    @Test
    void aResponseReadInPlaceCopiesItsItemOnlyWhenAsked() {
        Message block = Message.of(BLOCK, "block-1000".getBytes(StandardCharsets.US_ASCII));
        Message frame = RpcFrame.Response.fragment(2, block, 0, 6, true);
        RpcFrame.ResponseView view = RpcFrame.ResponseView.decode(frame);
        assertThat(view.stream()).isEqualTo(2);
        assertThat(view.follows()).isTrue();
        assertThat(view.complete()).isFalse();
        assertThat(view.itemType()).isEqualTo(BLOCK);
        assertThat(view.itemLength()).isEqualTo(6);
        assertThat(view.frame()).isSameAs(frame);
        byte[] joined = new byte[8];
        view.copyItem(joined, 2);
        assertThat(new String(joined, 2, 6, StandardCharsets.US_ASCII)).isEqualTo("block-");
        assertThat(view.item()).isEqualTo(Message.of(BLOCK, "block-".getBytes(StandardCharsets.US_ASCII)));

        RpcFrame.ResponseView end = RpcFrame.ResponseView.decode(new RpcFrame.Response(2, null, true).toMessage());
        assertThat(end.itemType()).isNull();
        assertThat(end.itemLength()).isZero();
        assertThat(end.item()).isNull();
        assertThatThrownBy(() -> RpcFrame.ResponseView.decode(new RpcFrame.Cancel(2).toMessage()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static void malformed(String hex) {
        assertThatThrownBy(() -> RpcFrame.decode(parse(hex))).isInstanceOf(ProtocolException.class)
                .extracting(e -> ((ProtocolException) e).kind()).isEqualTo(ProtocolException.Kind.MALFORMED_PAYLOAD);
    }

    @Test
    void malformedFramesAreProtocolErrors() {
        malformed("300000000009000000010000000000");           // REQUEST shorter than its header
        malformed("30000000000a000000010300000000" + "81");    // mode 3
        malformed("30000000000a000000000000000000" + "81");    // stream 0 for a request/response
        malformed("30000000000a000000050200000000" + "81");    // a fire-and-forget with a stream id
        malformed("30000000000a000000020100000000" + "82");    // a stream with no credits
        malformed("30000000000a000000020180000000" + "82");    // a stream with 2^31 credits
        malformed("30000000000a000000010000000001" + "81");    // credits on a request/response
        malformed("3100000000050000000200");                   // RESPONSE without NEXT or COMPLETE
        malformed("3100000000050000000208");                   // RESPONSE with a reserved flag
        malformed("3100000000050000000204");                   // FOLLOWS without NEXT
        malformed("310000000006000000020784");                 // FOLLOWS with COMPLETE
        malformed("3100000000050000000201");                   // NEXT without the item's type
        malformed("3100000000060000000202ff");               // COMPLETE alone with a trailing byte
        malformed("3100000000050000000002");                   // RESPONSE for stream 0
        malformed("32000000000a00000001010000000000");         // ERROR cut before its text's length
        malformed("32000000000b0000000101000000000001");       // ERROR text runs past the end
        malformed("32000000000c000000010100000000000000");     // ERROR with a trailing byte
        malformed("3300000000080000000200000000");             // REQUEST_N of 0
        malformed("3300000000080000000280000000");             // REQUEST_N of 2^31
        malformed("330000000009000000020000000100");           // REQUEST_N with a trailing byte
        malformed("34000000000400000000");                     // CANCEL of stream 0
        malformed("340000000003000000");                       // CANCEL cut short
        assertThatThrownBy(() -> RpcFrame.decode(parse("32000000000c000000010100000000" + "0101" + "00")))
                .isInstanceOf(ProtocolException.class);        // a text length over 256 is over the limit
    }

    @Test
    void aLongErrorTextIsCutToItsLimitAndAnUnknownCodeReadsAsFailed() {
        RpcFrame.StreamError e = RpcFrame.StreamError.of(9, ErrorCode.FAILED, 0, "é".repeat(200));
        RpcFrame.StreamError back = (RpcFrame.StreamError) RpcFrame.decode(e.toMessage());
        assertThat(back.text().getBytes(StandardCharsets.UTF_8)).hasSize(256);
        assertThat(new RpcFrame.StreamError(9, 200, 0, "?").errorCode()).isEqualTo(ErrorCode.FAILED);
        assertThat(RpcFrame.handles(MessageType.MsgRequest)).isTrue();
        assertThat(RpcFrame.handles(MessageType.MsgGetData)).isFalse();
    }
}
