package io.reactivep2p.noise;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The results of the {@code ss} token (the DH of this party's static key and the peer's) kept
 * per peer, for one local static key pair: a handshake with a peer already met skips that X25519
 * agreement (66 µs with the library's X25519; an IK handshake has one on each side, on its
 * critical path). WireGuard keeps the same value per peer. The result depends on the two static
 * keys only, so a kept one is exactly what the agreement would give; it is as secret as the
 * static private key and lives in memory as that key does.
 *
 * <pre>{@code
 * StaticStaticCache cache = new StaticStaticCache(identity.keyPair(), 1024);
 * HandshakeState hs = HandshakeState.builder(HandshakePattern.IK, true).localStatic(identity.keyPair())
 *         .remoteStatic(peerId).staticStaticCache(cache).random(secureRandom).build();
 * }</pre>
 *
 * <p>A result enters only once the peer has proven its static key: when the first message read
 * from it after the agreement authenticates (for IK, message 1 at the responder, message 2 at
 * the initiator), so neither a forged message 1 nor a dial under a wrong key adds anything. The
 * least recently used entry leaves when {@code capacity} are held. A handshake whose local static key is another
 * one neither reads nor adds. Thread-safe: one instance serves every connection of a node.
 */
public final class StaticStaticCache {

    private final byte[] localPublicKey;
    private final Map<ByteBuffer, byte[]> entries;

    /**
     * @param localStatic the local static key pair the kept results belong to
     * @param capacity the most results kept, at least 1
     */
    public StaticStaticCache(DhKeyPair localStatic, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.localPublicKey = Objects.requireNonNull(localStatic, "localStatic").publicKey();
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ByteBuffer, byte[]> eldest) {
                return size() > capacity;
            }
        };
    }

    /** How many results are kept. */
    public synchronized int size() {
        return entries.size();
    }

    /** The kept result for {@code remoteStatic}, a copy, or null. */
    synchronized byte[] get(DhKeyPair localStatic, byte[] remoteStatic) {
        if (!belongsTo(localStatic)) {
            return null;
        }
        byte[] shared = entries.get(ByteBuffer.wrap(remoteStatic));
        return shared == null ? null : shared.clone();
    }

    synchronized void put(DhKeyPair localStatic, byte[] remoteStatic, byte[] shared) {
        if (belongsTo(localStatic)) {
            entries.put(ByteBuffer.wrap(remoteStatic.clone()), shared.clone());
        }
    }

    private boolean belongsTo(DhKeyPair localStatic) {
        return Arrays.equals(localStatic.publicKeyUnsafe(), localPublicKey);
    }
}
