package io.reactivep2p.protocol;

import io.reactivep2p.runtime.NodeRuntime;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A node's 32-byte identity, as carried in HELLO and PEERS. Immutable; ordered as an
 * unsigned big-endian number (the lower id wins a simultaneous dial).
 */
public final class NodeId extends Bytes32 implements Comparable<NodeId> {

    private NodeId(byte[] bytes, boolean copy) {
        super(bytes, copy);
    }

    /** A node id of a copy of {@code bytes}, which must be 32 long. */
    public static NodeId of(byte[] bytes) {
        return new NodeId(bytes, true);
    }

    /** A node id from 64 hex digits. */
    public static NodeId fromHex(String hex) {
        return new NodeId(HexFormat.of().parseHex(hex), false);
    }

    /** A new random node id from the {@link NodeRuntime#system() system}'s {@link SecureRandom}. */
    public static NodeId random() {
        return random(NodeRuntime.system().secureRandom());
    }

    /** A new random node id from {@code random}. */
    public static NodeId random(SecureRandom random) {
        byte[] bytes = new byte[LENGTH];
        random.nextBytes(bytes);
        return new NodeId(bytes, false);
    }

    static NodeId wrap(byte[] bytes) {
        return new NodeId(bytes, false);
    }

    @Override
    public int compareTo(NodeId other) {
        return compareBytes(other);
    }

    /** The first 8 hex digits, for logs. */
    public String shortHex() {
        return toHex().substring(0, 8);
    }

    @Override
    public String toString() {
        return "NodeId{" + shortHex() + "}";
    }
}
