package io.reactivep2p.transport;

/**
 * Names of the handlers every peer connection carries, in pipeline order:
 *
 * <pre>
 *   socket
 *     │  bytes in                                   ▲ bytes out
 *     ▼                                             │
 *  {@value #SECURE}        version 2: preamble, Noise handshake, records ⇄ plaintext bytes
 *  {@value #FRAME_DECODER}   bytes → checked, uncompressed frames
 *  {@value #FRAME_ENCODER}   Message → frame (LZ4 once negotiated); frames pass through
 *  {@value #PEER}            handshake, keepalive, DISCONNECT, protocol errors;
 *     │                      data messages go on as {@code Message}
 *     ▼
 *  Reactor Netty's bridge: {@code Peer.inbound()}
 * </pre>
 */
public final class PipelineNames {

    /** {@link io.reactivep2p.protocol.FrameDecoder}. */
    public static final String FRAME_DECODER = "p2p.frameDecoder";

    /** {@link SecureChannelHandler}, after the byte counter; absent from a plaintext (version 1) node's connections. */
    public static final String SECURE = "p2p.secure";

    /** Counts the bytes read and written, first in the pipeline. */
    public static final String BYTE_COUNTER = "p2p.byteCounter";
    /** {@link io.reactivep2p.protocol.FrameEncoder}. */
    public static final String FRAME_ENCODER = "p2p.frameEncoder";
    /** The peer handler: handshake, keepalive and the peer's state. */
    public static final String PEER = "p2p.peer";

    private PipelineNames() {
    }
}
