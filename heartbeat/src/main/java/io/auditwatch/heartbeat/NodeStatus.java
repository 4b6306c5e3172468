package io.auditwatch.heartbeat;

import io.auditwatch.heartbeat.compliance.NodeRules;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One node as the administrative interface ({@code /api/nodes}, {@code /status}) shows it.
 *
 * @param node node identity
 * @param role inventory role, or null for an enrolled node
 * @param expected listed in the inventory
 * @param state the node's overall state: MAINTENANCE, NEVER_SEEN when every stream is, SILENT when any
 *     stream is SILENT or NEVER_SEEN, PENDING when any is, else HEALTHY
 * @param maintenanceUntil end of maintenance, or null
 * @param maintenanceReason why, as given by the operator, or null
 * @param partition the {@code audit.events} partition that carries its events, or -1 when unknown
 * @param streams one entry per tracked stream, in {@link Stream} order
 */
public record NodeStatus(String node, String role, boolean expected, StreamState state, Instant maintenanceUntil,
        String maintenanceReason, int partition, List<StreamStatus> streams, NodeRules rules) {

    public NodeStatus {
        streams = List.copyOf(streams);
    }

    /**
     * @param stream the stream
     * @param state judged state at the last evaluation
     * @param lastSeen receive time of the newest event, or null when none
     * @param age now minus lastSeen, or null when never seen
     * @param threshold the silence threshold
     * @param lag receive time minus sender time of the newest event that carried one, or null
     */
    public record StreamStatus(Stream stream, StreamState state, Instant lastSeen, Duration age, Duration threshold,
            Duration lag) {
    }
}
