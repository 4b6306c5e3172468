package io.auditwatch.heartbeat;

import java.util.Locale;

/** Which records heartbeat judges liveness on (heartbeat/README.md, "Where the evidence comes from"). */
public enum HeartbeatSource {
    /**
     * The liveness summaries ingest publishes after Kafka acknowledged the events they stand for: one
     * small record per (node, stream) and interval instead of every event.
     */
    SUMMARIES,
    /**
     * Every record of the events topic: for an events topic that other producers write too (their
     * records then count as liveness like ingest's), at the cost of fetching every event again.
     */
    EVENTS;

    /** The configuration spelling: {@code summaries} or {@code events}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
