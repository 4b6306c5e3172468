package io.auditwatch.ingest.spool;

import io.auditwatch.ingest.kafka.EventLog;
import io.auditwatch.ingest.kafka.OutboundEvent;
import io.auditwatch.ingest.log.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Hands out the committed records in append order, skipping damaged stretches (counted and logged)
 * and records acknowledged before a rewind. The record at the read position comes from the
 * {@link HandOffWindow} when it holds it (the reader is caught up with the appender), else from the
 * segment file (replay, or the reader fell behind); either way it is the same record at the same
 * offsets, tracked the same way. Its state belongs to the one reading thread and needs no lock; it
 * waits on the spool's signal for data or acknowledgements.
 */
final class SpoolReader {
    private static final Logger log = LoggerFactory.getLogger(Spool.class);

    /** How long the reader waits per round for data or for acknowledgements. */
    static final long READ_WAIT_MILLIS = 10;

    private final Clock clock;
    private final LongSupplier nanoTime;
    private final SpoolMetrics metrics;
    private final SegmentIndex index;
    private final SpoolAppender appender;
    private final Acknowledgements acks;
    private final HandOffWindow window;
    private final Object signal;
    private final BooleanSupplier closed;
    private final RateLimitedLog corruptLog = new RateLimitedLog(log, "Damaged spool records skipped");

    private SegmentReader reader;
    private long readerBase = -1;
    private long readPos;
    private long maxReadEnd;
    /** Where the previous run's records end: records below it are counted as replayed. */
    private final long recoveredEnd;

    SpoolReader(Clock clock, LongSupplier nanoTime, SpoolMetrics metrics, SegmentIndex index, SpoolAppender appender,
                Acknowledgements acks, HandOffWindow window, long ackedOffset, long recoveredEnd, Object signal,
                BooleanSupplier closed) {
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.metrics = metrics;
        this.index = index;
        this.appender = appender;
        this.acks = acks;
        this.window = window;
        this.readPos = ackedOffset;
        this.maxReadEnd = ackedOffset;
        this.recoveredEnd = recoveredEnd;
        this.signal = signal;
        this.closed = closed;
    }

    /** See {@link Spool#next}. */
    EventLog.Entry next(long timeoutMillis) throws InterruptedException {
        long deadline = nanoTime.getAsLong() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            long from = acks.rewindIfDue();
            if (from >= 0) {
                readPos = from;
                closeReader();
            }
            boolean mayRead = acks.mayHandOut();
            if (mayRead && readPos < appender.committedEnd()) {
                Acknowledgements.Pending p = readOne();
                if (p != null) {
                    return p;
                }
                continue;
            }
            long left = deadline - nanoTime.getAsLong();
            if (left <= 0 || closed.getAsBoolean()) {
                return null;
            }
            synchronized (signal) {
                if (!(mayRead && readPos < appender.committedEnd())) {
                    signal.wait(Math.max(1, Math.min(READ_WAIT_MILLIS, TimeUnit.NANOSECONDS.toMillis(left))));
                }
            }
        }
    }

    /** Reads at {@link #readPos}: the next record to hand out, or null after a gap or a skipped record. */
    private Acknowledgements.Pending readOne() {
        HandOffWindow.Committed c = window.take(readPos);
        if (c != null) {
            return handOut(c.start(), c.end(), c.event(), c.size());
        }
        return readFromDisk();
    }

    /** Reads the record at {@link #readPos} from its segment file. */
    private Acknowledgements.Pending readFromDisk() {
        // Read before the segment map: a segment created after this read holds no committed bytes yet.
        SegmentIndex.Located s = index.locate(readPos, appender.committedEnd());
        if (s.file() == null) {
            readPos = s.base();
            return null;
        }
        long base = s.base();
        long limit = s.end() - base;
        try {
            if (reader == null || readerBase != base) {
                closeReader();
                reader = new SegmentReader(s.file(), readPos - base);
                readerBase = base;
            } else if (reader.position() != readPos - base) {
                // Records since the last disk read came from memory.
                reader.seek(readPos - base);
            }
            SegmentReader.Item item = reader.next(limit);
            if (item == null) {
                readPos = base + limit;
                return null;
            }
            long start = base + item.start();
            long end = base + item.end();
            if (item instanceof SegmentReader.Gap) {
                if (!passed(start, end)) {
                    metrics.dropped(DropReason.CORRUPT).increment();
                    corruptLog.record("Spool segment " + s.file() + ": " + (end - start) + " damaged bytes at offset "
                            + item.start() + " skipped; the records in them are lost");
                }
                return settle(new Acknowledgements.Pending(start, end, null, 0, false));
            }
            ByteBuffer payload = ((SegmentReader.Frame) item).payload();
            RecordCodec.Decoded d;
            try {
                long ageNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, clock.millis() - payload.getLong(0)));
                d = RecordCodec.decode(payload, nanoTime.getAsLong() - ageNanos);
            } catch (IllegalArgumentException e) {
                if (!passed(start, end)) {
                    metrics.dropped(DropReason.CORRUPT).increment();
                    corruptLog.record("Spool segment " + s.file() + ": record at offset " + item.start()
                            + " has a valid CRC but does not decode (" + e.getMessage() + "); skipped");
                }
                return settle(new Acknowledgements.Pending(start, end, null, 0, true));
            }
            metrics.diskReads.increment();
            return handOut(start, end, d.event(), d.event().sizeInBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("spool read failed in " + s.file(), e);
        }
    }

    /** Hands out the record from {@code start} to {@code end}, unless it was acknowledged before a rewind. */
    private Acknowledgements.Pending handOut(long start, long end, OutboundEvent event, long size) {
        boolean seenBefore = passed(start, end);
        if (acks.acknowledgedAhead(start)) {
            return settle(new Acknowledgements.Pending(start, end, null, 0, true));
        }
        if (seenBefore || start < recoveredEnd) {
            metrics.replayed.increment();
        }
        Acknowledgements.Pending p = new Acknowledgements.Pending(start, end, event, size, true);
        acks.handedOut(p);
        return p;
    }

    /**
     * Moves the read position over {@code [start, end)}.
     *
     * @return whether the reader was past {@code start} before (read again after a rewind)
     */
    private boolean passed(long start, long end) {
        boolean seenBefore = start < maxReadEnd;
        readPos = end;
        maxReadEnd = Math.max(maxReadEnd, end);
        return seenBefore;
    }

    private Acknowledgements.Pending settle(Acknowledgements.Pending p) {
        acks.settled(p);
        return null;
    }

    /** Closes the open segment file; the next read opens it again. */
    void closeReader() {
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

    /** Writes what the rate limit held back. */
    void flush() {
        corruptLog.flush();
    }
}
