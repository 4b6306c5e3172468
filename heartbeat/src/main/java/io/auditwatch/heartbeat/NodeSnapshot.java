package io.auditwatch.heartbeat;

import io.auditwatch.alerting.AlertKind;
import io.auditwatch.heartbeat.compliance.RuleSnapshot;
import java.util.List;

/**
 * What survives a restart or a rebalance for one node: last-seen and judged state per stream, its
 * maintenance window, and the alerts it has open (so a restored silence is not fired twice). Written
 * by the consumer to the compacted topic {@code auditwatch.heartbeat}, key = node, to the same
 * partition number as the node's events. Times are epoch milliseconds; {@link #NONE} means absent.
 *
 * @param node node identity
 * @param partition partition of {@code audit.events} that carries the node's events
 * @param controllerSeenMs receive time of the newest {@code ucp-controller} line outside ucp-audit
 * @param maintenanceUntilMs end of maintenance, or NONE
 * @param maintenanceReason operator's reason, or null
 * @param streams tracked streams
 * @param openAlerts alerts this node has FIRING
 * @param removed true for a decommissioned node: the consumer writes a tombstone
 * @param rules the node's last reported CIS rule state and its open compliance alerts, or null when
 *     nothing is known (also in records written before compliance tracking existed)
 */
public record NodeSnapshot(String node, int partition, long controllerSeenMs, long maintenanceUntilMs,
        String maintenanceReason, List<StreamSnapshot> streams, List<OpenAlert> openAlerts, boolean removed,
        RuleSnapshot rules) {

    /** Marks an absent time. */
    public static final long NONE = Long.MIN_VALUE;

    public NodeSnapshot {
        streams = streams == null ? List.of() : List.copyOf(streams);
        openAlerts = openAlerts == null ? List.of() : List.copyOf(openAlerts);
    }

    /** The tombstone of a decommissioned node. */
    public static NodeSnapshot removed(String node, int partition) {
        return new NodeSnapshot(node, partition, NONE, NONE, null, List.of(), List.of(), true, null);
    }

    /**
     * @param stream the stream
     * @param state judged state
     * @param lastSeenMs receive time of the newest event, or NONE
     * @param silentSinceMs last-seen when the current silence began, or NONE
     * @param lagMs newest event-time lag, or NONE
     * @param auditDisabled a silent ucp-audit stream classified as "audit disabled while node alive"
     * @param lagHigh event lag above the threshold
     */
    public record StreamSnapshot(Stream stream, StreamState state, long lastSeenMs, long silentSinceMs, long lagMs,
            boolean auditDisabled, boolean lagHigh) {
    }

    /**
     * @param kind alert kind
     * @param key alert key
     * @param stream stream id, or null for node-level alerts
     * @param lastSeenMs last-seen when it fired, or NONE
     * @param firedAtMs when it fired
     * @param thresholdMs threshold crossed, or NONE
     */
    public record OpenAlert(AlertKind kind, String key, String stream, long lastSeenMs, long firedAtMs, long thresholdMs) {
    }
}
