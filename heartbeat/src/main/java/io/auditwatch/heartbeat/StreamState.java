package io.auditwatch.heartbeat;

/**
 * The judged state of one (node, stream). Liveness is judged on the collector's receive time only
 * (ingest/DESIGN.md, Decisions); the sender's clock never moves a stream between these states.
 */
public enum StreamState {
    /** Expected by the inventory, nothing received yet, still inside the start-up grace period. */
    PENDING,
    /** Received within its threshold. */
    HEALTHY,
    /** Nothing received for at least its threshold. */
    SILENT,
    /** Expected by the inventory and nothing received since start-up once the grace period ended. */
    NEVER_SEEN,
    /** The node is in maintenance until a time: no alerts are raised for it. */
    MAINTENANCE
}
