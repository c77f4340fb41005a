package io.reactivep2p.discovery;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * The network group of an address: its /16 for IPv4 (and IPv4-mapped IPv6), its /32 for IPv6.
 * Addresses of one group are likely under one operator's control, so the address book limits
 * what one group can take.
 */
final class NetworkGroup {

    private NetworkGroup() {
    }

    /** The group as a small key: the family byte followed by the prefix bytes. */
    static long of(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return (4L << 32) | ((b[0] & 0xFFL) << 8) | (b[1] & 0xFFL);
        }
        if (isIpv4Mapped(b)) {
            return (4L << 32) | ((b[12] & 0xFFL) << 8) | (b[13] & 0xFFL);
        }
        return (6L << 32) | ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
    }

    private static boolean isIpv4Mapped(byte[] b) {
        if (b.length != 16 || b[10] != (byte) 0xFF || b[11] != (byte) 0xFF) {
            return false;
        }
        byte[] zeros = new byte[10];
        return Arrays.equals(b, 0, 10, zeros, 0, 10);
    }

    /** Whether the address is loopback, link-local, site-local (RFC 1918), unique-local (fc00::/7) or any-local. */
    static boolean isLocal(InetAddress address) {
        if (address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isSiteLocalAddress()
                || address.isAnyLocalAddress()) {
            return true;
        }
        byte[] b = address.getAddress();
        return b.length == 16 && (b[0] & 0xFE) == 0xFC;
    }
}
