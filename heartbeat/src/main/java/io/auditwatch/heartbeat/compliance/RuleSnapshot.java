package io.auditwatch.heartbeat.compliance;

import java.util.List;

/**
 * What compliance tracking remembers of one node across restarts (kept in the node's record of the
 * heartbeat state topic, heartbeat/README.md): the last reported rule state, when it arrived, and the
 * compliance alerts the node has open.
 *
 * @param enabled audit_enabled of the last v=2 pulse, or -1 when it did not say
 * @param cis the last {@code cis=} value ({@code 1.2.3:ok,...}), or null when the node never reported
 * @param reportedMs receive time of that pulse, epoch ms, or {@link Long#MIN_VALUE} when never
 * @param openAlerts keys of this node's FIRING compliance alerts
 */
public record RuleSnapshot(int enabled, String cis, long reportedMs, List<String> openAlerts) {
    public RuleSnapshot {
        openAlerts = openAlerts == null ? List.of() : List.copyOf(openAlerts);
    }
}
