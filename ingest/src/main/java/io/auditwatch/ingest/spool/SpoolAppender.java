package io.auditwatch.ingest.spool;

import io.auditwatch.alerting.PrivateFiles;
import io.auditwatch.heartbeat.NodeNames;
import io.auditwatch.ingest.kafka.Durability;
import io.auditwatch.ingest.kafka.OutboundEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Writes records to the segment being appended to: group commit (one write for everything buffered,
 * then one fsync under {@code always}), a new segment when the current one is full, and a wait while
 * the spool is at {@code spool.max-bytes} or a disk below its free-space floor ({@link DiskFloor}).
 * Once a commit is written (and forced under {@code always}), its records go to the
 * {@link HandOffWindow} before the reader may see them, so a caught-up reader takes them from memory.
 * A write the disk refuses for want of space (ENOSPC) is not given up: the appender waits, as when
 * full, and writes the same records at the same offsets when space returns.
 *
 * <p>Lock: this object's monitor guards the channel, the write buffer, the records in it and the
 * dirty flag; the appending thread holds it for a whole {@link #append}, maintenance for an interval
 * fsync and close for the last commit. {@code appendEnd}, {@code committedEnd} and {@code waitingForRoom} are written
 * under it and read without it.
 */
final class SpoolAppender {
    private static final Logger log = LoggerFactory.getLogger(Spool.class);

    /** Group-commit buffer: one write call for up to this many bytes of records. */
    static final int WRITE_BUFFER_BYTES = 1 << 20;

    private final SpoolSettings settings;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final SpoolMetrics metrics;
    private final SegmentIndex index;
    private final Acknowledgements acks;
    private final Object signal;
    private final BooleanSupplier closed;
    private final Consumer<String> onFull;
    private final Runnable freeRoom;
    private final DiskFloor floor;
    private final HandOffWindow window;

    private FileChannel active;
    private long activeBase = -1;
    private volatile long appendEnd;
    private boolean dirty;
    private long lastForceNanos;
    private ByteBuffer writeBuffer = ByteBuffer.allocate(WRITE_BUFFER_BYTES);
    private int buffered;
    private int bufferedRecords;
    /** The records in the write buffer, for the window once they are committed. */
    private final List<HandOffWindow.Committed> bufferedEvents = new ArrayList<>();
    private volatile long committedEnd;
    private volatile boolean waitingForRoom;
    private volatile boolean diskFull;

    /**
     * @param end where the previous run's records end: the next append goes there
     * @param signal notified after each commit; waited on while the spool is full
     * @param onFull called when an append starts waiting for room: with null when the spool is at its
     *     bound, with what is short when a disk is full or below its floor
     * @param freeRoom called while waiting for room: deletes what Kafka acknowledged
     * @param window where committed records go for a caught-up reader
     */
    SpoolAppender(SpoolSettings settings, Clock clock, LongSupplier nanoTime, SpoolMetrics metrics,
                  SegmentIndex index, Acknowledgements acks, long end, Object signal, BooleanSupplier closed,
                  Consumer<String> onFull, Runnable freeRoom, DiskFloor floor, HandOffWindow window) {
        this.settings = settings;
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.metrics = metrics;
        this.index = index;
        this.acks = acks;
        this.appendEnd = end;
        this.committedEnd = end;
        this.signal = signal;
        this.closed = closed;
        this.onFull = onFull;
        this.freeRoom = freeRoom;
        this.floor = floor;
        this.window = window;
        this.lastForceNanos = nanoTime.getAsLong();
    }

    /** The end of what was written: where the next record goes. */
    long appendEnd() {
        return appendEnd;
    }

    /** The end of what the reader may read (written and, under {@code always}, forced). */
    long committedEnd() {
        return committedEnd;
    }

    /** Whether an append waits for room now. */
    boolean waitingForRoom() {
        return waitingForRoom;
    }

    /** See {@link Spool#append}. */
    synchronized int append(List<OutboundEvent> events) {
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

    private void appendOne(OutboundEvent event) throws InterruptedException {
        int size = RecordCodec.framedSize(event);
        if (size > settings.maxBytes() / 4) {
            metrics.dropped(DropReason.TOO_LARGE).increment();
            log.error("Dropped a {}-byte event for node \"{}\": larger than a quarter of spool.max-bytes ({})", size,
                    NodeNames.forLog(new String(event.key(), StandardCharsets.UTF_8)), settings.maxBytes());
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
        // Handed out like a record read back from disk: nobody is told about it any more.
        OutboundEvent sent = event.durability() == Durability.NONE ? event : event.withDurability(Durability.NONE);
        bufferedEvents.add(new HandOffWindow.Committed(end, end + size, sent, sent.sizeInBytes()));
        buffered += size;
        bufferedRecords++;
        index.appended(end, now);
    }

    private void waitForRoom(int size) throws InterruptedException {
        while (true) {
            boolean atBound = appendEnd + buffered + size - index.firstBase() > settings.maxBytes();
            String disk = atBound ? null : floor.shortfall(buffered + size);
            if (!atBound && disk == null) {
                break;
            }
            if (buffered > 0) {
                commit();
                continue;
            }
            waitOnce(disk);
        }
        diskFull(false);
        waitingForRoom = false;
    }

    /** One round of waiting for room: tells {@code onFull} once, frees acknowledged segments, waits. */
    private void waitOnce(String diskShortfall) throws InterruptedException {
        if (!waitingForRoom) {
            waitingForRoom = true;
            onFull.accept(diskShortfall);
        }
        diskFull(diskShortfall != null);
        freeRoom.run();
        synchronized (signal) {
            if (closed.getAsBoolean()) {
                throw new InterruptedException("spool closed while full");
            }
            signal.wait(Spool.MAINTENANCE_MILLIS);
        }
    }

    private void diskFull(boolean full) {
        diskFull = full;
    }

    /** Whether appends wait for disk space now (a disk below its floor, or a write refused with ENOSPC). */
    boolean diskFull() {
        return diskFull;
    }

    /**
     * Writes the buffered records and, under {@code always}, forces them; then the reader may see them.
     * A full disk (ENOSPC, EDQUOT) makes it wait for space and write the whole buffer again at the
     * same offset: after a failed write or fsync nothing of it is trusted (a write that failed on a
     * full disk may have stored part of the buffer).
     *
     * @throws UncheckedIOException when the disk fails otherwise, or the spool closes while the disk is full
     */
    private void commit() {
        if (buffered == 0) {
            return;
        }
        int bytes = buffered;
        int count = bufferedRecords;
        writeBuffer.flip();
        try {
            while (true) {
                try {
                    writeAndForce();
                    break;
                } catch (IOException e) {
                    if (!DiskFloor.isNoSpace(e)) {
                        // The disk failed us: nothing more can be made durable, and dropping silently is not an option.
                        throw new UncheckedIOException("spool write failed in " + settings.dir(), e);
                    }
                    awaitSpace(bytes, e);
                    writeBuffer.rewind();
                }
            }
            // Before the reader may see them (committedEnd below): it finds them in memory.
            window.addAll(bufferedEvents);
        } finally {
            writeBuffer.clear();
            buffered = 0;
            bufferedRecords = 0;
            bufferedEvents.clear();
        }
        if (waitingForRoom && diskFull) {
            diskFull(false);
            waitingForRoom = false;
            log.info("Spool write succeeded again in {}: the disk has room", settings.dir());
        }
        appendEnd += bytes;
        committedEnd = appendEnd;
        acks.stored(count);
        metrics.appended.increment(count);
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    private void writeAndForce() throws IOException {
        // Positional: a failed write is repeated where its offset says.
        long at = appendEnd - activeBase;
        while (writeBuffer.hasRemaining()) {
            at += active.write(writeBuffer, at);
        }
        if (settings.fsync() == FsyncPolicy.ALWAYS) {
            force();
        } else {
            dirty = true;
        }
    }

    /** Waits until the spool's disk has room for {@code bytes}; the records stay in the write buffer. */
    private void awaitSpace(int bytes, IOException cause) {
        if (!diskFull) {
            log.error("Spool write refused in {} ({}): holding {} bytes of records and waiting for disk space; TCP"
                    + " reads pause and UDP datagrams are dropped meanwhile", settings.dir(), cause.getMessage(), bytes);
        }
        metrics.noSpaceRetries.increment();
        try {
            do {
                waitOnce("disk of " + settings.dir().toAbsolutePath() + " full: " + cause.getMessage());
            } while (floor.usableSpace() < bytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException("spool closed while its disk was full; " + bufferedRecords
                    + " records not stored", cause);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the free space of " + settings.dir(), e);
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
            active = PrivateFiles.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            activeBase = appendEnd;
            if (settings.fsync() == FsyncPolicy.ALWAYS) {
                SpoolDirectory.forceDirectory(settings.dir());
            }
            index.added(activeBase, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a spool segment in " + settings.dir(), e);
        }
    }

    /** Under {@code fsync: interval}: forces what was written when the interval has passed. For maintenance. */
    void forceIfDue() throws IOException {
        if (settings.fsync() == FsyncPolicy.INTERVAL
                && nanoTime.getAsLong() - lastForceNanos >= settings.fsyncInterval().toNanos()) {
            synchronized (this) {
                if (dirty && active != null) {
                    force();
                }
            }
        }
    }

    /** Writes and forces what is buffered and closes the segment. Call after the appending thread stopped. */
    synchronized void close() {
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
}
