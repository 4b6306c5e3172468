package io.auditwatch.ingest.spool;

import io.auditwatch.alerting.AlertSink;
import io.auditwatch.ingest.kafka.EventLog;
import io.auditwatch.ingest.kafka.OutboundEvent;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The disk spool: a write-ahead log of every accepted event between the listeners and Kafka.
 *
 * <p><b>Why on the normal path too, not only during outages.</b> Every event goes through the spool,
 * also while Kafka is healthy: the publisher thread appends (never a Netty event loop: no disk I/O or
 * fsync there), and the sender thread takes the records in append order and sends them to Kafka.
 * While the sender is caught up it takes each record from memory as soon as its commit is done
 * ({@link HandOffWindow}, bounded), instead of reading it back from the segment file; behind, and
 * for what a previous run left, it reads the segment files. Either way a record is handed out only
 * once it is committed, and tracked by its offset in the spool. So replay after an outage or a
 * restart is the same bookkeeping as normal operation, order is the append order (hence per node),
 * and "every event counted in {@code auditwatch_spool_appended_records_total} reaches Kafka unless
 * the disk itself is lost" holds by construction under {@code fsync: always}. The price is one
 * sequential write per event (and one fsync per group commit), measured in ingest/README.md. Spooling only
 * during outages would leave the in-memory queue to a kill -9.
 *
 * <p><b>Format.</b> Segment files of frames ({@link RecordCodec}); a segment is deleted when Kafka has
 * acknowledged every record in it. The acknowledged offset is checkpointed at least every second
 * ({@link #CHECKPOINT_MILLIS}); a crash between Kafka's acknowledgement and the checkpoint sends those
 * records again (at-least-once; the value bytes, hence the envelope's event id, are identical).
 *
 * <p><b>Bound.</b> Appends wait while the segment files would exceed {@code spool.max-bytes}, and
 * while the spool's or the data directory's disk is below its free-space floor or refuses a write
 * for want of space ({@link DiskFloor}); the publisher's memory queue then fills, TCP reads pause and
 * UDP datagrams are dropped and counted. The records of a refused write stay in memory and are
 * written when space returns: nothing accepted is given up.
 *
 * <p>Threads and parts: one appending thread ({@link #append}, {@link SpoolAppender}), one reading
 * thread ({@link #next}, {@link SpoolReader}), the committed records between them
 * ({@link HandOffWindow}), acknowledgements from any thread ({@link Acknowledgements}), and a
 * maintenance thread ({@link SpoolMaintenance}: interval fsync, checkpoint, segment deletion,
 * alerts); {@link SegmentIndex} says what is on disk. Each part documents the lock it owns. {@code signal} guards nothing: appends, acknowledgements, freed
 * segments and close notify it, and a full append or an idle reader wait on it.
 */
public final class Spool implements EventLog, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Spool.class);

    /** Period of the maintenance thread: how late a freed segment or a due interval fsync can be. */
    static final long MAINTENANCE_MILLIS = 100;

    /** The acknowledged position is persisted this often: at most a second of records is resent after a crash. */
    static final long CHECKPOINT_MILLIS = 1_000;

    private final SpoolSettings settings;
    private final Clock clock;
    private final SpoolAlerts alerts;
    private final Object signal = new Object();
    private final SegmentIndex index;
    private final Acknowledgements acks;
    private final SpoolAppender appender;
    private final SpoolReader reader;
    private final SpoolMaintenance maintenance;
    private final HandOffWindow window = new HandOffWindow();

    private volatile boolean closed;

    /**
     * Opens the spool in {@code settings.dir()}, recovering what a previous run left: those records
     * are handed out by {@link #next} before anything appended now.
     *
     * @param inflightLimitBytes bound of bytes handed out by {@link #next} and not yet acknowledged or
     *     failed ({@link OutboundEvent#sizeInBytes()}); keeps the producer's buffer from filling
     * @param alerts where DISK_NEARLY_FULL and SPOOL_FULL go; null for none (the log still says it)
     * @throws UncheckedIOException when the directory cannot be created or read
     */
    public Spool(SpoolSettings settings, long inflightLimitBytes, MeterRegistry registry, Clock clock,
                 LongSupplier nanoTime, AlertSink alerts) {
        this.settings = settings;
        this.clock = clock;
        Recovery.State state;
        try {
            state = Recovery.recover(settings.dir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the spool in " + settings.dir(), e);
        }
        this.index = new SegmentIndex(state.segments(), state.ages(), state.end());
        this.acks = new Acknowledgements(state.ackedOffset(), state.records(), inflightLimitBytes, signal);
        this.alerts = new SpoolAlerts(alerts, clock, settings);
        SpoolMetrics metrics = new SpoolMetrics(registry, this);
        metrics.dropped(DropReason.TORN_TAIL).increment(state.tornTails());
        DiskFloor floor = new DiskFloor(settings.dir().toAbsolutePath().getParent() == null ? List.of(settings.dir())
                : List.of(settings.dir(), settings.dir().toAbsolutePath().getParent()),
                settings.minFreeBytes(), settings.minFreePercent(), nanoTime);
        this.appender = new SpoolAppender(settings, clock, nanoTime, metrics, index, acks, state.end(), signal,
                () -> closed, disk -> this.alerts.full(health(), disk), this::deleteAcknowledgedSegments, floor, window);
        this.reader = new SpoolReader(clock, nanoTime, metrics, index, appender, acks, window, state.ackedOffset(),
                state.end(), signal, () -> closed);
        this.maintenance = new SpoolMaintenance(settings, nanoTime, appender, index, acks, this.alerts, this::health,
                signal);
        log.info("Spool in {}: fsync {}{}, bound {} bytes in segments of {} bytes; {} records ({} bytes) left by a"
                        + " previous run are sent first", settings.dir().toAbsolutePath(), settings.fsync().label(),
                settings.fsync() == FsyncPolicy.INTERVAL ? " every " + settings.fsyncInterval().toMillis() + " ms" : "",
                settings.maxBytes(), settings.segmentBytes(), state.records(), state.end() - state.ackedOffset());
        maintenance.start();
    }

    /**
     * Appends in order; returns when the events are stored under the fsync policy. Waits while the
     * spool is full. Events too large to ever fit are dropped and counted ({@code too_large}).
     *
     * @return how many events were taken (stored or dropped): all of them, or fewer when the thread
     *     was interrupted while waiting for room (its interrupt flag is then set again)
     */
    @Override
    public int append(List<OutboundEvent> events) {
        return appender.append(events);
    }

    @Override
    public Entry next(long timeoutMillis) throws InterruptedException {
        return reader.next(timeoutMillis);
    }

    @Override
    public void acknowledged(Entry entry) {
        acks.acknowledged(entry);
    }

    @Override
    public void failed(Entry entry) {
        acks.failed(entry);
    }

    @Override
    public boolean drained() {
        return acks.ackedOffset() >= appender.committedEnd();
    }

    @Override
    public long pendingRecords() {
        return acks.records();
    }

    public SpoolHealth health() {
        long bytes = appender.appendEnd() - index.firstBase();
        long recs = acks.records();
        Duration age = Duration.ZERO;
        long acked = acks.ackedOffset();
        if (recs > 0 && acked < appender.committedEnd()) {
            Long millis = index.appendedMillis(acked);
            if (millis != null) {
                age = Duration.ofMillis(Math.max(0, clock.millis() - millis));
            }
        }
        return new SpoolHealth(bytes, settings.maxBytes(), recs, age, appender.waitingForRoom() || alerts.fullFiring());
    }

    /** Whether appends wait for disk space now (see {@link DiskFloor}). */
    public boolean diskFull() {
        return appender.diskFull();
    }

    /** The offset below which Kafka acknowledged everything (what the checkpoint persists). */
    long ackedOffset() {
        return acks.ackedOffset();
    }

    private void deleteAcknowledgedSegments() {
        maintenance.deleteAcknowledgedSegments();
    }

    /**
     * Forces what is appended, persists the acknowledged offset, and stops the maintenance thread.
     * Records not acknowledged stay on disk for the next start. Call after the appender and the
     * reader have stopped. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (signal) {
            signal.notifyAll();
        }
        maintenance.stop();
        appender.close();
        reader.closeReader();
        window.clear();
        maintenance.deleteAcknowledgedSegments();
        maintenance.checkpoint();
        reader.flush();
        log.info("Spool closed: {} records ({} bytes) not yet acknowledged by Kafka stay in {} for the next start",
                acks.records(), appender.committedEnd() - acks.ackedOffset(), settings.dir().toAbsolutePath());
    }
}
