package io.reactivep2p.protocol;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * PEERS ({@code 0x11}): {@code u16 count} (≤ {@value #MAX_PEERS}), then per entry
 * {@code u8 family} (4 or 6), 4 or 16 address bytes, {@code u16 port}, 32-byte node id.
 *
 * @param peers the addresses, at most {@value #MAX_PEERS}
 */
public record Peers(List<PeerAddress> peers) {

    /** Limit of entries in one PEERS and of the count asked for by GET_PEERS. */
    public static final int MAX_PEERS = 1000;

    private static final int MIN_ENTRY_LENGTH = 1 + 4 + 2 + Bytes32.LENGTH;

    /** Copies the list and checks its size. */
    public Peers {
        peers = List.copyOf(Objects.requireNonNull(peers, "peers"));
        if (peers.size() > MAX_PEERS) {
            throw new IllegalArgumentException("at most " + MAX_PEERS + " peers, got " + peers.size());
        }
    }

    /** Encodes this PEERS. */
    public Message toMessage() {
        int length = 2;
        for (PeerAddress p : peers) {
            length += 1 + (p.family() == 4 ? 4 : 16) + 2 + Bytes32.LENGTH;
        }
        ByteBuffer buf = ByteBuffer.allocate(length);
        buf.putShort((short) peers.size());
        for (PeerAddress p : peers) {
            buf.put((byte) p.family()).put(p.address().getAddress()).putShort((short) p.port()).put(p.nodeId().array());
        }
        return Message.wrap(MessageType.MsgPeers, buf.array());
    }

    /**
     * Decodes a PEERS payload. The count is checked against {@value #MAX_PEERS} and against
     * the bytes that remain before any entry is allocated.
     */
    public static Peers decode(Message message) {
        PayloadReader.requireType(message, MessageType.MsgPeers);
        PayloadReader r = new PayloadReader(message);
        int count = r.u16("count");
        if (count > MAX_PEERS) {
            throw r.limit("count " + count + " is above " + MAX_PEERS);
        }
        r.needEntries(count, MIN_ENTRY_LENGTH, "entries");
        List<PeerAddress> peers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int family = r.u8("family");
            InetAddress address;
            if (family == 4) {
                address = address(r.bytes(4, "IPv4 address"), r);
            } else if (family == 6) {
                address = ipv6(r.bytes(16, "IPv6 address"), r);
            } else {
                throw r.malformed("address family " + family + " is neither 4 nor 6");
            }
            int port = r.u16("port");
            NodeId nodeId = NodeId.wrap(r.bytes(Bytes32.LENGTH, "node id"));
            peers.add(new PeerAddress(address, port, nodeId));
        }
        r.end();
        return new Peers(peers);
    }

    private static InetAddress address(byte[] bytes, PayloadReader r) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw r.malformed("address of " + bytes.length + " bytes");
        }
    }

    /** Keeps family 6 even for IPv4-mapped addresses, so that a round trip is byte-exact. */
    private static InetAddress ipv6(byte[] bytes, PayloadReader r) {
        try {
            return Inet6Address.getByAddress(null, bytes, (NetworkInterface) null);
        } catch (UnknownHostException e) {
            throw r.malformed("IPv6 address of " + bytes.length + " bytes");
        }
    }
}
