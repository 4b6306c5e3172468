package io.auditwatch.ingest.kafka;

import io.auditwatch.alerting.MeterDoc;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Every meter of the Kafka publisher, declared in {@link #METERS} and registered only through those
 * declarations.
 */
public final class KafkaMetrics {
    /**
     * Events by outcome: {@code success} acknowledged by Kafka, {@code failure} given up (with the
     * spool only what could not be stored: shutdown losses, a failing disk; records Kafka refuses
     * for good go to the dead-letter topic), {@code rejected} not accepted because the bound was
     * full or the publisher closed.
     */
    static final MeterDoc PUBLISH = MeterDoc.counter("auditwatch.kafka.publish", "events",
            "Events by outcome: acknowledged by Kafka, given up, or rejected at the door, in events")
            .tag("result", "success, failure, rejected");
    /** Failed attempts: every given-up event and every send attempt that is retried. */
    static final MeterDoc FAILURES = MeterDoc.counter("auditwatch.kafka.publish.failures", "attempts",
            "Failed Kafka send attempts, retried or given up, by reason, in attempts")
            .tag("reason", FailureReason.class, FailureReason::label);
    /** Events the events topic refused for good, stored in the dead-letter topic instead. */
    static final MeterDoc DEAD_LETTERS = MeterDoc.counter("auditwatch.kafka.dead.letters", "events",
            "Events the events topic refused for good (too large, not authorized, invalid) stored in the dead-letter"
                    + " topic instead, by reason, in events")
            .tag("reason", "record_too_large, authorization, invalid_record");
    static final MeterDoc LATENCY = MeterDoc.timer("auditwatch.kafka.publish.latency",
            "Time from the listener accepting an event to Kafka acknowledging it, in seconds");
    static final MeterDoc QUEUE_BYTES = MeterDoc.gauge("auditwatch.kafka.queue", "bytes",
            "Bytes of events waiting for the Kafka publisher thread");
    /** Queued plus in flight: what the bound applies to. */
    static final MeterDoc PENDING_BYTES = MeterDoc.gauge("auditwatch.kafka.pending", "bytes",
            "Bytes of events accepted and not yet acknowledged by Kafka (queued plus in flight)");
    static final MeterDoc PENDING_LIMIT_BYTES = MeterDoc.gauge("auditwatch.kafka.pending.limit", "bytes",
            "Bound of pending bytes; events beyond it are rejected, in bytes");
    static final MeterDoc INFLIGHT = MeterDoc.gauge("auditwatch.kafka.inflight.records", "records",
            "Events handed to the Kafka producer and not yet acknowledged or failed, in records");
    static final MeterDoc BACKPRESSURE = MeterDoc.counter("auditwatch.kafka.backpressure", "seconds",
            "Time TCP readers spent paused because the Kafka publisher was near its bound, in seconds");
    static final MeterDoc BACKPRESSURE_PAUSES = MeterDoc.counter("auditwatch.kafka.backpressure.pauses", "pauses",
            "Times TCP readers were paused because the Kafka publisher was near its bound, in pauses");
    static final MeterDoc UP = MeterDoc.gauge("auditwatch.kafka.up", "1",
            "1 when the last Kafka reachability probe answered, else 0");

    /**
     * Liveness summaries and forwarded signals ({@link LivenessSummaries}): {@code sent} acknowledged by
     * Kafka, {@code retried} not acknowledged and kept for the next flush, {@code dropped} evidence not
     * held because the key bound was reached.
     */
    static final MeterDoc LIVENESS = MeterDoc.counter("auditwatch.kafka.liveness.records", "records",
            "Liveness summaries and forwarded signals for heartbeat by outcome: acknowledged, kept for a retry, or"
                    + " dropped at the key bound, in records")
            .tag("result", "sent, retried, dropped");
    static final String LIVENESS_SENT = "sent";
    static final String LIVENESS_RETRIED = "retried";
    static final String LIVENESS_DROPPED = "dropped";

    /** Every meter this class registers. */
    public static final List<MeterDoc> METERS = List.of(PUBLISH, FAILURES, DEAD_LETTERS, LATENCY, QUEUE_BYTES, PENDING_BYTES,
            PENDING_LIMIT_BYTES, INFLIGHT, BACKPRESSURE, BACKPRESSURE_PAUSES, UP, LIVENESS);

    /**
     * Latency buckets a person reads: a healthy local broker acknowledges in milliseconds (linger 5 ms),
     * a leader election takes seconds, and 120 s is the delivery timeout beyond which events fail.
     */
    static final Duration[] LATENCY_SLOS = {
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofSeconds(5), Duration.ofSeconds(30), ClientConfigs.DELIVERY_TIMEOUT,
    };

    final Counter success;
    final Counter failure;
    final Counter rejected;
    final Timer latency;
    private final Map<FailureReason, Counter> failures = new EnumMap<>(FailureReason.class);
    private final Map<FailureReason, Counter> deadLetters = new EnumMap<>(FailureReason.class);
    private final Map<String, Counter> liveness;

    KafkaMetrics(MeterRegistry registry, BoundedEventQueue queue, AtomicInteger inflight, BooleanSupplier up) {
        success = publish(registry, "success");
        failure = publish(registry, "failure");
        rejected = publish(registry, "rejected");
        for (FailureReason r : FailureReason.values()) {
            failures.put(r, FAILURES.counter().tag("reason", r.label()).register(registry));
            if (r.refusedForGood()) {
                deadLetters.put(r, DEAD_LETTERS.counter().tag("reason", r.label()).register(registry));
            }
        }
        latency = LATENCY.timer()
                .publishPercentileHistogram()
                .serviceLevelObjectives(LATENCY_SLOS)
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(ClientConfigs.DELIVERY_TIMEOUT)
                .register(registry);
        QUEUE_BYTES.gauge(queue, BoundedEventQueue::queuedBytes).register(registry);
        PENDING_BYTES.gauge(queue, BoundedEventQueue::heldBytes).register(registry);
        PENDING_LIMIT_BYTES.gauge(queue, BoundedEventQueue::capacityBytes).register(registry);
        INFLIGHT.gauge(inflight, AtomicInteger::get).register(registry);
        BACKPRESSURE.functionCounter(queue.gate(), g -> g.pausedNanos() / (double) TimeUnit.SECONDS.toNanos(1))
                .register(registry);
        BACKPRESSURE_PAUSES.functionCounter(queue.gate(), PressureGate::pauses).register(registry);
        UP.gauge(up, u -> u.getAsBoolean() ? 1 : 0).strongReference(true).register(registry);
        liveness = Map.of(LIVENESS_SENT, LIVENESS.counter().tag("result", LIVENESS_SENT).register(registry),
                LIVENESS_RETRIED, LIVENESS.counter().tag("result", LIVENESS_RETRIED).register(registry),
                LIVENESS_DROPPED, LIVENESS.counter().tag("result", LIVENESS_DROPPED).register(registry));
    }

    /** The liveness counter of {@code result}: {@link #LIVENESS_SENT}, {@link #LIVENESS_RETRIED} or {@link #LIVENESS_DROPPED}. */
    Counter liveness(String result) {
        return liveness.get(result);
    }

    Counter failures(FailureReason reason) {
        return failures.get(reason);
    }

    /** The dead-letter counter of a reason {@link FailureReason#refusedForGood()}. */
    Counter deadLetters(FailureReason reason) {
        return deadLetters.get(reason);
    }

    private static Counter publish(MeterRegistry registry, String result) {
        return PUBLISH.counter().tag("result", result).register(registry);
    }
}
