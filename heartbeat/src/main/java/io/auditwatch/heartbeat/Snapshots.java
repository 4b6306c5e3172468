package io.auditwatch.heartbeat;

import io.auditwatch.heartbeat.NodeSnapshot.OpenAlert;
import io.auditwatch.heartbeat.NodeSnapshot.StreamSnapshot;
import io.auditwatch.heartbeat.compliance.NodeRules;
import io.auditwatch.heartbeat.compliance.RuleSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/** Conversions between a node's live entry and its persisted and administrative views. */
final class Snapshots {
    private Snapshots() {
    }

    /** The persisted view with the node's compliance state (or null); marks the node's last-seen times as flushed. */
    static NodeSnapshot of(NodeEntry n, RuleSnapshot rules) {
        List<StreamSnapshot> streams = new ArrayList<>(n.slotCount());
        for (Slot s : n.slots) {
            if (s != null) {
                long seen = s.lastSeenMs;
                streams.add(new StreamSnapshot(s.stream, s.state, seen, s.silentSinceMs, s.lagMs, s.auditDisabled, s.lagHigh));
                s.flushedLastSeenMs = seen;
            }
        }
        return new NodeSnapshot(n.name, n.partition, n.controllerSeenMs, n.maintenanceUntilMs, n.maintenanceReason, streams,
                new ArrayList<>(n.open.values()), false, rules);
    }

    /**
     * Applies a persisted view to a fresh entry. Thresholds come from today's inventory, not the
     * snapshot; streams no longer expected are dropped ({@code slotFor} returns null).
     */
    static void restore(NodeEntry n, NodeSnapshot snap, BiFunction<NodeEntry, Stream, Slot> slotFor) {
        n.controllerSeenMs = snap.controllerSeenMs();
        n.maintenanceUntilMs = snap.maintenanceUntilMs();
        n.maintenanceReason = snap.maintenanceReason();
        for (StreamSnapshot ss : snap.streams()) {
            Slot s = n.slots[ss.stream().ordinal()];
            if (s == null && (s = slotFor.apply(n, ss.stream())) == null) {
                continue;
            }
            s.lastSeenMs = ss.lastSeenMs();
            s.flushedLastSeenMs = ss.lastSeenMs();
            s.lagMs = ss.lagMs();
            s.peakLagMs = ss.lagMs();
            s.silentSinceMs = ss.silentSinceMs();
            s.auditDisabled = ss.auditDisabled();
            s.lagHigh = ss.lagHigh();
            StreamState st = ss.state();
            if (st == StreamState.PENDING && ss.lastSeenMs() != Slot.NONE) {
                st = StreamState.HEALTHY;
            }
            if (st == StreamState.NEVER_SEEN && !s.expected) {
                st = StreamState.HEALTHY;
            }
            s.state = n.inMaintenance() ? StreamState.MAINTENANCE : st;
        }
        for (OpenAlert a : snap.openAlerts()) {
            n.open.put(a.key(), a);
        }
    }

    static NodeStatus status(NodeEntry n, long now, NodeRules rules) {
        List<NodeStatus.StreamStatus> streams = new ArrayList<>();
        for (Slot s : n.slots) {
            if (s == null) {
                continue;
            }
            long seen = s.lastSeenMs;
            long lag = s.lagMs;
            streams.add(new NodeStatus.StreamStatus(s.stream, s.state,
                    seen == Slot.NONE ? null : Instant.ofEpochMilli(seen),
                    seen == Slot.NONE ? null : Duration.ofMillis(Math.max(0, now - seen)),
                    Duration.ofMillis(s.thresholdMs),
                    lag == Slot.NONE ? null : Duration.ofMillis(lag)));
        }
        return new NodeStatus(n.name, n.role, n.expected, AlertPlanner.overall(n),
                n.inMaintenance() ? Instant.ofEpochMilli(n.maintenanceUntilMs) : null, n.maintenanceReason, n.partition,
                streams, rules);
    }
}
