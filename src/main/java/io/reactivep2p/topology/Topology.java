package io.reactivep2p.topology;

import io.reactivep2p.P2pNode;
import io.reactivep2p.peer.PeerEvent;
import io.reactivep2p.protocol.NodeId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Links between nodes numbered {@code 0..nodes-1}: each {@link Link} says which node dials
 * which. Immutable.
 *
 * <pre>{@code
 * Topology topology = Topology.random(nodes.size(), 8, new Random(seed));   // the same seed, the same graph
 * topology.connect(nodes, Duration.ofSeconds(30)).block();                   // every link up on both sides
 * }</pre>
 */
public final class Topology {

    /** How many dials {@link #connect} has in flight at once. */
    static final int DIAL_CONCURRENCY = 8;

    private final int nodes;
    private final List<Link> links;

    /**
     * Node {@code from} dials node {@code to}.
     *
     * @param from the dialling node's index
     * @param to the dialled node's index
     */
    public record Link(int from, int to) {
    }

    private Topology(int nodes, List<Link> links) {
        this.nodes = nodes;
        this.links = List.copyOf(links);
    }

    /**
     * A random connected graph: a random tree first (node {@code i} dials one of the nodes
     * before it, so every node is reached), then random links between distinct pairs until
     * there are about {@code degree} per node ({@code nodes × degree / 2} links, at most every
     * pair). The tree comes first, so some nodes have fewer than {@code degree} links and a few
     * more. The graph depends only on the arguments and on what {@code random} draws: the same
     * seed gives the same graph, and the draws after it are the same too.
     *
     * @throws IllegalArgumentException if {@code nodes} or {@code degree} is below 1
     */
    public static Topology random(int nodes, int degree, RandomGenerator random) {
        if (nodes < 1 || degree < 1) {
            throw new IllegalArgumentException("nodes and degree must be >= 1, got " + nodes + " and " + degree);
        }
        Objects.requireNonNull(random, "random");
        List<Link> links = new ArrayList<>();
        Set<Long> pairs = new HashSet<>();
        for (int i = 1; i < nodes; i++) {
            int j = random.nextInt(i);
            pairs.add((long) j * nodes + i);
            links.add(new Link(i, j));
        }
        long wanted = Math.min((long) nodes * (nodes - 1) / 2, (long) nodes * degree / 2);
        while (pairs.size() < wanted) {
            int i = random.nextInt(nodes);
            int j = random.nextInt(nodes);
            if (i != j && pairs.add((long) Math.min(i, j) * nodes + Math.max(i, j))) {
                links.add(new Link(i, j));
            }
        }
        return new Topology(nodes, links);
    }

    /**
     * A topology of the given links.
     *
     * @throws IllegalArgumentException for a link out of {@code 0..nodes-1}, to itself, or
     *     between a pair already linked
     */
    public static Topology of(int nodes, List<Link> links) {
        Set<Long> pairs = new HashSet<>();
        for (Link l : links) {
            if (l.from() < 0 || l.to() < 0 || l.from() >= nodes || l.to() >= nodes || l.from() == l.to()
                    || !pairs.add((long) Math.min(l.from(), l.to()) * nodes + Math.max(l.from(), l.to()))) {
                throw new IllegalArgumentException("link " + l + " is not a new link between two of " + nodes
                        + " nodes");
            }
        }
        return new Topology(nodes, links);
    }

    /** The number of nodes. */
    public int nodes() {
        return nodes;
    }

    /** The links, in the order they were drawn or given. */
    public List<Link> links() {
        return links;
    }

    /**
     * Dials every link ({@value #DIAL_CONCURRENCY} at a time), and completes once each is up on
     * both sides: the dialler has admitted the node it dialled, and that node the dialler.
     * Errors with the dial's error if one fails, or with an {@link IllegalStateException}
     * saying how many links were up if they are not all up within {@code timeout} (measured on
     * the first node's runtime timers). Lazy: dials on subscription.
     *
     * @param running started nodes, as many as this topology's, in its order
     */
    public Mono<Void> connect(List<P2pNode> running, Duration timeout) {
        return connect(running, timeout, DIAL_CONCURRENCY);
    }

    /**
     * {@link #connect(List, Duration)} with {@code concurrency} dials in flight at once (a
     * simulation, whose dials cost no sockets, brings a large network up faster with more).
     */
    public Mono<Void> connect(List<P2pNode> running, Duration timeout, int concurrency) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be >= 1, got " + concurrency);
        }
        if (running.size() != nodes) {
            throw new IllegalArgumentException("a topology of " + nodes + " nodes, given " + running.size());
        }
        Objects.requireNonNull(timeout, "timeout");
        return Mono.defer(() -> {
            AtomicInteger up = new AtomicInteger();
            return Flux.fromIterable(links)
                    .flatMap(l -> {
                        P2pNode from = running.get(l.from());
                        P2pNode to = running.get(l.to());
                        // The dialled side's admission is awaited from before the dial: it may come first.
                        return Mono.when(admitted(to, from.id()), from.connect(to.address()))
                                .doOnSuccess(v -> up.incrementAndGet());
                    }, concurrency)
                    .then()
                    .timeout(timeout, Mono.error(() -> new IllegalStateException("the network did not come up: "
                            + up.get() + " of " + links.size() + " links after " + timeout)),
                            running.get(0).config().runtime().timers());
        });
    }

    /** Completes once {@code node} has admitted the peer {@code id}, at once if it has already. */
    private static Mono<Void> admitted(P2pNode node, NodeId id) {
        Flux<Object> connected = node.peerEvents()
                .filter(e -> e.type() == PeerEvent.Type.CONNECTED && e.peer().id().equals(id))
                .cast(Object.class);
        Flux<Object> already = Flux.defer(() -> node.peerManager().peer(id) != null ? Flux.just(id) : Flux.empty());
        return connected.mergeWith(already).next().then();
    }

    @Override
    public String toString() {
        return "Topology{" + nodes + " nodes, " + links.size() + " links}";
    }
}
