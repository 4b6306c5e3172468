package io.auditwatch.service.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One row of {@code /status} and {@code /api/nodes}: the liveness of one stream of one node.
 *
 * @param node node identity, as resolved by ingest
 * @param role the inventory's role of the node, or null
 * @param stream stream id ({@code auditd}, {@code ucp-audit}, ...)
 * @param state heartbeat's state name ({@code OK}, {@code SILENT}, {@code NEVER_SEEN},
 *     {@code MAINTENANCE}, ...); any string is displayed, known names are ranked and coloured
 * @param lastSeen collector receive time of the last event, or null when never seen
 * @param threshold silence threshold of this (node, stream), or null when none applies
 * @param maintenanceUntil end of a maintenance window, or null
 * @param openAlerts short descriptions of the open alerts of this row; never null
 */
public record NodeStreamView(
        String node,
        String role,
        String stream,
        String state,
        Instant lastSeen,
        Duration threshold,
        Instant maintenanceUntil,
        List<String> openAlerts) {

    public NodeStreamView {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(state, "state");
        openAlerts = openAlerts == null ? List.of() : List.copyOf(openAlerts);
    }

    /**
     * Time since the last event as of {@code now}, or null when never seen. Negative ages (a
     * lastSeen after {@code now}, from clock skew between replicas) are shown as zero.
     */
    public Duration age(Instant now) {
        if (lastSeen == null) {
            return null;
        }
        Duration age = Duration.between(lastSeen, now);
        return age.isNegative() ? Duration.ZERO : age;
    }
}
