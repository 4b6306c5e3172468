package io.auditwatch.ingest.kafka;

import io.auditwatch.ingest.log.RateLimitedLog;
import org.slf4j.Logger;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The one place where {@link EventPublisher} counts what became of an event: acknowledged, failed
 * and retried, or lost. Every outcome moves the meters, the reachability behind
 * {@link EventPublisher#health()} and, for failures, a log line limited to one per 10 s per reason.
 * Called from the publisher's own threads and from the producer's I/O thread.
 */
final class PublishOutcomes {
    private final KafkaMetrics metrics;
    private final KafkaReachability reachability;
    private final LongSupplier nanoTime;
    private final Map<FailureReason, RateLimitedLog> failureLogs = new EnumMap<>(FailureReason.class);
    private final AtomicLong shutdownLosses = new AtomicLong();
    private final LivenessSummaries liveness;

    /** @param liveness told of every acknowledged event, or null when no summaries are published */
    PublishOutcomes(KafkaMetrics metrics, KafkaReachability reachability, LongSupplier nanoTime, Logger log,
                    String topic, LivenessSummaries liveness) {
        this.metrics = metrics;
        this.liveness = liveness;
        this.reachability = reachability;
        this.nanoTime = nanoTime;
        for (FailureReason r : FailureReason.values()) {
            failureLogs.put(r, new RateLimitedLog(log, "Kafka publish failures (reason " + r.label() + ") on topic "
                    + topic, RateLimitedLog.DEFAULT_INTERVAL_NANOS, nanoTime));
        }
    }

    /**
     * Kafka acknowledged {@code event}: counted, its latency recorded, Kafka known reachable, and its
     * liveness evidence handed to the summaries (only now: liveness means stored in Kafka).
     */
    void acknowledged(OutboundEvent event) {
        if (liveness != null) {
            liveness.acknowledged(event);
        }
        metrics.success.increment();
        long latency = nanoTime.getAsLong() - event.acceptedNanos();
        if (latency >= 0) {
            metrics.latency.record(latency, TimeUnit.NANOSECONDS);
        }
        reachability.succeeded();
    }

    /** An event Kafka will not get from us: counted as a failure of {@code reason} and logged. */
    void lost(FailureReason reason, String detail) {
        metrics.failure.increment();
        if (reason == FailureReason.SHUTDOWN) {
            shutdownLosses.incrementAndGet();
        }
        metrics.failures(reason).increment();
        reachability.failed(detail);
        failureLogs.get(reason).record(detail);
    }

    /** A failed attempt that loses nothing: the event is kept and {@code action} says what happens next. */
    void failedAttempt(FailureReason reason, Throwable cause, String action) {
        metrics.failures(reason).increment();
        String detail = EventPublisher.describe(cause);
        reachability.failed(detail);
        failureLogs.get(reason).record(detail + "; " + action);
    }

    /** Events Kafka acknowledged so far. */
    long acknowledgedCount() {
        return (long) metrics.success.count();
    }

    /** Events lost with reason {@code shutdown} so far. */
    long shutdownLosses() {
        return shutdownLosses.get();
    }

    /** Writes what the rate limit held back. */
    void flush() {
        failureLogs.values().forEach(RateLimitedLog::flush);
    }
}
