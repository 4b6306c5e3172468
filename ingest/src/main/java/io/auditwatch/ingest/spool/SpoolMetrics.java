package io.auditwatch.ingest.spool;

import io.auditwatch.alerting.MeterDoc;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Every meter of the disk spool, declared in {@link #METERS} and registered only through those
 * declarations. The deploy kit alerts on {@code auditwatch_spool_bytes / auditwatch_spool_capacity_bytes > 0.8}.
 */
public final class SpoolMetrics {
    static final MeterDoc SIZE = MeterDoc.gauge("auditwatch.spool", "bytes", "Bytes of spool segment files on disk");
    static final MeterDoc CAPACITY = MeterDoc.gauge("auditwatch.spool.capacity", "bytes",
            "Bound of the spool's segment files (spool.max-bytes), in bytes");
    static final MeterDoc RECORDS = MeterDoc.gauge("auditwatch.spool.records", "records",
            "Spooled records not yet acknowledged by Kafka, in records");
    static final MeterDoc OLDEST_AGE = MeterDoc.gauge("auditwatch.spool.oldest.record.age", "seconds",
            "Age of the oldest spooled record not yet acknowledged by Kafka, in seconds");
    static final MeterDoc FULL = MeterDoc.gauge("auditwatch.spool.full", "1",
            "1 while spool appends wait for room (TCP reads pause, UDP datagrams drop), else 0");
    static final MeterDoc DISK_FULL = MeterDoc.gauge("auditwatch.spool.disk.full", "1",
            "1 while spool appends wait for disk space (below spool.min-free-bytes/-percent, or a write refused), else 0");
    static final MeterDoc NO_SPACE = MeterDoc.counter("auditwatch.spool.no.space.waits", "writes",
            "Spool writes the disk refused for want of space (ENOSPC, EDQUOT), held and written again later, in writes");
    static final MeterDoc APPENDED = MeterDoc.counter("auditwatch.spool.appended.records", "records",
            "Records stored in the spool under its fsync policy (what accepted means), in records");
    static final MeterDoc REPLAYED = MeterDoc.counter("auditwatch.spool.replayed.records", "records",
            "Records sent again from the spool (left by a previous run, or after a failed delivery), in records");
    static final MeterDoc DISK_READS = MeterDoc.counter("auditwatch.spool.disk.read.records", "records",
            "Records read back from the spool's segment files for Kafka (replay, or the sender behind the appender)"
                    + " instead of handed over from memory, in records");
    static final MeterDoc DROPPED = MeterDoc.counter("auditwatch.spool.dropped.records", "records",
            "Records the spool lost, by reason, in records").tag("reason", DropReason.class, DropReason::label);
    static final MeterDoc FSYNC = MeterDoc.timer("auditwatch.spool.fsync",
            "Time to force spool data to the disk, in seconds");

    /** Every meter this class registers. */
    public static final List<MeterDoc> METERS =
            List.of(SIZE, CAPACITY, RECORDS, OLDEST_AGE, FULL, DISK_FULL, NO_SPACE, APPENDED, REPLAYED, DISK_READS, DROPPED,
                    FSYNC);

    final Counter appended;
    final Counter noSpaceRetries;
    final Counter replayed;
    final Counter diskReads;
    final Timer fsync;
    private final Map<DropReason, Counter> dropped = new EnumMap<>(DropReason.class);

    /** Fsync buckets: an SSD forces in well under a millisecond, a busy spinning disk in tens of ms. */
    static final Duration[] FSYNC_SLOS = {
        Duration.ofNanos(250_000), Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(20),
        Duration.ofMillis(100), Duration.ofSeconds(1),
    };

    SpoolMetrics(MeterRegistry registry, Spool spool) {
        SIZE.gauge(spool, sp -> sp.health().bytes()).register(registry);
        CAPACITY.gauge(spool, sp -> sp.health().capacityBytes()).register(registry);
        RECORDS.gauge(spool, sp -> sp.health().records()).register(registry);
        OLDEST_AGE.gauge(spool, sp -> sp.health().oldestRecordAge().toMillis() / 1000.0).register(registry);
        FULL.gauge(spool, sp -> sp.health().full() ? 1 : 0).register(registry);
        DISK_FULL.gauge(spool, sp -> sp.diskFull() ? 1 : 0).register(registry);
        noSpaceRetries = NO_SPACE.counter().register(registry);
        appended = APPENDED.counter().register(registry);
        replayed = REPLAYED.counter().register(registry);
        diskReads = DISK_READS.counter().register(registry);
        for (DropReason r : DropReason.values()) {
            dropped.put(r, DROPPED.counter().tag("reason", r.label()).register(registry));
        }
        fsync = FSYNC.timer().serviceLevelObjectives(FSYNC_SLOS).register(registry);
    }

    Counter dropped(DropReason reason) {
        return dropped.get(reason);
    }
}
