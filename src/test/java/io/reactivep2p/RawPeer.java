package io.reactivep2p;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.reactivep2p.protocol.Disconnect;
import io.reactivep2p.protocol.FrameCodec;
import io.reactivep2p.protocol.Hello;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.NodeId;
import io.reactivep2p.protocol.Ping;
import io.reactivep2p.protocol.Pong;
import io.reactivep2p.testing.WireBytes;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;

/** A hand-driven peer over a plain blocking socket, for tests that speak (or break) the protocol. */
final class RawPeer implements AutoCloseable {

    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

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

    static RawPeer accepted(Socket socket) throws IOException {
        return new RawPeer(socket);
    }

    static Hello hello(int version) {
        return new Hello(version, NodeId.random(), 0, System.nanoTime(), 0, System.currentTimeMillis(), "raw", new byte[0]);
    }

    void send(Message message) throws IOException {
        sendBytes(WireBytes.frame(message));
    }

    void sendBytes(byte[] bytes) throws IOException {
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
