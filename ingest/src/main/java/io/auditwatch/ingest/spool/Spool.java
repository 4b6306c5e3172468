package io.auditwatch.ingest.spool;

import io.auditwatch.alerting.AlertSink;
import io.auditwatch.ingest.kafka.EventLog;
import io.auditwatch.ingest.kafka.OutboundEvent;
import io.auditwatch.ingest.log.RateLimitedLog;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The disk spool: a write-ahead log of every accepted event between the listeners and Kafka.
 *
 * <p><b>Why on the normal path too, not only during outages.</b> Every event goes through the spool,
 * also while Kafka is healthy: the publisher thread appends (never a Netty event loop: no disk I/O or
 * fsync there), and the sender thread reads the spool in append order and sends to Kafka. So replay
 * after an outage or a restart is the same code as normal operation, order is the append order (hence
 * per node), and "every event counted in {@code auditwatch_spool_appended_records_total} reaches Kafka
 * unless the disk itself is lost" holds by construction under {@code fsync: always}. The price is one
 * sequential write per event (and one fsync per group commit), measured in ingest/README.md. Spooling only
 * during outages would leave the in-memory queue to a kill -9.
 *
 * <p><b>Format.</b> Segment files of frames ({@link RecordCodec}); a segment is deleted when Kafka has
 * acknowledged every record in it. The acknowledged offset is checkpointed at least every second
 * ({@link #CHECKPOINT_MILLIS}); a crash between Kafka's acknowledgement and the checkpoint sends those
 * records again (at-least-once; the value bytes, hence the envelope's event id, are identical).
 *
 * <p><b>Bound.</b> Appends wait while the segment files would exceed {@code spool.max-bytes}; the
 * publisher's memory queue then fills, TCP reads pause and UDP datagrams are dropped and counted.
 *
 * <p>Threads: one appender ({@link #append}), one reader ({@link #next}), acknowledgements from any
 * thread, and a maintenance thread (interval fsync, checkpoint, segment deletion, alerts).
 */
public final class Spool implements EventLog, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Spool.class);

    /** Period of the maintenance thread: how late a freed segment or a due interval fsync can be. */
    static final long MAINTENANCE_MILLIS = 100;

    /** The acknowledged position is persisted this often: at most a second of records is resent after a crash. */
    static final long CHECKPOINT_MILLIS = 1_000;

    /** Group-commit buffer: one write call for up to this many bytes of records. */
    static final int WRITE_BUFFER_BYTES = 1 << 20;

    /** How long the reader waits per round for data or for acknowledgements. */
    static final long READ_WAIT_MILLIS = 10;

    /** Oldest-record ages are tracked per second of append time: one entry per second, not per batch. */
    static final long AGE_RESOLUTION_MILLIS = 1_000;

    private final SpoolSettings settings;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final long inflightLimitBytes;
    private final SpoolMetrics metrics;
    private final SpoolAlerts alerts;
    private final ScheduledExecutorService maintenance;

    // Segment map: guarded by itself. The last entry is the segment being appended to.
    private final TreeMap<Long, Path> segments;
    private volatile long firstBase;

    // Appender state: guarded by writeLock (shared with the maintenance thread's interval fsync).
    private final Object writeLock = new Object();
    private FileChannel active;
    private long activeBase = -1;
    private volatile long appendEnd;
    private boolean dirty;
    private long lastForceNanos;
    private ByteBuffer writeBuffer = ByteBuffer.allocate(WRITE_BUFFER_BYTES);
    private int buffered;
    private int bufferedRecords;
    private volatile long committedEnd;
    private volatile boolean waitingForRoom;
    private final Object signal = new Object();

    // First append time (ms) of the records from each offset on, one entry per second: guarded by itself.
    private final TreeMap<Long, Long> ages;

    // Reader state: the reading thread only.
    private SegmentReader reader;
    private long readerBase = -1;
    private long readPos;
    private long maxReadEnd;
    private final long recoveredEnd;

    // Acknowledgements: guarded by ackLock.
    private final Object ackLock = new Object();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final Set<Long> ackedAhead = new HashSet<>();
    private int outstanding;
    private long outstandingBytes;
    private boolean rewind;
    private volatile long ackedOffset;
    private final AtomicLong records = new AtomicLong();
    private long checkpointed;
    private long lastCheckpointNanos;
    private final RateLimitedLog corruptLog = new RateLimitedLog(log, "Damaged spool records skipped");

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
        this.nanoTime = nanoTime;
        this.inflightLimitBytes = inflightLimitBytes;
        Recovery.State state;
        try {
            state = Recovery.recover(settings.dir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the spool in " + settings.dir(), e);
        }
        this.segments = state.segments();
        this.ages = state.ages();
        this.ackedOffset = state.ackedOffset();
        this.checkpointed = state.ackedOffset();
        this.readPos = state.ackedOffset();
        this.maxReadEnd = state.ackedOffset();
        this.appendEnd = state.end();
        this.committedEnd = state.end();
        this.recoveredEnd = state.end();
        this.firstBase = segments.isEmpty() ? state.end() : segments.firstKey();
        this.records.set(state.records());
        this.alerts = new SpoolAlerts(alerts, clock, settings);
        this.metrics = new SpoolMetrics(registry, this);
        metrics.dropped(DropReason.TORN_TAIL).increment(state.tornTails());
        this.lastForceNanos = nanoTime.getAsLong();
        this.lastCheckpointNanos = nanoTime.getAsLong();
        log.info("Spool in {}: fsync {}{}, bound {} bytes in segments of {} bytes; {} records ({} bytes) left by a"
                        + " previous run are sent first", settings.dir().toAbsolutePath(), settings.fsync().label(),
                settings.fsync() == FsyncPolicy.INTERVAL ? " every " + settings.fsyncInterval().toMillis() + " ms" : "",
                settings.maxBytes(), settings.segmentBytes(), state.records(), state.end() - state.ackedOffset());
        maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "auditwatch-spool-maintenance");
            t.setDaemon(true);
            return t;
        });
        maintenance.scheduleWithFixedDelay(this::maintain, MAINTENANCE_MILLIS, MAINTENANCE_MILLIS, TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- appending

    /**
     * Appends in order; returns when the events are stored under the fsync policy. Waits while the
     * spool is full. Events too large to ever fit are dropped and counted ({@code too_large}).
     *
     * @return how many events were taken (stored or dropped): all of them, or fewer when the thread
     *     was interrupted while waiting for room (its interrupt flag is then set again)
     */
    @Override
    public int append(List<OutboundEvent> events) {
        synchronized (writeLock) {
            int taken = 0;
            try {
                for (OutboundEvent e : events) {
                    appendOne(e);
                    taken++;
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            } finally {
                commit();
            }
            return taken;
        }
    }

    private void appendOne(OutboundEvent event) throws InterruptedException {
        int size = RecordCodec.framedSize(event);
        if (size > settings.maxBytes() / 4) {
            metrics.dropped(DropReason.TOO_LARGE).increment();
            log.error("Dropped a {}-byte event for node {}: larger than a quarter of spool.max-bytes ({})", size,
                    new String(event.key(), java.nio.charset.StandardCharsets.UTF_8), settings.maxBytes());
            return;
        }
        waitForRoom(size);
        long end = appendEnd + buffered;
        if (active == null || (end > activeBase && end - activeBase + size > settings.segmentBytes())) {
            commit();
            roll();
        }
        if (writeBuffer.remaining() < size) {
            commit();
            if (writeBuffer.capacity() < size) {
                writeBuffer = ByteBuffer.allocate(size);
            }
        }
        long now = clock.millis();
        RecordCodec.encode(event, now, writeBuffer);
        buffered += size;
        bufferedRecords++;
        synchronized (ages) {
            Map.Entry<Long, Long> last = ages.lastEntry();
            if (last == null || now - last.getValue() >= AGE_RESOLUTION_MILLIS) {
                ages.put(end, now);
            }
        }
    }

    private void waitForRoom(int size) throws InterruptedException {
        while (appendEnd + buffered + size - firstBase > settings.maxBytes()) {
            if (buffered > 0) {
                commit();
                continue;
            }
            if (!waitingForRoom) {
                waitingForRoom = true;
                alerts.full(health());
            }
            deleteAcknowledgedSegments();
            synchronized (signal) {
                if (closed) {
                    throw new InterruptedException("spool closed while full");
                }
                signal.wait(MAINTENANCE_MILLIS);
            }
        }
        waitingForRoom = false;
    }

    /** Writes the buffered records and, under {@code always}, forces them; then the reader may see them. */
    private void commit() {
        if (buffered == 0) {
            return;
        }
        int bytes = buffered;
        int count = bufferedRecords;
        buffered = 0;
        bufferedRecords = 0;
        writeBuffer.flip();
        try {
            // Positional: after a failed write, the next one lands where its offset says.
            long at = appendEnd - activeBase;
            while (writeBuffer.hasRemaining()) {
                at += active.write(writeBuffer, at);
            }
            if (settings.fsync() == FsyncPolicy.ALWAYS) {
                force();
            } else {
                dirty = true;
            }
        } catch (IOException e) {
            // The disk failed us: nothing more can be made durable, and dropping silently is not an option.
            throw new UncheckedIOException("spool write failed in " + settings.dir(), e);
        } finally {
            writeBuffer.clear();
        }
        appendEnd += bytes;
        committedEnd = appendEnd;
        records.addAndGet(count);
        metrics.appended.increment(count);
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    private void force() throws IOException {
        long start = nanoTime.getAsLong();
        active.force(false);
        lastForceNanos = nanoTime.getAsLong();
        metrics.fsync.record(lastForceNanos - start, TimeUnit.NANOSECONDS);
        dirty = false;
    }

    private void roll() {
        try {
            if (active != null) {
                if (dirty && settings.fsync() != FsyncPolicy.OS) {
                    force();
                }
                active.close();
            }
            Path file = SpoolDirectory.segment(settings.dir(), appendEnd);
            active = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            activeBase = appendEnd;
            if (settings.fsync() == FsyncPolicy.ALWAYS) {
                SpoolDirectory.forceDirectory(settings.dir());
            }
            synchronized (segments) {
                segments.put(activeBase, file);
                firstBase = segments.firstKey();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a spool segment in " + settings.dir(), e);
        }
    }

    // ---------------------------------------------------------------- reading

    @Override
    public Entry next(long timeoutMillis) throws InterruptedException {
        long deadline = nanoTime.getAsLong() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            boolean mayRead;
            synchronized (ackLock) {
                if (rewind && outstanding == 0) {
                    rewind();
                }
                mayRead = !rewind && outstandingBytes < inflightLimitBytes;
            }
            if (mayRead && readPos < committedEnd) {
                Pending p = readOne();
                if (p != null) {
                    return p;
                }
                continue;
            }
            long left = deadline - nanoTime.getAsLong();
            if (left <= 0 || closed) {
                return null;
            }
            synchronized (signal) {
                if (!(mayRead && readPos < committedEnd)) {
                    signal.wait(Math.max(1, Math.min(READ_WAIT_MILLIS, TimeUnit.NANOSECONDS.toMillis(left))));
                }
            }
        }
    }

    /** Reads at {@link #readPos}: the next record to hand out, or null after a gap or a skipped record. */
    private Pending readOne() {
        // Read before the segment map: a segment created after this read holds no committed bytes yet.
        long committed = committedEnd;
        long base;
        Long nextBase;
        Path file;
        synchronized (segments) {
            Map.Entry<Long, Path> s = segments.floorEntry(readPos);
            if (s == null) {
                readPos = segments.isEmpty() ? committed : segments.firstKey();
                return null;
            }
            base = s.getKey();
            file = s.getValue();
            nextBase = segments.higherKey(base);
        }
        long limit = (nextBase != null ? nextBase : committed) - base;
        try {
            if (reader == null || readerBase != base) {
                closeReader();
                reader = new SegmentReader(file, readPos - base);
                readerBase = base;
            }
            SegmentReader.Item item = reader.next(limit);
            if (item == null) {
                readPos = base + limit;
                return null;
            }
            long start = base + item.start();
            long end = base + item.end();
            boolean seenBefore = start < maxReadEnd;
            readPos = end;
            maxReadEnd = Math.max(maxReadEnd, end);
            if (item instanceof SegmentReader.Gap) {
                if (!seenBefore) {
                    metrics.dropped(DropReason.CORRUPT).increment();
                    corruptLog.record("Spool segment " + file + ": " + (end - start) + " damaged bytes at offset "
                            + item.start() + " skipped; the records in them are lost");
                }
                return settle(new Pending(start, end, null, 0, false));
            }
            ByteBuffer payload = ((SegmentReader.Frame) item).payload();
            RecordCodec.Decoded d;
            try {
                long ageNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, clock.millis() - payload.getLong(0)));
                d = RecordCodec.decode(payload, nanoTime.getAsLong() - ageNanos);
            } catch (IllegalArgumentException e) {
                if (!seenBefore) {
                    metrics.dropped(DropReason.CORRUPT).increment();
                    corruptLog.record("Spool segment " + file + ": record at offset " + item.start()
                            + " has a valid CRC but does not decode (" + e.getMessage() + "); skipped");
                }
                return settle(new Pending(start, end, null, 0, true));
            }
            boolean skip;
            synchronized (ackLock) {
                skip = ackedAhead.remove(start);
            }
            if (skip) {
                return settle(new Pending(start, end, null, 0, true));
            }
            if (seenBefore || start < recoveredEnd) {
                metrics.replayed.increment();
            }
            Pending p = new Pending(start, end, d.event(), d.event().sizeInBytes(), true);
            synchronized (ackLock) {
                pending.addLast(p);
                outstanding++;
                outstandingBytes += p.size;
            }
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("spool read failed in " + file, e);
        }
    }

    /** Adds a position that needs no acknowledgement (a gap, a skipped record) in its place. */
    private Pending settle(Pending p) {
        synchronized (ackLock) {
            p.state = Pending.ACKED;
            pending.addLast(p);
            advance();
        }
        return null;
    }

    /** After a failure, once nothing is in flight: read again from the oldest unacknowledged record. */
    private void rewind() {
        ackedAhead.clear();
        for (Pending p : pending) {
            if (p.state == Pending.ACKED && p.event != null) {
                ackedAhead.add(p.start);
            }
        }
        pending.clear();
        readPos = ackedOffset;
        closeReader();
        rewind = false;
        log.info("Kafka failed a delivery: sending again from spool offset {} ({} records after it already"
                + " acknowledged are skipped)", readPos, ackedAhead.size());
    }

    @Override
    public void acknowledged(Entry entry) {
        Pending p = (Pending) entry;
        synchronized (ackLock) {
            if (p.state != Pending.SENT) {
                return;
            }
            p.state = Pending.ACKED;
            outstanding--;
            outstandingBytes -= p.size;
            advance();
        }
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    @Override
    public void failed(Entry entry) {
        Pending p = (Pending) entry;
        synchronized (ackLock) {
            if (p.state != Pending.SENT) {
                return;
            }
            p.state = Pending.FAILED;
            outstanding--;
            outstandingBytes -= p.size;
            rewind = true;
        }
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    /** Moves the acknowledged offset over every settled record at the head. Holds ackLock. */
    private void advance() {
        Pending head;
        while ((head = pending.peekFirst()) != null && head.state == Pending.ACKED) {
            pending.pollFirst();
            ackedOffset = head.end;
            if (head.record) {
                records.decrementAndGet();
            }
        }
    }

    @Override
    public boolean drained() {
        return ackedOffset >= committedEnd;
    }

    @Override
    public long pendingRecords() {
        return records.get();
    }

    // ---------------------------------------------------------------- maintenance

    private void maintain() {
        try {
            if (settings.fsync() == FsyncPolicy.INTERVAL
                    && nanoTime.getAsLong() - lastForceNanos >= settings.fsyncInterval().toNanos()) {
                synchronized (writeLock) {
                    if (dirty && active != null) {
                        force();
                    }
                }
            }
            deleteAcknowledgedSegments();
            if (nanoTime.getAsLong() - lastCheckpointNanos >= TimeUnit.MILLISECONDS.toNanos(CHECKPOINT_MILLIS)) {
                checkpoint();
            }
            alerts.update(health(), waitingForRoom);
        } catch (RuntimeException | IOException e) {
            log.error("Spool maintenance failed in {}", settings.dir(), e);
        }
    }

    private void checkpoint() {
        long acked = ackedOffset;
        lastCheckpointNanos = nanoTime.getAsLong();
        if (acked != checkpointed) {
            SpoolDirectory.writeCheckpoint(settings.dir(), acked);
            checkpointed = acked;
        }
    }

    /** Deletes segments whose every record Kafka acknowledged; never the one being appended to. */
    private void deleteAcknowledgedSegments() {
        boolean freed = false;
        long acked = ackedOffset;
        while (true) {
            Path file;
            synchronized (segments) {
                if (segments.size() < 2 || segments.higherKey(segments.firstKey()) > acked) {
                    break;
                }
                file = segments.pollFirstEntry().getValue();
                firstBase = segments.firstKey();
            }
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                log.error("Cannot delete acknowledged spool segment {}", file, e);
            }
            freed = true;
        }
        synchronized (ages) {
            while (ages.size() > 1 && ages.higherKey(ages.firstKey()) <= acked) {
                ages.pollFirstEntry();
            }
        }
        if (freed) {
            synchronized (signal) {
                signal.notifyAll();
            }
        }
    }

    public SpoolHealth health() {
        long bytes = appendEnd - firstBase;
        long recs = records.get();
        Duration age = Duration.ZERO;
        if (recs > 0 && ackedOffset < committedEnd) {
            Long millis;
            synchronized (ages) {
                Map.Entry<Long, Long> e = ages.floorEntry(ackedOffset);
                millis = e != null ? e.getValue() : ages.isEmpty() ? null : ages.firstEntry().getValue();
            }
            if (millis != null) {
                age = Duration.ofMillis(Math.max(0, clock.millis() - millis));
            }
        }
        return new SpoolHealth(bytes, settings.maxBytes(), recs, age, waitingForRoom || alerts.fullFiring());
    }

    /** The offset below which Kafka acknowledged everything (what the checkpoint persists). */
    long ackedOffset() {
        return ackedOffset;
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
        maintenance.shutdown();
        try {
            maintenance.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (writeLock) {
            try {
                commit();
                if (active != null) {
                    if (dirty) {
                        force();
                    }
                    active.close();
                }
            } catch (IOException | UncheckedIOException e) {
                log.error("Closing the spool's segment in {} failed", settings.dir(), e);
            }
        }
        closeReader();
        deleteAcknowledgedSegments();
        checkpoint();
        corruptLog.flush();
        log.info("Spool closed: {} records ({} bytes) not yet acknowledged by Kafka stay in {} for the next start",
                records.get(), committedEnd - ackedOffset, settings.dir().toAbsolutePath());
    }

    private void closeReader() {
        if (reader != null) {
            try {
                reader.close();
            } catch (IOException e) {
                log.debug("closing a spool reader: {}", e.toString());
            }
            reader = null;
            readerBase = -1;
        }
    }

    /** A record (or a skipped stretch) handed out and its acknowledgement state. */
    private static final class Pending implements Entry {
        static final int SENT = 0;
        static final int ACKED = 1;
        static final int FAILED = 2;

        final long start;
        final long end;
        final OutboundEvent event;
        final long size;
        final boolean record;
        int state = SENT;

        Pending(long start, long end, OutboundEvent event, long size, boolean record) {
            this.start = start;
            this.end = end;
            this.event = event;
            this.size = size;
            this.record = record;
        }

        @Override
        public OutboundEvent event() {
            return event;
        }
    }
}
