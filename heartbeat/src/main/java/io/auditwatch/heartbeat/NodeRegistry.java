package io.auditwatch.heartbeat;

import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracked nodes and their slots, bounded by {@code heartbeat.max-tracked-streams}, and the lookup
 * by node-name bytes the event path uses. Lookups are lock-free; every change runs under the
 * tracker's lock.
 */
final class NodeRegistry {
    private static final Logger log = LoggerFactory.getLogger(NodeRegistry.class);
    private static final byte[] EMPTY = new byte[0];
    /** At most one "cap reached" warning a minute: each refusal is counted anyway. */
    private static final long LOG_INTERVAL_MS = 60_000;

    private final HeartbeatSettings settings;
    private final Inventory inventory;
    private final HeartbeatMetrics metrics;
    private final Clock clock;
    private final Map<String, NodeSpec> specs = new HashMap<>();
    private final ConcurrentMap<NodeKey, NodeEntry> nodes;
    private final ThreadLocal<NodeKey> probe = ThreadLocal.withInitial(() -> new NodeKey(EMPTY));
    private volatile int tracked;
    private long lastRefusedLogMs = Long.MIN_VALUE / 2;

    NodeRegistry(HeartbeatSettings settings, Inventory inventory, HeartbeatMetrics metrics, Clock clock) {
        this.settings = settings;
        this.inventory = inventory;
        this.metrics = metrics;
        this.clock = clock;
        int expected = inventory.expectedStreamCount();
        if (expected > settings.maxTrackedStreams()) {
            throw new HeartbeatConfigException("heartbeat.max-tracked-streams", "the inventory expects " + expected
                    + " (node, stream) pairs, more than the cap of " + settings.maxTrackedStreams());
        }
        for (NodeSpec spec : inventory.nodes()) {
            specs.put(spec.name(), spec);
        }
        // Unbounded on purpose: evicting a node would forget a silent one. The cap is enforced on enrolment.
        this.nodes = Caffeine.newBuilder().initialCapacity(Math.max(16, expected / 2)).<NodeKey, NodeEntry>build().asMap();
    }

    /** The event path's lookup: no String, no allocation (a thread-confined probe key). */
    NodeEntry get(byte[] name) {
        return nodes.get(probe.get().point(name));
    }

    NodeEntry get(String name) {
        return nodes.get(new NodeKey(name.getBytes(StandardCharsets.UTF_8)));
    }

    NodeSpec spec(String name) {
        return specs.get(name);
    }

    Collection<NodeSpec> inventoryNodes() {
        return inventory.nodes();
    }

    Collection<NodeEntry> all() {
        return nodes.values();
    }

    List<NodeEntry> snapshotOfAll() {
        return new ArrayList<>(nodes.values());
    }

    int tracked() {
        return tracked;
    }

    /** True (and counted, and logged at most once a minute) when no further pair may be tracked. */
    boolean refuse(String node) {
        return refused(node, tracked >= settings.maxTrackedStreams());
    }

    /**
     * {@link #refuse} for a node not yet tracked. Nodes count too: one without a slot (its streams not
     * enrolled) still holds its name, so at most {@code heartbeat.max-tracked-streams} nodes of at most
     * {@link NodeNames#MAX_BYTES} bytes each are enrolled.
     */
    boolean refuseNode(String node) {
        return refused(node, tracked >= settings.maxTrackedStreams() || nodes.size() >= settings.maxTrackedStreams());
    }

    private boolean refused(String node, boolean full) {
        if (!full) {
            return false;
        }
        metrics.refused();
        long now = clock.millis();
        if (now - lastRefusedLogMs >= LOG_INTERVAL_MS) {
            lastRefusedLogMs = now;
            log.warn("not tracking node \"{}\": heartbeat.max-tracked-streams={} reached (counted in "
                    + "auditwatch_heartbeat_enrolments_refused_total)", NodeNames.forLog(node), settings.maxTrackedStreams());
        }
        return true;
    }

    /**
     * True (and counted) when a node outside the inventory has a name heartbeat does not track
     * ({@link NodeNames#trackable}): the ingest side never names a node so, but the state topic and
     * {@code audit.events} can hold records written before that rule or by another producer.
     */
    boolean refuseName(String node) {
        if (specs.containsKey(node) || NodeNames.trackable(node)) {
            return false;
        }
        metrics.refusedName();
        return true;
    }

    /** An inventory node with its expected slots in PENDING; the caller arms them. */
    NodeEntry addInventoryNode(NodeSpec spec, int partition) {
        NodeEntry n = new NodeEntry(spec.name(), spec.role(), true, partition);
        for (Map.Entry<Stream, Duration> e : inventory.expectedStreams(spec).entrySet()) {
            addSlot(n, e.getKey(), e.getValue().toMillis(), true, StreamState.PENDING);
        }
        nodes.put(n, n);
        return n;
    }

    /** A node outside the inventory, no slots yet; the caller checked {@link #refuse}. */
    NodeEntry addEnrolledNode(String name, int partition) {
        NodeEntry n = new NodeEntry(name, null, false, partition);
        nodes.put(n, n);
        return n;
    }

    /** A slot of an enrolled node with the default threshold, or null when not tracked (inventory node, stream not enrolled, cap). */
    Slot addEnrolledSlot(NodeEntry n, Stream stream) {
        if (n.expected || !settings.enrolStreams().contains(stream) || refuse(n.name)) {
            return null;
        }
        return addSlot(n, stream, settings.defaultThreshold().toMillis(), false, StreamState.HEALTHY);
    }

    private Slot addSlot(NodeEntry n, Stream stream, long thresholdMs, boolean expected, StreamState initial) {
        Slot s = new Slot(n, stream, thresholdMs, expected, initial);
        n.slots[stream.ordinal()] = s;
        tracked++;
        metrics.track(s);
        return s;
    }

    /** Forgets the node and its gauges; the caller has disarmed its slots. */
    void remove(NodeEntry n) {
        n.removed = true;
        nodes.remove(n);
        for (Slot s : n.slots) {
            if (s != null) {
                metrics.untrack(s);
                tracked--;
            }
        }
        metrics.nodeState(n.reported, null);
    }
}
