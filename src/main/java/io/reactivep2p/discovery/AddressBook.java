package io.reactivep2p.discovery;

import io.reactivep2p.protocol.NodeId;
import io.reactivep2p.protocol.PeerAddress;
import io.reactivep2p.runtime.NodeRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The addresses a node knows, after Bitcoin Core's address manager: "new" entries (heard of)
 * and "tried" entries (connected to once) in two tables of fixed-size buckets.
 *
 * <p><b>Design.</b> A new entry goes to one of {@code newBuckets} buckets chosen by a keyed
 * hash of its network group (/16 IPv4, /32 IPv6) and of the group of the peer that told us,
 * such that one source group reaches at most {@code bucketsPerSourceGroup} buckets; a tried
 * entry goes to one of {@code triedBuckets} buckets chosen by its own group. The key is random
 * per book, so an attacker cannot aim at a bucket. A full bucket evicts its worst entry (most
 * failures, then least recently seen); a tried entry evicted from a full tried bucket goes
 * back to the new table. So a flood of addresses from one source can only churn its own few
 * new buckets: it never evicts tried entries, and the book never holds more than
 * {@code (newBuckets + triedBuckets) × bucketSize} entries (≈ 200 B each).
 *
 * <p>Each entry tracks last seen, attempts, last success and failure, and a retry time with
 * exponential backoff and jitter. Loopback and private addresses are refused unless
 * {@link Settings#allowLocal()}.
 *
 * <p>Time is passed in (milliseconds) by the caller, so tests control it. Thread-safe: every
 * method takes the book's lock (address-book traffic is per connection and per PEERS
 * message, not per gossip message).
 */
public final class AddressBook {

    private static final Logger log = LoggerFactory.getLogger(AddressBook.class);
    private static final String FILE_HEADER = "reactive-p2p address book v1";

    /**
     * Sizes and policies.
     *
     * @param newBuckets buckets of the new table (default 256)
     * @param triedBuckets buckets of the tried table (default 64)
     * @param bucketSize entries per bucket (default 32)
     * @param bucketsPerSourceGroup new buckets one source group can reach (default 16)
     * @param allowLocal accept loopback and private addresses (tests, local networks); default false
     * @param baseBackoff first retry delay after a failure (default 1 s), doubled per failure
     * @param maxBackoff longest retry delay (default 10 min)
     */
    public record Settings(int newBuckets, int triedBuckets, int bucketSize, int bucketsPerSourceGroup,
                           boolean allowLocal, Duration baseBackoff, Duration maxBackoff) {

        /** Checks every field. */
        public Settings {
            if (newBuckets < 1 || triedBuckets < 1 || bucketSize < 1) {
                throw new IllegalArgumentException("bucket counts and size must be >= 1");
            }
            if (bucketsPerSourceGroup < 1 || bucketsPerSourceGroup > newBuckets) {
                throw new IllegalArgumentException("bucketsPerSourceGroup must be in 1..newBuckets");
            }
            Objects.requireNonNull(baseBackoff, "baseBackoff");
            Objects.requireNonNull(maxBackoff, "maxBackoff");
            if (baseBackoff.isNegative() || maxBackoff.compareTo(baseBackoff) < 0) {
                throw new IllegalArgumentException("need 0 <= baseBackoff <= maxBackoff");
            }
        }

        /** The defaults, for a public network. */
        public static Settings defaults() {
            return new Settings(256, 64, 32, 16, false, Duration.ofSeconds(1), Duration.ofMinutes(10));
        }

        /** A copy that accepts or refuses loopback and private addresses. */
        public Settings withAllowLocal(boolean allowLocal) {
            return new Settings(newBuckets, triedBuckets, bucketSize, bucketsPerSourceGroup, allowLocal, baseBackoff,
                    maxBackoff);
        }

        /**
         * The delay before retrying an address after its {@code failures}-th failure in a row:
         * {@code min(maxBackoff, baseBackoff × 2^(failures − 1))}, times a jitter factor in
         * [0.5, 1.5) drawn from {@code random}.
         */
        public long backoffMillis(int failures, RandomGenerator random) {
            long backoff = Math.min(maxBackoff.toMillis(), baseBackoff.toMillis() << Math.min(failures - 1, 30));
            return (long) (backoff * (0.5 + random.nextDouble()));
        }

        /** The most entries the book can hold. */
        public int capacity() {
            return (newBuckets + triedBuckets) * bucketSize;
        }
    }

    /** What the book knows of an address; a snapshot. */
    public record Entry(InetSocketAddress address, NodeId nodeId, boolean tried, long lastSeenMillis, int attempts,
                        long lastSuccessMillis, long lastFailureMillis, long retryAtMillis) {
    }

    private static final class Slot {
        final InetSocketAddress address;
        final long group;
        NodeId nodeId;
        boolean tried;
        int bucket;
        long lastSeen;
        int attempts;
        long lastSuccess;
        long lastFailure;
        long retryAt;

        Slot(InetSocketAddress address, long group) {
            this.address = address;
            this.group = group;
        }

        Entry snapshot() {
            return new Entry(address, nodeId, tried, lastSeen, attempts, lastSuccess, lastFailure, retryAt);
        }
    }

    private final Settings settings;
    private final long secret;
    private final RandomGenerator random;
    private final Map<InetSocketAddress, Slot> slots = new HashMap<>();
    private final List<List<Slot>> newTable;
    private final List<List<Slot>> triedTable;

    /** A book with a random bucket key, from the {@link NodeRuntime#system() system}'s secure random. */
    public AddressBook(Settings settings) {
        this(settings, NodeRuntime.system().secureRandom());
    }

    /**
     * A book whose bucket key, picks and jitter come from {@code random}: a node passes its
     * runtime's secure random (an attacker must not guess the key); tests pass a seeded one.
     */
    public AddressBook(Settings settings, RandomGenerator random) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.random = Objects.requireNonNull(random, "random");
        this.secret = random.nextLong();
        this.newTable = buckets(settings.newBuckets());
        this.triedTable = buckets(settings.triedBuckets());
    }

    private static List<List<Slot>> buckets(int n) {
        List<List<Slot>> table = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            table.add(new ArrayList<>());
        }
        return table;
    }

    /** The settings. */
    public Settings settings() {
        return settings;
    }

    /**
     * Learns an address (from a seed, a PEERS message, or an inbound HELLO's listen port).
     *
     * @param address a resolved address with a port
     * @param nodeId the node's id if known, else {@code null}
     * @param source who told us (its address); for seeds and HELLOs, the address itself
     * @return whether a new entry was created (a known address only has its last-seen time
     *     updated, and its id if it was never connected to: a tried entry's id is the one its
     *     handshake proved)
     */
    public synchronized boolean add(InetSocketAddress address, NodeId nodeId, InetAddress source, long nowMillis) {
        if (!acceptable(address)) {
            return false;
        }
        Slot known = slots.get(address);
        if (known != null) {
            known.lastSeen = Math.max(known.lastSeen, nowMillis);
            if (nodeId != null && !known.tried) {
                known.nodeId = nodeId;
            }
            return false;
        }
        Slot slot = new Slot(address, NetworkGroup.of(address.getAddress()));
        slot.nodeId = nodeId;
        slot.lastSeen = nowMillis;
        insertNew(slot, NetworkGroup.of(Objects.requireNonNull(source, "source")));
        return true;
    }

    private boolean acceptable(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        InetAddress ip = address.getAddress();
        return ip != null && address.getPort() > 0 && (settings.allowLocal() || !NetworkGroup.isLocal(ip));
    }

    private void insertNew(Slot slot, long sourceGroup) {
        int bucket = newBucket(slot.group, sourceGroup);
        List<Slot> list = newTable.get(bucket);
        if (list.size() >= settings.bucketSize()) {
            Slot worst = Collections.max(list, (a, b) -> a.attempts != b.attempts
                    ? Integer.compare(a.attempts, b.attempts) : Long.compare(b.lastSeen, a.lastSeen));
            list.remove(worst);
            slots.remove(worst.address);
        }
        slot.tried = false;
        slot.bucket = bucket;
        list.add(slot);
        slots.put(slot.address, slot);
    }

    /** Records a successful outbound connection: the entry becomes (or stays) tried. */
    public synchronized void markGood(InetSocketAddress address, NodeId nodeId, long nowMillis) {
        if (!acceptable(address)) {
            return;
        }
        Slot slot = slots.get(address);
        if (slot == null) {
            slot = new Slot(address, NetworkGroup.of(address.getAddress()));
            slots.put(address, slot);
        } else if (!slot.tried) {
            newTable.get(slot.bucket).remove(slot);
        }
        slot.nodeId = nodeId != null ? nodeId : slot.nodeId;
        slot.lastSeen = Math.max(slot.lastSeen, nowMillis);
        slot.lastSuccess = nowMillis;
        slot.attempts = 0;
        slot.retryAt = 0;
        if (!slot.tried) {
            int bucket = triedBucket(slot.group);
            List<Slot> list = triedTable.get(bucket);
            if (list.size() >= settings.bucketSize()) {
                Slot oldest = Collections.min(list, (a, b) -> Long.compare(a.lastSuccess, b.lastSuccess));
                list.remove(oldest);
                insertNew(oldest, oldest.group); // back to "new", not forgotten
            }
            slot.tried = true;
            slot.bucket = bucket;
            list.add(slot);
        }
    }

    /**
     * Records a failed connection attempt: the entry backs off for
     * {@link Settings#backoffMillis} of its attempts.
     */
    public synchronized void markFailed(InetSocketAddress address, long nowMillis) {
        Slot slot = slots.get(address);
        if (slot == null) {
            return;
        }
        slot.attempts++;
        slot.lastFailure = nowMillis;
        slot.retryAt = nowMillis + settings.backoffMillis(slot.attempts, random);
    }

    /** Forgets an address (for example one that turned out to be this node's own). */
    public synchronized void remove(InetSocketAddress address) {
        Slot slot = slots.remove(address);
        if (slot != null) {
            (slot.tried ? triedTable : newTable).get(slot.bucket).remove(slot);
        }
    }

    /**
     * Picks an address to dial: one not backing off and not refused by {@code skip} (given the
     * address and the node id if known: connected, banned, or of a network group already
     * used), from the tried or the new table with equal chance when both have candidates.
     */
    public synchronized Optional<InetSocketAddress> select(long nowMillis, BiPredicate<InetSocketAddress, NodeId> skip) {
        List<Slot> tried = new ArrayList<>();
        List<Slot> fresh = new ArrayList<>();
        for (Slot s : slots.values()) {
            if (s.retryAt <= nowMillis && !skip.test(s.address, s.nodeId)) {
                (s.tried ? tried : fresh).add(s);
            }
        }
        List<Slot> from = tried.isEmpty() ? fresh : fresh.isEmpty() ? tried : random.nextBoolean() ? tried : fresh;
        return from.isEmpty() ? Optional.empty() : Optional.of(from.get(random.nextInt(from.size())).address);
    }

    /**
     * A random sample of good addresses with known node ids, for a PEERS answer: tried entries,
     * and new ones that have not failed. Never the asker (its listen address {@code exclude},
     * or its id {@code excludeId}; either may be {@code null}), at most {@code max}.
     */
    public synchronized List<PeerAddress> sample(int max, InetSocketAddress exclude, NodeId excludeId) {
        List<Slot> good = new ArrayList<>();
        for (Slot s : slots.values()) {
            if (s.nodeId != null && (s.tried || s.attempts == 0) && !s.address.equals(exclude)
                    && !s.nodeId.equals(excludeId)) {
                good.add(s);
            }
        }
        for (int i = good.size(); i > 1; i--) { // Collections.shuffle's swaps, from any RandomGenerator
            Collections.swap(good, i - 1, random.nextInt(i));
        }
        List<PeerAddress> out = new ArrayList<>(Math.min(max, good.size()));
        for (int i = 0; i < good.size() && out.size() < max; i++) {
            Slot s = good.get(i);
            out.add(new PeerAddress(s.address.getAddress(), s.address.getPort(), s.nodeId));
        }
        return out;
    }

    /** What the book knows of {@code address}. */
    public synchronized Optional<Entry> entry(InetSocketAddress address) {
        Slot s = slots.get(address);
        return s == null ? Optional.empty() : Optional.of(s.snapshot());
    }

    /** All entries, as snapshots. */
    public synchronized List<Entry> entries() {
        List<Entry> out = new ArrayList<>(slots.size());
        slots.values().forEach(s -> out.add(s.snapshot()));
        return out;
    }

    /** Entries held. */
    public synchronized int size() {
        return slots.size();
    }

    /** Tried entries held. */
    public synchronized int triedCount() {
        int n = 0;
        for (List<Slot> b : triedTable) {
            n += b.size();
        }
        return n;
    }

    // ---- persistence ----

    /**
     * Writes the book to {@code file} atomically (a temporary file in the same directory, then
     * a rename), one entry per line.
     */
    public synchronized void save(Path file) throws IOException {
        StringBuilder out = new StringBuilder(FILE_HEADER).append('\n');
        for (Slot s : slots.values()) {
            out.append(s.tried ? 't' : 'n').append(' ')
                    .append(s.address.getAddress().getHostAddress()).append(' ')
                    .append(s.address.getPort()).append(' ')
                    .append(s.nodeId == null ? "-" : s.nodeId.toHex()).append(' ')
                    .append(s.lastSeen).append(' ')
                    .append(s.lastSuccess).append('\n');
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            Files.writeString(tmp, out, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads a book written by {@link #save} into this one. A missing file reads as empty; a
     * corrupt one is reported (logged) and ignored entirely, never fatal.
     *
     * @return the number of entries read
     */
    public int load(Path file) {
        if (!Files.exists(file)) {
            return 0;
        }
        List<String[]> rows = new ArrayList<>();
        try {
            if (Files.size(file) > 256L * (settings.capacity() + 1)) { // a line is at most ~150 bytes
                throw new IllegalArgumentException("file too large for the book's capacity");
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty() || !lines.get(0).equals(FILE_HEADER)) {
                throw new IllegalArgumentException("not an address book file");
            }
            if (lines.size() - 1 > settings.capacity()) {
                throw new IllegalArgumentException((lines.size() - 1) + " entries, more than the book's capacity");
            }
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(" ");
                if (f.length != 6 || !(f[0].equals("t") || f[0].equals("n"))) {
                    throw new IllegalArgumentException("bad line: " + line);
                }
                rows.add(f);
            }
            for (String[] f : rows) {
                InetSocketAddress address = new InetSocketAddress(literal(f[1]), Integer.parseInt(f[2]));
                NodeId id = f[3].equals("-") ? null : NodeId.fromHex(f[3]);
                long lastSeen = Long.parseLong(f[4]);
                if (f[0].equals("t")) {
                    markGood(address, id, Long.parseLong(f[5]));
                } else {
                    add(address, id, address.getAddress(), lastSeen);
                }
            }
            return rows.size();
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            log.warn("ignoring the address book file {}: {}", file, e.getMessage());
            return 0;
        }
    }

    /** Parses a numeric address without a DNS lookup. */
    private static InetAddress literal(String text) {
        if (!text.matches("[0-9a-fA-F:.%]+")) {
            throw new IllegalArgumentException("not an IP literal: " + text);
        }
        try {
            return InetAddress.getByName(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("not an IP literal: " + text);
        }
    }

    // ---- buckets ----

    private int newBucket(long group, long sourceGroup) {
        long withinSource = Long.remainderUnsigned(mix(secret ^ mix(group)), settings.bucketsPerSourceGroup());
        return (int) Long.remainderUnsigned(mix(secret + mix(sourceGroup) * 31 + withinSource), settings.newBuckets());
    }

    private int triedBucket(long group) {
        return (int) Long.remainderUnsigned(mix(~secret ^ mix(group)), settings.triedBuckets());
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
