package io.reactivep2p.protocol;

import io.netty.util.concurrent.FastThreadLocal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The content hash of a message: SHA-256 over {@code type ‖ payload}. It is the id that
 * crosses the wire (INV, GET_DATA); the node-local dedup key is a cheaper seeded hash.
 */
public final class ContentHash extends Bytes32 {

    /** One digest per thread: {@code MessageDigest.getInstance} costs more than hashing 256 bytes. */
    private static final FastThreadLocal<MessageDigest> SHA256 = new FastThreadLocal<>() {
        @Override
        protected MessageDigest initialValue() {
            return sha256();
        }
    };

    private ContentHash(byte[] bytes, boolean copy) {
        super(bytes, copy);
    }

    /** A content hash of a copy of {@code bytes}, which must be 32 long. */
    public static ContentHash of(byte[] bytes) {
        return new ContentHash(bytes, true);
    }

    /** A content hash from 64 hex digits. */
    public static ContentHash fromHex(String hex) {
        return new ContentHash(HexFormat.of().parseHex(hex), false);
    }

    /** SHA-256 over the type code followed by the payload. */
    public static ContentHash of(Message message) {
        MessageDigest sha = SHA256.get();
        sha.update((byte) message.type().code());
        sha.update(message.array());
        return new ContentHash(sha.digest(), false); // digest() also resets it
    }

    static ContentHash wrap(byte[] bytes) {
        return new ContentHash(bytes, false);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "ContentHash{" + toHex() + "}";
    }
}
