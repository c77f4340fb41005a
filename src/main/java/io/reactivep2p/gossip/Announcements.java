package io.reactivep2p.gossip;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.reactivep2p.peer.Peer;
import io.reactivep2p.peer.PeerManager;
import io.reactivep2p.protocol.ContentHash;
import io.reactivep2p.protocol.InvItem;
import io.reactivep2p.protocol.Inventory;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.runtime.TokenBucket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Announce-then-fetch for large gossip payloads (at least
 * {@link GossipSettings#largeMessageThreshold()}): instead of the message, peers get an INV with
 * its content hash; a peer that has not seen that hash asks with GET_DATA the first peer that
 * announced it, and gets the message from a bounded cache of recent large messages.
 *
 * <ul>
 *   <li><b>Seen hashes.</b> The content hashes of large messages this node has (received,
 *       requested or broadcast) are kept in a {@link SeenCache} of their first 8 bytes; an INV
 *       for one of them asks nothing.</li>
 *   <li><b>Requests.</b> At most {@value #MAX_PENDING_REQUESTS} hashes are being fetched at
 *       once, each from one peer, and at most {@value #MAX_PENDING_PER_PEER} from any one peer
 *       (its further items are not asked for, and counted); a request unanswered for
 *       {@value #REQUEST_TIMEOUT_MILLIS} ms is forgotten, so the next INV of that hash asks
 *       again (another peer, or the same one). What arrives is hashed: only the hash of what
 *       arrived ends a request.</li>
 *   <li><b>Serving.</b> GET_DATA is answered from the cache of recent large messages
 *       ({@link GossipSettings#announceCacheBytes()} bytes, kept at most the seen-cache ttl); an
 *       unknown hash is counted and answered with nothing.</li>
 *   <li><b>Limits.</b> Each peer may send {@value #ITEMS_PER_SECOND} INV items and
 *       {@value #ITEMS_PER_SECOND} GET_DATA items per second (bursts of twice that); items
 *       beyond are dropped and counted, and each INV or GET_DATA over its limit costs
 *       {@value #OVER_LIMIT_SCORE} misbehaviour points.</li>
 * </ul>
 *
 * <p>Thread-safe; runs on the event loops of the peers concerned.
 */
final class Announcements {

    static final int MAX_PENDING_REQUESTS = 4096;
    /** Hashes being fetched from one peer at most: a quarter of the table, so one peer cannot fill it. */
    static final int MAX_PENDING_PER_PEER = MAX_PENDING_REQUESTS / 4;
    static final long REQUEST_TIMEOUT_MILLIS = 10_000;
    static final int ITEMS_PER_SECOND = 1000;
    static final int OVER_LIMIT_SCORE = 5;

    private final GossipSettings config;
    private final PeerManager peers;
    private final LongSupplier nanoClock;
    private final SeenCache seenHashes;
    private final Cache<ContentHash, Message> recent;
    private final Map<ContentHash, Request> requested = new ConcurrentHashMap<>();
    private final Map<Peer, Limits> limits = new ConcurrentHashMap<>();
    final LongAdder announced = new LongAdder();
    final LongAdder fetched = new LongAdder();
    final LongAdder served = new LongAdder();
    final LongAdder unknownRequests = new LongAdder();
    final LongAdder overLimit = new LongAdder();
    final LongAdder unsolicited = new LongAdder();
    /** INV items not asked for because their announcer had {@value #MAX_PENDING_PER_PEER} requests pending. */
    final LongAdder perPeerFull = new LongAdder();

    /** A hash being fetched: from whom, until when. */
    private record Request(Peer peer, long deadlineNanos) {
    }

    /** Token buckets of one peer, in items, and the hashes being fetched from it. */
    private static final class Limits {
        final TokenBucket inv;
        final TokenBucket getData;
        final AtomicInteger pending = new AtomicInteger();

        Limits(long now) {
            inv = new TokenBucket(ITEMS_PER_SECOND, 2 * ITEMS_PER_SECOND, now);
            getData = new TokenBucket(ITEMS_PER_SECOND, 2 * ITEMS_PER_SECOND, now);
        }
    }

    Announcements(GossipSettings config, PeerManager peers, LongSupplier nanoClock) {
        this.config = config;
        this.peers = peers;
        this.nanoClock = nanoClock;
        this.seenHashes = SeenCache.create(Math.max(1024, config.seenCacheSize() / 16), config.seenCacheTtl(), nanoClock);
        this.recent = Caffeine.newBuilder()
                .maximumWeight(config.announceCacheBytes())
                .weigher((ContentHash h, Message m) -> m.payloadLength() + 64)
                .expireAfterWrite(config.seenCacheTtl())
                .ticker(nanoClock::getAsLong)
                .build();
    }

    /** Whether {@code message} travels as INV then GET_DATA. */
    boolean isLarge(Message message) {
        return message.payloadLength() >= config.largeMessageThreshold();
    }

    void onAdmitted(Peer peer) {
        limits.put(peer, new Limits(nanoClock.getAsLong()));
        peer.onClose().subscribe(why -> limits.remove(peer));
    }

    /**
     * Notes the first copy of a large message from {@code peer}: it is hashed (from what
     * arrived, so an answer that does not match the hash asked for ends no request), and the
     * request of that hash, if any, ends. A large message nobody asked for (a peer that pushes
     * instead of announcing, e.g. with {@code Peer.send}) is counted and handled as any other
     * first sighting.
     *
     * @return the content hash
     */
    ContentHash arrived(Peer peer, Message message) {
        ContentHash hash = ContentHash.of(message);
        seenHashes.markSeen(prefix(hash));
        Request r = requested.remove(hash);
        ended(r);
        if (r == null || r.peer() != peer) {
            unsolicited.increment();
        }
        return hash;
    }

    /** Notes a large message of this node's own: its hash is seen. */
    ContentHash own(Message message) {
        ContentHash hash = ContentHash.of(message);
        seenHashes.markSeen(prefix(hash));
        ended(requested.remove(hash));
        return hash;
    }

    /** Keeps an accepted large message to serve GET_DATA with. */
    void keep(ContentHash hash, Message message) {
        recent.put(hash, message);
    }

    /** The INV announcing a message kept with {@link #keep}. */
    Message inv(Message message, ContentHash hash) {
        announced.increment();
        return new Inventory(List.of(new InvItem(message.type(), hash))).toInv();
    }

    /** An INV from {@code peer}: asks it for what this node neither has nor is fetching. */
    void onInv(Peer peer, Message inv) {
        Inventory items = Inventory.decode(inv);
        if (!allowed(peer, true, items.items().size())) {
            return;
        }
        Limits own = limits.get(peer);
        if (own == null) {
            return; // gone
        }
        long now = nanoClock.getAsLong();
        List<InvItem> wanted = new ArrayList<>();
        for (InvItem item : items.items()) {
            ContentHash hash = item.hash();
            if (seenHashes.contains(prefix(hash)) || config.isDirect(item.type())
                    || item.type().code() < MessageType.MsgTx.code()) {
                continue;
            }
            Request pending = requested.get(hash);
            if (pending != null && pending.deadlineNanos() - now > 0) {
                continue; // being fetched
            }
            if (pending == null && requested.size() >= MAX_PENDING_REQUESTS) {
                expireRequests(now);
                if (requested.size() >= MAX_PENDING_REQUESTS) {
                    continue;
                }
            }
            if (own.pending.get() >= MAX_PENDING_PER_PEER) {
                perPeerFull.increment();
                continue; // asked of it again at its next INV, or of another peer
            }
            own.pending.incrementAndGet();
            ended(requested.put(hash, new Request(peer, now + TimeUnit.MILLISECONDS.toNanos(REQUEST_TIMEOUT_MILLIS))));
            wanted.add(item);
        }
        if (!wanted.isEmpty()) {
            fetched.add(wanted.size());
            peer.offer(new Inventory(wanted).toGetData());
        }
    }

    /** A GET_DATA from {@code peer}: sends what the cache holds, counts the rest. */
    void onGetData(Peer peer, Message getData) {
        Inventory items = Inventory.decode(getData);
        if (!allowed(peer, false, items.items().size())) {
            return;
        }
        for (InvItem item : items.items()) {
            Message m = recent.getIfPresent(item.hash());
            if (m != null && m.type().equals(item.type())) {
                served.increment();
                peer.offer(m);
            } else {
                unknownRequests.increment();
            }
        }
    }

    /** Counts a request off its peer, once it is answered, replaced or expired. */
    private void ended(Request r) {
        if (r != null) {
            Limits l = limits.get(r.peer());
            if (l != null) {
                l.pending.decrementAndGet();
            }
        }
    }

    private boolean allowed(Peer peer, boolean inv, int items) {
        Limits l = limits.get(peer);
        if (l == null) {
            return false; // gone
        }
        TokenBucket bucket = inv ? l.inv : l.getData;
        if (bucket.tryTake(items, nanoClock.getAsLong())) {
            return true;
        }
        overLimit.add(items);
        peers.misbehaved(peer.id(), peer.remoteAddress().getAddress(), OVER_LIMIT_SCORE,
                (inv ? "INV" : "GET_DATA") + " over the rate limit");
        return false;
    }

    private void expireRequests(long now) {
        requested.values().removeIf(r -> {
            boolean expired = r.deadlineNanos() - now <= 0;
            if (expired) {
                ended(r);
            }
            return expired;
        });
    }

    /** Expires seen hashes and stale requests; called periodically. */
    void expire() {
        seenHashes.expire();
        expireRequests(nanoClock.getAsLong());
    }

    private static long prefix(ContentHash hash) {
        byte[] b = hash.toBytes();
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }
}
