package io.auditwatch.ingest.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Every meter of the Kafka publisher. Names as Prometheus shows them; units are base units.
 *
 * <ul>
 *   <li>{@code auditwatch_kafka_publish_total{result}} counter, events: {@code success} acknowledged
 *       by Kafka, {@code failure} given up (with the spool only records too large for Kafka and shutdown losses), {@code rejected} not
 *       accepted because the bound was full or the publisher closed.</li>
 *   <li>{@code auditwatch_kafka_publish_failures_total{reason}} counter, failed attempts: every given-up
 *       event and every send attempt that is retried, by {@link FailureReason}.</li>
 *   <li>{@code auditwatch_kafka_publish_latency_seconds} histogram, seconds from the listener's
 *       acceptance to Kafka's acknowledgement.</li>
 *   <li>{@code auditwatch_kafka_queue_bytes} gauge, bytes waiting for the publisher thread.</li>
 *   <li>{@code auditwatch_kafka_pending_bytes} gauge, bytes accepted and not yet acknowledged
 *       (queued plus in flight): what the bound applies to.</li>
 *   <li>{@code auditwatch_kafka_pending_limit_bytes} gauge, the bound.</li>
 *   <li>{@code auditwatch_kafka_inflight_records} gauge, events handed to the producer, not yet
 *       acknowledged or failed.</li>
 *   <li>{@code auditwatch_kafka_backpressure_seconds_total} counter, seconds TCP readers spent paused.</li>
 *   <li>{@code auditwatch_kafka_backpressure_pauses_total} counter, times readers were paused.</li>
 *   <li>{@code auditwatch_kafka_up} gauge, 1 when the last reachability probe answered, else 0.</li>
 * </ul>
 */
final class KafkaMetrics {
    static final String PUBLISH = "auditwatch.kafka.publish";
    static final String FAILURES = "auditwatch.kafka.publish.failures";
    static final String LATENCY = "auditwatch.kafka.publish.latency";
    static final String QUEUE_BYTES = "auditwatch.kafka.queue.bytes";
    static final String PENDING_BYTES = "auditwatch.kafka.pending.bytes";
    static final String PENDING_LIMIT_BYTES = "auditwatch.kafka.pending.limit.bytes";
    static final String INFLIGHT = "auditwatch.kafka.inflight.records";
    static final String BACKPRESSURE = "auditwatch.kafka.backpressure";
    static final String BACKPRESSURE_PAUSES = "auditwatch.kafka.backpressure.pauses";
    static final String UP = "auditwatch.kafka.up";

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

    KafkaMetrics(MeterRegistry registry, BoundedEventQueue queue, AtomicInteger inflight, BooleanSupplier up) {
        success = publish(registry, "success");
        failure = publish(registry, "failure");
        rejected = publish(registry, "rejected");
        for (FailureReason r : FailureReason.values()) {
            failures.put(r, Counter.builder(FAILURES)
                    .description("Failed Kafka send attempts, retried or given up, by reason")
                    .tag("reason", r.label())
                    .register(registry));
        }
        latency = Timer.builder(LATENCY)
                .description("Seconds from the listener accepting an event to Kafka acknowledging it")
                .publishPercentileHistogram()
                .serviceLevelObjectives(LATENCY_SLOS)
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(ClientConfigs.DELIVERY_TIMEOUT)
                .register(registry);
        Gauge.builder(QUEUE_BYTES, queue, BoundedEventQueue::queuedBytes)
                .description("Bytes of events waiting for the Kafka publisher thread")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder(PENDING_BYTES, queue, BoundedEventQueue::heldBytes)
                .description("Bytes of events accepted and not yet acknowledged by Kafka (queued plus in flight)")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder(PENDING_LIMIT_BYTES, queue, BoundedEventQueue::capacityBytes)
                .description("Bound of pending bytes; events beyond it are rejected")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder(INFLIGHT, inflight, AtomicInteger::get)
                .description("Events handed to the Kafka producer and not yet acknowledged or failed")
                .register(registry);
        FunctionCounter.builder(BACKPRESSURE, queue.gate(), g -> g.pausedNanos() / (double) TimeUnit.SECONDS.toNanos(1))
                .description("Seconds TCP readers spent paused because the Kafka publisher was near its bound")
                .baseUnit("seconds")
                .register(registry);
        FunctionCounter.builder(BACKPRESSURE_PAUSES, queue.gate(), PressureGate::pauses)
                .description("Times TCP readers were paused because the Kafka publisher was near its bound")
                .register(registry);
        Gauge.builder(UP, up, u -> u.getAsBoolean() ? 1 : 0)
                .description("1 when the last Kafka reachability probe answered, else 0")
                .strongReference(true)
                .register(registry);
    }

    Counter failures(FailureReason reason) {
        return failures.get(reason);
    }

    private static Counter publish(MeterRegistry registry, String result) {
        return Counter.builder(PUBLISH)
                .description("Events by outcome: acknowledged by Kafka, given up, or rejected at the door")
                .tag("result", result)
                .register(registry);
    }
}
