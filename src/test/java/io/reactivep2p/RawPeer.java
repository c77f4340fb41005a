package io.reactivep2p;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.reactivep2p.noise.CipherState;
import io.reactivep2p.noise.Dh;
import io.reactivep2p.noise.DhKeyPair;
import io.reactivep2p.noise.HandshakePattern;
import io.reactivep2p.noise.HandshakeState;
import io.reactivep2p.noise.NoiseCipher;
import io.reactivep2p.noise.TransportState;
import io.reactivep2p.protocol.Disconnect;
import io.reactivep2p.protocol.FrameFormat;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.FrameCodec;
import io.reactivep2p.protocol.Hello;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.NodeId;
import io.reactivep2p.protocol.Ping;
import io.reactivep2p.protocol.Pong;
import io.reactivep2p.testing.WireBytes;
import io.reactivep2p.transport.SecureChannelHandler;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;

/**
 * A hand-driven peer over a plain blocking socket, for tests that speak (or break) the protocol.
 * Plaintext (version 1) from {@link #connect}; over the secure channel (version 2) from
 * {@link #connectSecure}, which runs the Noise XX handshake with the library's Noise layer and a
 * fresh identity, its HELLO v2 as the payload: then {@link #send} and {@link #sendBytes} write
 * inner frames in records, {@link #read} decrypts records, and {@link #sendWire} writes bytes
 * past the record layer (a forged record). {@link #acceptedSecure} runs the handshake as the
 * responder, for a node that dials the raw peer. Public, as are
 * {@link #connectSecure(InetSocketAddress)} and {@link #send}, for the tests of other packages
 * (perf).
 */
public final class RawPeer implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();

    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    /** Version 2 only: the record layer's keys, and plaintext read but not yet parsed. */
    private CipherState sender;
    private CipherState receiver;
    private ByteBuffer inner = ByteBuffer.allocate(0);
    /** Version 2 only: this peer's identity. */
    private DhKeyPair identity;

    private RawPeer(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static RawPeer connect(InetSocketAddress address) throws IOException {
        return new RawPeer(new Socket(address.getAddress(), address.getPort()));
    }

    /**
     * Dials {@code address} and completes the secure channel's XX handshake, its HELLO (version
     * 2, a fresh identity) as the payload of message 3. The node may still refuse it afterwards
     * (read a DISCONNECT).
     */
    public static RawPeer connectSecure(InetSocketAddress address) throws IOException {
        return connectSecure(address, 0);
    }

    /** As {@link #connectSecure(InetSocketAddress)}, its HELLO giving {@code listenPort} as the port it listens on. */
    static RawPeer connectSecure(InetSocketAddress address, int listenPort) throws IOException {
        return initiate(connect(address), listenPort);
    }

    /** As {@link #connectSecure(InetSocketAddress)}, on a socket the caller connected (e.g. with a small receive buffer). */
    static RawPeer connectSecure(Socket connected) throws IOException {
        return initiate(new RawPeer(connected), 0);
    }

    private static RawPeer initiate(RawPeer raw, int listenPort) throws IOException {
        raw.identity = Dh.X25519.generateKeyPair(RANDOM);
        HandshakeState hs = HandshakeState.builder(HandshakePattern.XX, true)
                .prologue(SecureChannelHandler.prologue(FrameSettings.DEFAULT_MAGIC)).localStatic(raw.identity)
                .random(RANDOM).build();
        byte[] first = hs.writeMessage(new byte[0]);
        raw.sendWire(ByteBuffer.allocate(SecureChannelHandler.PREAMBLE_LENGTH + 2 + first.length)
                .putInt(FrameSettings.DEFAULT_MAGIC).put((byte) SecureChannelHandler.MODE_XX)
                .putShort((short) first.length).put(first).array());
        hs.readMessage(raw.readHandshakeMessage());
        byte[] third = hs.writeMessage(raw.helloV2(listenPort).toV2Payload());
        raw.sendHandshakeMessage(third);
        raw.keys(hs.split());
        return raw;
    }

    /**
     * Completes the secure channel's XX handshake as the responder on {@code socket}, accepted
     * from a node that dialled this peer: checks the preamble, answers with its HELLO (version
     * 2, a fresh identity) in message 2 and reads the node's in message 3.
     */
    static RawPeer acceptedSecure(Socket socket) throws IOException {
        RawPeer raw = accepted(socket);
        raw.identity = Dh.X25519.generateKeyPair(RANDOM);
        HandshakeState hs = HandshakeState.builder(HandshakePattern.XX, false)
                .prologue(SecureChannelHandler.prologue(FrameSettings.DEFAULT_MAGIC)).localStatic(raw.identity)
                .random(RANDOM).build();
        int magic = raw.in.readInt();
        int mode = raw.in.readUnsignedByte();
        if (magic != FrameSettings.DEFAULT_MAGIC || mode != SecureChannelHandler.MODE_XX) {
            throw new IOException("preamble magic 0x" + Integer.toHexString(magic) + ", mode " + mode + ": not an XX dial");
        }
        hs.readMessage(raw.readHandshakeMessage());
        raw.sendHandshakeMessage(hs.writeMessage(raw.helloV2(0).toV2Payload()));
        hs.readMessage(raw.readHandshakeMessage());
        raw.keys(hs.split());
        return raw;
    }

    private Hello helloV2(int listenPort) {
        return new Hello(Hello.VERSION_2, id(), listenPort, System.nanoTime(), 0, System.currentTimeMillis(), "raw",
                new byte[0]);
    }

    private byte[] readHandshakeMessage() throws IOException {
        byte[] message = new byte[in.readUnsignedShort()];
        in.readFully(message);
        return message;
    }

    private void sendHandshakeMessage(byte[] message) throws IOException {
        sendWire(ByteBuffer.allocate(2 + message.length).putShort((short) message.length).put(message).array());
    }

    private void keys(TransportState keys) {
        sender = keys.sender();
        receiver = keys.receiver();
    }

    /** Whether this peer speaks the secure channel. */
    boolean secure() {
        return sender != null;
    }

    /** Version 2: this peer's node id (its identity's public key). */
    NodeId id() {
        return NodeId.of(identity.publicKey());
    }

    static RawPeer accepted(Socket socket) throws IOException {
        return new RawPeer(socket);
    }

    static Hello hello(int version) {
        return new Hello(version, NodeId.random(), 0, System.nanoTime(), 0, System.currentTimeMillis(), "raw", new byte[0]);
    }

    public void send(Message message) throws IOException {
        sendBytes(secure() ? WireBytes.innerFrame(message) : WireBytes.frame(message));
    }

    /**
     * Version 1: writes {@code bytes} as they are. Version 2: writes them as plaintext in
     * records (the inner frames they hold need not be whole or valid).
     */
    void sendBytes(byte[] bytes) throws IOException {
        if (!secure()) {
            sendWire(bytes);
            return;
        }
        synchronized (out) {
            for (int at = 0; at < bytes.length; at += SecureChannelHandler.MAX_RECORD_PLAINTEXT) {
                int n = Math.min(SecureChannelHandler.MAX_RECORD_PLAINTEXT, bytes.length - at);
                ByteBuffer record = ByteBuffer.allocate(2 + n + NoiseCipher.TAG_LENGTH)
                        .putShort((short) (n + NoiseCipher.TAG_LENGTH));
                sender.encrypt(null, ByteBuffer.wrap(bytes, at, n), record);
                out.write(record.array());
            }
            out.flush();
        }
    }

    /** Writes {@code bytes} to the socket as they are, whatever the version. */
    void sendWire(byte[] bytes) throws IOException {
        synchronized (out) {
            out.write(bytes);
            out.flush();
        }
    }

    /**
     * Keeps the connection alive from a daemon thread: reads every frame and answers each PING,
     * until the connection closes. The caller must not read the socket itself afterwards.
     */
    void answerPings() {
        Thread t = new Thread(() -> {
            try {
                for (;;) {
                    Message m = read();
                    if (m.type().equals(MessageType.MsgPing)) {
                        send(new Pong(Ping.decode(m).nonce()).toMessage());
                    }
                }
            } catch (IOException e) {
                // closed: done
            }
        }, "raw-peer-pongs");
        t.setDaemon(true);
        t.start();
    }

    /** The next frame as a message (uncompressed frames only: raw peers never advertise LZ4). */
    Message read() throws IOException {
        if (secure()) {
            return readInner();
        }
        byte[] header = new byte[FrameCodec.HEADER_LENGTH];
        in.readFully(header);
        int length = ByteBuffer.wrap(header).getInt(6);
        byte[] frame = new byte[FrameCodec.HEADER_LENGTH + length];
        System.arraycopy(header, 0, frame, 0, header.length);
        in.readFully(frame, FrameCodec.HEADER_LENGTH, length);
        ByteBuf buf = Unpooled.wrappedBuffer(frame);
        try {
            return FrameCodec.toMessage(buf);
        } finally {
            buf.release();
        }
    }

    private Message readInner() throws IOException {
        int header = FrameFormat.INNER.headerLength();
        fill(header);
        int length = inner.getInt(inner.position() + 2);
        fill(header + length);
        byte[] frame = new byte[header + length];
        inner.get(frame);
        ByteBuf buf = Unpooled.wrappedBuffer(frame);
        try {
            return FrameFormat.INNER.toMessage(buf);
        } finally {
            buf.release();
        }
    }

    /** Decrypts records until {@code bytes} of plaintext wait to be parsed. */
    private void fill(int bytes) throws IOException {
        while (inner.remaining() < bytes) {
            byte[] record = new byte[in.readUnsignedShort()];
            in.readFully(record);
            ByteBuffer plain = ByteBuffer.allocate(inner.remaining() + record.length - NoiseCipher.TAG_LENGTH);
            plain.put(inner);
            receiver.decrypt(null, ByteBuffer.wrap(record), plain);
            inner = plain.flip();
        }
    }

    /** Reads frames until a DISCONNECT, skipping HELLO and keepalive. */
    Disconnect readDisconnect() throws IOException {
        for (;;) {
            Message m = read();
            if (m.type().equals(MessageType.MsgDisconnect)) {
                return Disconnect.decode(m);
            }
        }
    }

    /** Whether the remote closed the connection (end of stream or reset), reading and discarding until then. */
    boolean closedByRemote() throws IOException {
        try {
            while (in.read() >= 0) {
                // discard
            }
            return true;
        } catch (SocketException | EOFException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
