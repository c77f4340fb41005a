package io.reactivep2p.perf;

import io.reactivep2p.NodeConfig;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.util.Set;

/**
 * The perf protocol: libp2p perf's semantics on this toolkit's connections, to measure
 * throughput and latency between two nodes. A client asks for a number of bytes back, uploads
 * its bytes, then the server sends the bytes asked for.
 *
 * <pre>
 * client                                   server
 *   PERF_START  run, download bytes   →
 *   PERF_DATA   run, bytes ...        →    (counts them)
 *   PERF_DONE   run, bytes uploaded   →
 *                                     ←    PERF_DATA  run, bytes ...   (download bytes in all)
 *                                     ←    PERF_DONE  run, bytes it received
 *
 *   PERF_ECHO   run, value            →
 *                                     ←    PERF_ECHO  the same message
 * </pre>
 *
 * <p>Messages (application codes, {@link io.reactivep2p.gossip.GossipSettings#directTypes() direct}: point to point,
 * never gossiped); every integer is an unsigned big-endian u64:
 * <ul>
 *   <li>{@code 0xF0 PERF_START}: {@code run, download} — 16 bytes;</li>
 *   <li>{@code 0xF1 PERF_DATA}: {@code run}, then the data (any bytes);</li>
 *   <li>{@code 0xF2 PERF_DONE}: {@code run, bytes} — 16 bytes; the sender's data phase is over,
 *       with what it sent (client) or received (server).</li>
 *   <li>{@code 0xF3 PERF_ECHO}: {@code run, value} — 16 bytes; the server sends it back as it
 *       is, at once: a latency sample, one message each way (as a raw TCP ping-pong or
 *       libp2p's echo measures), no run to start or end.</li>
 * </ul>
 * A run with nothing to upload or download is one request of two messages and one answer.
 * Runs are independent and may overlap; {@code run} is the client's choice, unique among its
 * runs in progress.
 *
 * <pre>{@code
 * NodeConfig.Builder config = Perf.configure(NodeConfig.builder());
 * PerfServer.attach(serverNode, PerfServer.DEFAULT_MAX_DOWNLOAD);
 * PerfResult r = PerfClient.run(clientNode, peer, 100 << 20, 100 << 20, Perf.DEFAULT_CHUNK, PerfClient.Data.RANDOM).block();
 * }</pre>
 */
public final class Perf {

    /** {@code 0xF0}: starts a run. */
    public static final MessageType START = MessageType.of(0xF0, "PERF_START");
    /** {@code 0xF1}: data of a run. */
    public static final MessageType DATA = MessageType.of(0xF1, "PERF_DATA");
    /** {@code 0xF2}: the end of a side's data. */
    public static final MessageType DONE = MessageType.of(0xF2, "PERF_DONE");
    /** {@code 0xF3}: a message the server echoes. */
    public static final MessageType ECHO = MessageType.of(0xF3, "PERF_ECHO");

    /** Data bytes per PERF_DATA message by default: 1 MiB. */
    public static final int DEFAULT_CHUNK = 1 << 20;

    static final int HEADER = 8;
    static final int CONTROL_LENGTH = 16;

    private Perf() {
    }

    /** {@code config} with the perf types direct, so both ends deliver them point to point. */
    public static NodeConfig.Builder configure(NodeConfig.Builder config) {
        return config.directTypes(START, DATA, DONE, ECHO);
    }

    static boolean isPerf(MessageType type) {
        int code = type.code();
        return code >= START.code() && code <= ECHO.code();
    }

    static Set<MessageType> types() {
        return Set.of(START, DATA, DONE, ECHO);
    }

    static Message control(MessageType type, long run, long value) {
        return Message.wrap(type, ByteBuffer.allocate(CONTROL_LENGTH).putLong(run).putLong(value).array());
    }

    /** The run id of any perf message; {@link ProtocolException} if it has none. */
    static long run(Message m) {
        if (m.payloadLength() < HEADER) {
            throw new ProtocolException(ProtocolException.Kind.MALFORMED_PAYLOAD,
                    m.type().name() + " of " + m.payloadLength() + " bytes has no run id");
        }
        return m.payload().getLong(0);
    }

    /** The value of a START, DONE or ECHO; {@link ProtocolException} unless it is exactly 16 bytes. */
    static long value(Message m) {
        if (m.payloadLength() != CONTROL_LENGTH) {
            throw new ProtocolException(ProtocolException.Kind.MALFORMED_PAYLOAD,
                    m.type().name() + " must be " + CONTROL_LENGTH + " bytes, got " + m.payloadLength());
        }
        return m.payload().getLong(HEADER);
    }
}
