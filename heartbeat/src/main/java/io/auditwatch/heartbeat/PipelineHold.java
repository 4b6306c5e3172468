package io.auditwatch.heartbeat;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertKind;
import java.time.Instant;
import java.util.Map;

/**
 * Why node alerts are held back (heartbeat/README.md, "Pipeline awareness"): when events cannot reach Kafka
 * or this instance is behind, per-node silence is not the root cause. Three independent reasons; the hold
 * lasts while any is present. Only the consumer lag raises an alert here (one, CONSUMER_LAG): ingest raises
 * its own for Kafka, and catching up after an assignment is routine.
 */
final class PipelineHold {
    static final String CONSUMER_LAG_KEY = "consumer-lag/auditwatch-heartbeat";

    private final long lagBound;
    private volatile String degradedReason;
    private volatile boolean catchingUp;
    private volatile boolean lagging;
    private long lagFiredAtMs;

    PipelineHold(long lagBound) {
        this.lagBound = lagBound;
    }

    void degraded(String reason) {
        degradedReason = java.util.Objects.requireNonNull(reason, "reason");
    }

    void healthy() {
        degradedReason = null;
    }

    void catchingUp(boolean b) {
        catchingUp = b;
    }

    boolean held() {
        return degradedReason != null || catchingUp || lagging;
    }

    /** False while ingest reports the pipeline down: receive-time gaps are then not the nodes' fault. */
    boolean pipelineUp() {
        return degradedReason == null;
    }

    /**
     * @return the CONSUMER_LAG transition when the lag crosses the bound (either way), else null
     */
    AlertEvent consumerLag(long records, long now) {
        boolean over = records > lagBound;
        if (over == lagging) {
            return null;
        }
        lagging = over;
        if (over) {
            lagFiredAtMs = now;
        }
        String summary = over
                ? "heartbeat consumer is " + records + " records behind audit.events (bound " + lagBound
                        + "): node alerts held until it catches up"
                : "heartbeat consumer caught up (" + records + " records behind): node alerts judged again";
        return new AlertEvent(AlertKind.CONSUMER_LAG, CONSUMER_LAG_KEY,
                over ? AlertEvent.Status.FIRING : AlertEvent.Status.RESOLVED, Instant.ofEpochMilli(now), null, null,
                Instant.ofEpochMilli(lagFiredAtMs), null, summary,
                Map.of("lag-records", Long.toString(records), "bound-records", Long.toString(lagBound)));
    }
}
