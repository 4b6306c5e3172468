package io.auditwatch.ingest.spool;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The spool's maintenance thread: the interval fsync, the checkpoint of the acknowledged offset,
 * deleting segments Kafka acknowledged, and the spool alerts. The checkpoint state belongs to this
 * thread (and to close, after the thread stopped) and needs no lock.
 */
final class SpoolMaintenance {
    private static final Logger log = LoggerFactory.getLogger(Spool.class);

    private final SpoolSettings settings;
    private final LongSupplier nanoTime;
    private final SpoolAppender appender;
    private final SegmentIndex index;
    private final Acknowledgements acks;
    private final SpoolAlerts alerts;
    private final Supplier<SpoolHealth> health;
    private final Object signal;
    private final ScheduledExecutorService executor;

    private long checkpointed;
    private long lastCheckpointNanos;

    /** @param signal notified when deleting segments freed room for a waiting append */
    SpoolMaintenance(SpoolSettings settings, LongSupplier nanoTime, SpoolAppender appender, SegmentIndex index,
                     Acknowledgements acks, SpoolAlerts alerts, Supplier<SpoolHealth> health, Object signal) {
        this.settings = settings;
        this.nanoTime = nanoTime;
        this.appender = appender;
        this.index = index;
        this.acks = acks;
        this.alerts = alerts;
        this.health = health;
        this.signal = signal;
        this.checkpointed = acks.ackedOffset();
        this.lastCheckpointNanos = nanoTime.getAsLong();
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "auditwatch-spool-maintenance");
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        executor.scheduleWithFixedDelay(this::maintain, Spool.MAINTENANCE_MILLIS, Spool.MAINTENANCE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Stops the thread, waiting up to 5 s for a round under way. */
    void stop() {
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void maintain() {
        try {
            appender.forceIfDue();
            deleteAcknowledgedSegments();
            if (nanoTime.getAsLong() - lastCheckpointNanos >= TimeUnit.MILLISECONDS.toNanos(Spool.CHECKPOINT_MILLIS)) {
                checkpoint();
            }
            alerts.update(health.get(), appender.waitingForRoom());
        } catch (RuntimeException | IOException e) {
            log.error("Spool maintenance failed in {}", settings.dir(), e);
        }
    }

    /** Persists the acknowledged offset when it moved. */
    void checkpoint() {
        long acked = acks.ackedOffset();
        lastCheckpointNanos = nanoTime.getAsLong();
        if (acked != checkpointed) {
            SpoolDirectory.writeCheckpoint(settings.dir(), acked);
            checkpointed = acked;
        }
    }

    /** Deletes segments whose every record Kafka acknowledged; never the one being appended to. */
    void deleteAcknowledgedSegments() {
        boolean freed = false;
        for (Path file : index.release(acks.ackedOffset())) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                log.error("Cannot delete acknowledged spool segment {}", file, e);
            }
            freed = true;
        }
        if (freed) {
            synchronized (signal) {
                signal.notifyAll();
            }
        }
    }
}
