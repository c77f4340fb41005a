package io.reactivep2p.protocol;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One entry of a {@link Peers} message: where a node listens and who it is.
 *
 * @param address IPv4 (family 4) or IPv6 (family 6) address; never resolved through DNS
 * @param port the listening port, {@code 1..65535}
 * @param nodeId the node's id
 */
public record PeerAddress(InetAddress address, int port, NodeId nodeId) {

    /** Checks every field. */
    public PeerAddress {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(nodeId, "nodeId");
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        }
    }

    /** The address family byte on the wire: 4 or 6. */
    public int family() {
        return address instanceof Inet4Address ? 4 : 6;
    }

    /** Address and port, unresolved by name. */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, port);
    }
}
