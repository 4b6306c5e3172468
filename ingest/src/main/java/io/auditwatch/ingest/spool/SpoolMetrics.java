package io.auditwatch.ingest.spool;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * Every meter of the disk spool. Names as Prometheus shows them; units are base units.
 *
 * <ul>
 *   <li>{@code auditwatch_spool_bytes} gauge, bytes of segment files on disk.</li>
 *   <li>{@code auditwatch_spool_capacity_bytes} gauge, {@code spool.max-bytes}. The deploy kit alerts on
 *       {@code auditwatch_spool_bytes / auditwatch_spool_capacity_bytes > 0.8}.</li>
 *   <li>{@code auditwatch_spool_records} gauge, records not yet acknowledged by Kafka.</li>
 *   <li>{@code auditwatch_spool_oldest_record_age_seconds} gauge, age of the oldest of those.</li>
 *   <li>{@code auditwatch_spool_full} gauge, 1 while appends wait for room (see {@link SpoolHealth#full()}).</li>
 *   <li>{@code auditwatch_spool_appended_records_total} counter, records stored under the fsync policy:
 *       what "accepted" means in the delivery guarantee.</li>
 *   <li>{@code auditwatch_spool_replayed_records_total} counter, records sent again: left by a previous
 *       run, or resent after Kafka failed a delivery.</li>
 *   <li>{@code auditwatch_spool_dropped_records_total{reason}} counter, {@code corrupt}, {@code torn_tail},
 *       {@code too_large} (see {@link DropReason}).</li>
 *   <li>{@code auditwatch_spool_fsync_seconds} timer, each force of a segment to the disk.</li>
 * </ul>
 */
final class SpoolMetrics {
    final Counter appended;
    final Counter replayed;
    final Timer fsync;
    private final Map<DropReason, Counter> dropped = new EnumMap<>(DropReason.class);

    /** Fsync buckets: an SSD forces in well under a millisecond, a busy spinning disk in tens of ms. */
    static final Duration[] FSYNC_SLOS = {
        Duration.ofNanos(250_000), Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(20),
        Duration.ofMillis(100), Duration.ofSeconds(1),
    };

    SpoolMetrics(MeterRegistry registry, Spool spool) {
        Gauge.builder("auditwatch.spool.bytes", spool, s -> s.health().bytes())
                .description("Bytes of spool segment files on disk").baseUnit("bytes").register(registry);
        Gauge.builder("auditwatch.spool.capacity.bytes", spool, s -> s.health().capacityBytes())
                .description("Bound of the spool's segment files (spool.max-bytes)").baseUnit("bytes").register(registry);
        Gauge.builder("auditwatch.spool.records", spool, s -> s.health().records())
                .description("Spooled records not yet acknowledged by Kafka").register(registry);
        Gauge.builder("auditwatch.spool.oldest.record.age", spool, s -> s.health().oldestRecordAge().toMillis() / 1000.0)
                .description("Age of the oldest spooled record not yet acknowledged by Kafka").baseUnit("seconds")
                .register(registry);
        Gauge.builder("auditwatch.spool.full", spool, s -> s.health().full() ? 1 : 0)
                .description("1 while spool appends wait for room: TCP reads pause, UDP datagrams drop").register(registry);
        appended = Counter.builder("auditwatch.spool.appended.records")
                .description("Records stored in the spool under its fsync policy (accepted)").register(registry);
        replayed = Counter.builder("auditwatch.spool.replayed.records")
                .description("Records sent again from the spool: left by a previous run or after a failed delivery")
                .register(registry);
        for (DropReason r : DropReason.values()) {
            dropped.put(r, Counter.builder("auditwatch.spool.dropped.records")
                    .description("Records the spool lost, by reason").tag("reason", r.label()).register(registry));
        }
        fsync = Timer.builder("auditwatch.spool.fsync")
                .description("Time to force spool data to the disk").serviceLevelObjectives(FSYNC_SLOS)
                .register(registry);
    }

    Counter dropped(DropReason reason) {
        return dropped.get(reason);
    }
}
