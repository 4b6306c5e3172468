package io.auditwatch.heartbeat;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertKind;
import io.auditwatch.alerting.AlertSink;
import io.auditwatch.alerting.OwnedAlertSink;
import io.auditwatch.heartbeat.compliance.ComplianceTracker;
import io.auditwatch.heartbeat.compliance.NodeRules;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last-seen per (node, stream) and the silence / recovery judgement (heartbeat/README.md). Pure and clock-driven:
 * {@link #onEvent} records what arrived, {@link #evaluate()} (every second in production, after
 * {@code ManualClock.advance} in tests) moves states and hands transitions to the {@link AlertSink}.
 *
 * <p>Event path: one map lookup by the node header's bytes (no String), an array index by stream, a
 * few field writes; no lock and no allocation unless something needs judging (a stream that is not
 * HEALTHY, a gap, a lag crossing), in which case the slot is queued once for the next evaluation.
 *
 * <p>Deadlines: a priority queue re-armed lazily ({@link SlotJudge}); a tick costs O(expired), not
 * O(tracked) (100,000 streams with 15m thresholds: about 110 pops a second).
 *
 * <p>Thread safety: {@code onEvent} may run on any thread (one per partition in practice); every
 * other method takes the tracker's lock. The sink is called under that lock and must not block.
 */
public final class HeartbeatTracker {
    private static final Logger log = LoggerFactory.getLogger(HeartbeatTracker.class);
    /** The kinds of node alert a tracker raises: those that belong to the node's partition owner. */
    public static final Set<AlertKind> RAISES = java.util.Collections.unmodifiableSet(java.util.EnumSet.of(AlertKind.NODE_SILENT,
            AlertKind.STREAM_SILENT, AlertKind.NODE_NEVER_SEEN, AlertKind.AUDIT_DISABLED, AlertKind.EVENT_LAG,
            AlertKind.AUDIT_RULE_MISSING, AlertKind.AUDIT_CONFIG_CHANGED));
    /** At most one warning a minute per kind of bad input: counted always, logged bounded. */
    private static final long LOG_INTERVAL_MS = 60_000;

    private final HeartbeatSettings settings;
    private final Clock clock;
    private final HeartbeatMetrics metrics;
    private final AlertPlanner planner;
    private final SlotJudge judge;
    private final PipelineHold hold;
    private final Inventory inventory;
    private final long startMs;
    private final long lagThresholdMs;
    private final NodeRegistry nodes;
    private final ComplianceTracker compliance;
    private final ConcurrentLinkedQueue<Slot> attention = new ConcurrentLinkedQueue<>();
    private final Set<NodeEntry> touched = new LinkedHashSet<>();
    private final Set<NodeEntry> changed = new LinkedHashSet<>();
    private final List<NodeSnapshot> tombstones = new ArrayList<>();
    private boolean wasHeld;
    private ToIntFunction<String> partitioner;
    private final Set<Integer> owned = new HashSet<>();
    /** Partitions adopted whose open alerts alerting has not yet been told of (after the first judgement). */
    private final Set<Integer> unreconciled = new HashSet<>();
    private final AlertSink sink;
    private volatile long lastInvalidLogMs = Long.MIN_VALUE / 2;

    /**
     * Standalone mode: owns every node (no consumer group). {@link HeartbeatConsumer} switches it to
     * partitioned mode with {@link #usePartitions}.
     *
     * @throws HeartbeatConfigException for invalid settings or inventory, or an inventory larger than
     *     {@code heartbeat.max-tracked-streams}
     */
    public HeartbeatTracker(HeartbeatSettings settings, Inventory inventory, Clock clock, AlertSink sink,
            HeartbeatMetrics metrics) {
        this.settings = settings.validate();
        this.inventory = inventory.validate();
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.planner = new AlertPlanner(sink, metrics, settings);
        this.startMs = clock.millis();
        this.lagThresholdMs = settings.eventLagThreshold().toMillis();
        this.hold = new PipelineHold(settings.consumerLagBound());
        this.judge = new SlotJudge(settings, planner, startMs, touched, changed, this::attend, hold::pipelineUp);
        this.nodes = new NodeRegistry(this.settings, this.inventory, metrics, clock);
        Set<String> addressed = new HashSet<>();
        inventory.nodes().stream().filter(s -> !s.addresses().isEmpty()).forEach(s -> addressed.add(s.name()));
        this.compliance = new ComplianceTracker(addressed, clock, sink, name -> {
            NodeEntry n = nodes.get(name);
            return n != null && n.inMaintenance();
        });
        synchronized (this) {
            for (NodeSpec spec : inventory.nodes()) {
                addInventoryNode(spec, -1);
            }
        }
    }

    // ---------------------------------------------------------------- event path

    /**
     * Records one {@code audit.events} record from its raw header values (see {@link EventHeaders}).
     * Bad headers are counted by reason, never thrown. The arrays are read, not kept.
     *
     * @param partition the record's partition, or -1 outside Kafka
     */
    public void onHeaders(byte[] node, byte[] stream, byte[] received, byte[] sent, byte[] component, byte[] pulse,
            int partition) {
        onHeaders(node, stream, received, sent, component, pulse, null, partition);
    }

    /**
     * Records one record of events or one liveness summary from its raw header values (see
     * {@link EventHeaders}); {@code count} is its {@value EventHeaders#COUNT} header (null: one event).
     * Bad headers are counted by reason, never thrown. The arrays are read, not kept.
     *
     * @param partition the record's partition, or -1 outside Kafka
     */
    public void onHeaders(byte[] node, byte[] stream, byte[] received, byte[] sent, byte[] component, byte[] pulse,
            byte[] count, int partition) {
        if (node == null || node.length == 0) {
            invalid(HeartbeatMetrics.InvalidReason.MISSING_NODE, partition);
            return;
        }
        if (stream == null) {
            invalid(HeartbeatMetrics.InvalidReason.MISSING_STREAM, partition);
            return;
        }
        long receivedMs = EventHeaders.decodeMillis(received);
        if (receivedMs == Long.MIN_VALUE) {
            invalid(HeartbeatMetrics.InvalidReason.MISSING_RECEIVED, partition);
            return;
        }
        Stream s = EventHeaders.decodeStream(stream);
        if (s == null) {
            // Still liveness of the node: tracked as "other" so a newer ingest cannot make nodes look silent.
            invalid(HeartbeatMetrics.InvalidReason.UNKNOWN_STREAM, partition);
            s = Stream.OTHER;
        }
        record(node, s, receivedMs, EventHeaders.decodeMillis(sent), EventHeaders.isUcpController(component),
                EventHeaders.isPulse(pulse), count == null ? 1 : EventHeaders.decodeCount(count), partition);
    }

    /**
     * Records one event. O(1), lock-free, allocation-free for a tracked, healthy stream.
     *
     * @param node node identity, UTF-8
     * @param receivedMs collector receive time, epoch ms: the only clock liveness is judged on
     * @param sentMs sender's time, epoch ms, or {@code Long.MIN_VALUE} when unknown (lag only)
     * @param controller the line came from ucp-controller (evidence the node is alive for AUDIT_DISABLED)
     * @param pulse an auditwatch-pulse: counts as liveness of the auditd stream whatever its stream header
     */
    public void onEvent(byte[] node, Stream stream, long receivedMs, long sentMs, boolean controller, boolean pulse,
            int partition) {
        record(node, stream, receivedMs, sentMs, controller, pulse, 1, partition);
    }

    /** {@link #onEvent} for a record that stands for {@code count} events (a liveness summary). */
    private void record(byte[] node, Stream stream, long receivedMs, long sentMs, boolean controller, boolean pulse,
            long count, int partition) {
        metrics.events(stream, count);
        if (pulse) {
            metrics.pulse();
            stream = Stream.AUDITD;
        }
        NodeEntry n = nodes.get(node);
        if (n == null && (n = enrolNode(node, partition)) == null) {
            return;
        }
        if (partition >= 0 && n.partition != partition) {
            n.partition = partition;
        }
        if (controller && stream != Stream.UCP_AUDIT) {
            if (receivedMs > n.controllerSeenMs) {
                n.controllerSeenMs = receivedMs;
            }
            Slot ucp = n.slots[Stream.UCP_AUDIT.ordinal()];
            if (ucp != null && ucp.state == StreamState.SILENT && !ucp.auditDisabled) {
                attend(ucp);
            }
        }
        Slot s = n.slots[stream.ordinal()];
        if (s == null && (s = enrolStream(n, stream)) == null) {
            return;
        }
        long prev = s.lastSeenMs;
        if (receivedMs > prev) {
            s.lastSeenMs = receivedMs;
            if (s.state != StreamState.HEALTHY) {
                if (s.recoveredAtMs == Slot.NONE) {
                    s.recoveredAtMs = receivedMs;
                }
                attend(s);
            } else if (prev != Slot.NONE && receivedMs - prev >= s.thresholdMs && s.gapFromMs == Slot.NONE) {
                s.gapToMs = receivedMs;
                s.gapFromMs = prev;
                attend(s);
            }
        }
        if (sentMs != Long.MIN_VALUE) {
            long lag = receivedMs - sentMs;
            s.lagMs = lag;
            if (lag > s.peakLagMs) {
                s.peakLagMs = lag;
            }
            if ((lag > lagThresholdMs) != s.lagHigh) {
                attend(s);
            }
        }
    }

    /**
     * Records the compliance headers of one event (heartbeat/README.md, "Compliance: CIS rule state and
     * audit changes"): a v=2 pulse's rule state, or a change auditd recorded, which alerts at once. Called
     * only for records that carry one of them, about one a minute per node, after {@link #onHeaders} for
     * the same record: a node this instance does not track (unknown-node policy, tracking cap, another
     * instance's partition) is ignored, so compliance state is bounded like the rest.
     */
    public synchronized void onCompliance(byte[] node, byte[] cis, byte[] change, byte[] source, long receivedMs) {
        if (node == null || nodes.get(node) == null) {
            return;
        }
        if (!compliance.onHeaders(node, cis, change, source, receivedMs)) {
            metrics.untrustedCompliance();
        }
        for (String name : compliance.drainChanged()) {
            NodeEntry n = nodes.get(name);
            if (n != null) {
                changed.add(n);
            }
        }
    }

    /** The node's CIS rule state, every control unknown when it never reported. */
    public synchronized NodeRules rules(String node) {
        return compliance.rules(node);
    }

    /** Convenience for tests and in-process callers; allocates. */
    public void onEvent(String node, Stream stream, Instant received, Instant sent) {
        onEvent(node.getBytes(StandardCharsets.UTF_8), stream, received.toEpochMilli(),
                sent == null ? Long.MIN_VALUE : sent.toEpochMilli(), false, false, -1);
    }

    private void invalid(HeartbeatMetrics.InvalidReason reason, int partition) {
        metrics.invalid(reason);
        long now = clock.millis();
        if (now - lastInvalidLogMs >= LOG_INTERVAL_MS) {
            lastInvalidLogMs = now; // racy on purpose: at worst two lines instead of one
            log.warn("record on partition {} without usable heartbeat headers ({}); counted in "
                    + "auditwatch_heartbeat_invalid_records_total, further ones logged at most once a minute", partition, reason);
        }
    }

    private void attend(Slot s) {
        if (s.claimAttention()) {
            attention.add(s);
        }
    }

    private NodeEntry enrolNode(byte[] nodeBytes, int partition) {
        String name = new String(nodeBytes, StandardCharsets.UTF_8);
        NodeSpec spec = nodes.spec(name);
        if (spec == null && settings.unknownNodes() == UnknownNodePolicy.IGNORE) {
            metrics.ignored();
            return null;
        }
        synchronized (this) {
            NodeEntry n = nodes.get(nodeBytes);
            if (n != null) {
                return n;
            }
            if (spec != null) {
                return addInventoryNode(spec, partition);
            }
            if (nodes.refuseName(name) || nodes.refuseNode(name)) {
                return null;
            }
            log.info("enrolled node \"{}\" on first sight (partition {})", NodeNames.forLog(name), partition);
            return nodes.addEnrolledNode(name, partition);
        }
    }

    private Slot enrolStream(NodeEntry n, Stream stream) {
        if (n.expected || !settings.enrolStreams().contains(stream)) {
            return null; // inventory nodes are judged on the streams their role names, nothing else
        }
        synchronized (this) {
            Slot s = n.slots[stream.ordinal()];
            if (s != null || n.removed || (s = nodes.addEnrolledSlot(n, stream)) == null) {
                return s;
            }
            judge.arm(s, clock.millis() + s.thresholdMs);
            attend(s);
            return s;
        }
    }

    private NodeEntry addInventoryNode(NodeSpec spec, int partition) {
        NodeEntry n = nodes.addInventoryNode(spec, partition);
        for (Slot s : n.slots) {
            if (s != null) {
                judge.arm(s, startMs + settings.gracePeriod().toMillis());
            }
        }
        touched.add(n);
        return n;
    }

    // ---------------------------------------------------------------- evaluation

    /**
     * Judges every slot whose deadline passed and every slot the event path flagged, then fires and
     * resolves alerts. Call every second: silence is reported within threshold + 1 s.
     */
    public synchronized void evaluate() {
        long now = clock.millis();
        boolean held = held();
        judge.judgeDue(now);
        Slot s;
        while ((s = attention.poll()) != null) {
            s.clearAttention();
            judge.attended(s, now);
        }
        if (held != wasHeld) {
            wasHeld = held;
            metrics.held(held);
            if (!held) {
                touched.addAll(nodes.all()); // silences that are real fire now
            }
        }
        if (!touched.isEmpty()) {
            for (NodeEntry n : touched) {
                if (!n.removed && planner.reconcile(n, now, held)) {
                    changed.add(n);
                }
            }
            touched.clear();
        }
        if (!held && !unreconciled.isEmpty()) {
            reconcileAlerting();
        }
    }

    /**
     * Tells alerting which alerts the newly adopted partitions' nodes hold open, once they have been
     * judged on caught-up data: the previous owner may have died between its heartbeat state and its
     * alert state reaching Kafka (heartbeat/README.md, "Several instances").
     */
    private void reconcileAlerting() {
        if (sink instanceof OwnedAlertSink o) {
            List<AlertEvent> open = new ArrayList<>();
            for (NodeEntry n : nodes.all()) {
                if (unreconciled.contains(n.partition) && !n.removed) {
                    for (NodeSnapshot.OpenAlert a : n.open.values()) {
                        open.add(planner.restored(n, a));
                    }
                    open.addAll(compliance.openEvents(n.name));
                }
            }
            o.reconcile(Set.copyOf(unreconciled), open);
        }
        unreconciled.clear();
    }

    // ---------------------------------------------------------------- maintenance and decommission

    /**
     * Puts a node into maintenance until {@code until}: its open alerts are closed (RESOLVED with the
     * reason, so "still silent" repeats stop) and no alert is raised for it until then. Extending a
     * running maintenance just moves its end. When it ends, each stream is judged at once on its
     * last-seen, so a node still silent after maintenance alerts immediately.
     *
     * @throws IllegalArgumentException when the node is not tracked by this instance or {@code until} is not in the future
     */
    public synchronized void setMaintenance(String node, Instant until, String reason) {
        NodeEntry n = require(node);
        long now = clock.millis();
        if (until.toEpochMilli() <= now) {
            throw new IllegalArgumentException("maintenance end " + until + " is not in the future");
        }
        if (!n.inMaintenance()) {
            planner.resolveAll(n, now, "maintenance until " + until + (reason == null ? "" : ": " + reason));
            for (Slot s : n.slots) {
                if (s != null) {
                    s.state = StreamState.MAINTENANCE;
                    s.silentSinceMs = Slot.NONE;
                    s.auditDisabled = false;
                    s.lagHigh = false;
                }
            }
        }
        n.maintenanceUntilMs = until.toEpochMilli();
        n.maintenanceReason = reason;
        for (Slot s : n.slots) {
            if (s != null) {
                judge.arm(s, n.maintenanceUntilMs);
            }
        }
        log.info("node \"{}\" in maintenance until {}: {}", NodeNames.forLog(node), until, NodeNames.forLog(reason));
        judge.touch(n);
        evaluate();
    }

    /**
     * Ends a node's maintenance now.
     *
     * @return false when it was not in maintenance
     * @throws IllegalArgumentException when the node is not tracked by this instance
     */
    public synchronized boolean endMaintenance(String node) {
        NodeEntry n = require(node);
        if (!n.inMaintenance()) {
            return false;
        }
        judge.exitMaintenance(n, clock.millis());
        evaluate();
        return true;
    }

    /**
     * Forgets a node: its open alerts are RESOLVED with reason "decommissioned" (an alert nobody can
     * clear would repeat forever), its gauges are removed and its state-topic record is tombstoned.
     * A node still in the inventory comes back at the next start or rebalance, and any node that
     * sends again is enrolled again (unknown-node policy): remove it from {@code nodes.yaml} and stop
     * its senders first.
     *
     * @return false when this instance does not track the node
     */
    public synchronized boolean decommission(String node) {
        NodeEntry n = nodes.get(node);
        if (n == null) {
            return false;
        }
        planner.resolveAll(n, clock.millis(), "decommissioned by an operator");
        remove(n);
        compliance.remove(n.name);
        if (partitioner != null) {
            tombstones.add(NodeSnapshot.removed(n.name, n.partition));
        }
        log.info("node \"{}\" decommissioned", NodeNames.forLog(node));
        return true;
    }

    private void remove(NodeEntry n) {
        for (Slot s : n.slots) {
            if (s != null) {
                judge.disarm(s);
            }
        }
        nodes.remove(n);
        changed.remove(n);
        touched.remove(n);
    }

    private NodeEntry require(String node) {
        NodeEntry n = nodes.get(node);
        if (n == null) {
            throw new IllegalArgumentException("node '" + node + "' is not tracked by this instance");
        }
        return n;
    }

    // ---------------------------------------------------------------- pipeline awareness

    /**
     * Ingest reports that events cannot reach Kafka. Node alerts are held (per-node silence is not the
     * root cause; ingest raises KAFKA_UNREACHABLE itself) and gaps found meanwhile are not reported.
     */
    public void pipelineDegraded(String reason) {
        hold.degraded(reason);
    }

    /** Ingest reports the pipeline healthy again: the next evaluation re-judges every node. */
    public void pipelineHealthy() {
        hold.healthy();
    }

    /** The consumer has not yet read up to the end offsets captured at partition assignment. */
    public void catchingUp(boolean catchingUp) {
        hold.catchingUp(catchingUp);
    }

    /**
     * The consumer's lag (records behind the end of {@code audit.events}). Above
     * {@code heartbeat.consumer-lag-bound} one CONSUMER_LAG alert fires and node alerts are held;
     * it resolves when the lag is back under the bound.
     */
    public synchronized void reportConsumerLag(long records) {
        metrics.consumerLag(records);
        AlertEvent e = hold.consumerLag(records, clock.millis());
        if (e != null) {
            planner.emit(e);
        }
    }

    /** True while node alerts are held back: pipeline degraded, consumer lagging, or catching up. */
    public boolean held() {
        return hold.held();
    }

    // ---------------------------------------------------------------- administrative view

    /** Every node this instance tracks, by name. */
    public synchronized List<NodeStatus> nodes() {
        long now = clock.millis();
        List<NodeStatus> out = new ArrayList<>();
        for (NodeEntry n : nodes.all()) {
            out.add(Snapshots.status(n, now, compliance.rules(n.name)));
        }
        out.sort(Comparator.comparing(NodeStatus::node));
        return out;
    }

    /** One node, if this instance tracks it. */
    public synchronized Optional<NodeStatus> node(String name) {
        NodeEntry n = nodes.get(name);
        return n == null ? Optional.empty() : Optional.of(Snapshots.status(n, clock.millis(), compliance.rules(name)));
    }

    /** Tracked (node, stream) pairs; at most {@code heartbeat.max-tracked-streams}. */
    public int trackedStreams() {
        return nodes.tracked();
    }

    // ---------------------------------------------------------------- persistence and ownership

    /**
     * Switches to partitioned mode (consumer group): forgets every node and owns none until
     * {@link #adopt}. Inventory nodes belong to {@code partitionOfNode.applyAsInt(name)}, the partition
     * their events are keyed to.
     */
    public synchronized void usePartitions(ToIntFunction<String> partitionOfNode) {
        for (NodeEntry n : nodes.snapshotOfAll()) {
            remove(n);
        }
        owned.clear();
        partitioner = Objects.requireNonNull(partitionOfNode);
    }

    /**
     * Takes ownership of partitions: restores the given snapshots (read from the state topic) and
     * adds the inventory nodes of those partitions that have none. Restored open alerts are not
     * fired again; call {@link #catchingUp(boolean) catchingUp(true)} first so nothing is judged on
     * restored times until the consumer has read the events that were still in the topic.
     */
    public synchronized void adopt(Collection<Integer> partitions, Collection<NodeSnapshot> restored) {
        owned.addAll(partitions);
        unreconciled.addAll(partitions);
        long now = clock.millis();
        for (NodeSnapshot snap : restored) {
            if (snap.removed() || !partitions.contains(snap.partition())
                    || nodes.get(snap.node()) != null) {
                continue;
            }
            NodeSpec spec = nodes.spec(snap.node());
            NodeEntry n;
            if (spec != null) {
                n = addInventoryNode(spec, snap.partition());
            } else if (nodes.refuseName(snap.node()) || nodes.refuseNode(snap.node())) {
                continue; // the same bounds as enrolment: the state topic is no way around them
            } else {
                n = nodes.addEnrolledNode(snap.node(), snap.partition());
            }
            Snapshots.restore(n, snap, nodes::addEnrolledSlot);
            compliance.restore(snap.node(), snap.rules());
            for (Slot s : n.slots) {
                if (s != null && (s.state == StreamState.HEALTHY || s.state == StreamState.PENDING
                        || s.state == StreamState.MAINTENANCE)) {
                    judge.arm(s, now);
                }
            }
            touched.add(n);
        }
        for (NodeSpec spec : inventory.nodes()) {
            int p = partitioner.applyAsInt(spec.name());
            if (partitions.contains(p) && nodes.get(spec.name()) == null) {
                addInventoryNode(spec, p);
            }
        }
    }

    /**
     * Gives up partitions (revoked or lost): their nodes are forgotten without any alert, and their
     * final snapshots returned so the consumer can write them before the new owner reads them.
     */
    public synchronized List<NodeSnapshot> release(Collection<Integer> partitions) {
        owned.removeAll(partitions);
        unreconciled.removeAll(partitions);
        List<NodeSnapshot> out = new ArrayList<>();
        for (NodeEntry n : nodes.snapshotOfAll()) {
            if (partitions.contains(n.partition)) {
                out.add(Snapshots.of(n, compliance.snapshot(n.name)));
                remove(n);
                compliance.remove(n.name);
            }
        }
        return out;
    }

    /**
     * Snapshots to write to the state topic: nodes with a transition since the last call, tombstones
     * of decommissioned nodes, and with {@code progress} also every node whose last-seen moved
     * (the periodic flush, {@code heartbeat.state-flush-interval}).
     */
    public synchronized List<NodeSnapshot> drainChanges(boolean progress) {
        List<NodeSnapshot> out = new ArrayList<>(tombstones);
        tombstones.clear();
        if (progress) {
            for (NodeEntry n : nodes.all()) {
                for (Slot s : n.slots) {
                    if (s != null && s.lastSeenMs != s.flushedLastSeenMs) {
                        changed.add(n);
                        break;
                    }
                }
            }
        }
        for (NodeEntry n : changed) {
            out.add(Snapshots.of(n, compliance.snapshot(n.name)));
        }
        changed.clear();
        return out;
    }

    /** Partitions this instance owns in partitioned mode. */
    public synchronized Set<Integer> ownedPartitions() {
        return Set.copyOf(owned);
    }
}
