package io.auditwatch.ingest.spool;

import io.auditwatch.ingest.kafka.EventLog;
import io.auditwatch.ingest.kafka.OutboundEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tracks what the reader handed out until Kafka acknowledged or failed it, and moves the
 * acknowledged offset (what the checkpoint persists and below which segments may be deleted) over
 * every settled record at the head. A failure makes the reader start again from the acknowledged
 * offset once nothing is in flight, skipping records acknowledged after it.
 *
 * <p>Lock: this object's monitor guards {@code pending}, {@code ackedAhead}, {@code outstanding},
 * {@code outstandingBytes} and {@code rewind}. {@code ackedOffset} is written under it and read
 * without it; {@code records} is atomic (the appender adds, acknowledgements subtract).
 */
final class Acknowledgements {
    private static final Logger log = LoggerFactory.getLogger(Spool.class);

    private final long inflightLimitBytes;
    private final Object signal;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final Set<Long> ackedAhead = new HashSet<>();
    private int outstanding;
    private long outstandingBytes;
    private boolean rewind;
    private volatile long ackedOffset;
    private final AtomicLong records;

    /**
     * @param inflightLimitBytes bound of bytes handed out and not yet acknowledged or failed
     * @param signal notified when an acknowledgement or a failure lets the reader go on
     */
    Acknowledgements(long ackedOffset, long records, long inflightLimitBytes, Object signal) {
        this.ackedOffset = ackedOffset;
        this.records = new AtomicLong(records);
        this.inflightLimitBytes = inflightLimitBytes;
        this.signal = signal;
    }

    /** The offset below which Kafka acknowledged everything. */
    long ackedOffset() {
        return ackedOffset;
    }

    /** Records stored and not yet acknowledged. */
    long records() {
        return records.get();
    }

    /** {@code count} records were committed to disk. */
    void stored(int count) {
        records.addAndGet(count);
    }

    /**
     * After a failure, once nothing is in flight: forgets what was handed out, remembering which
     * records after the acknowledged offset were acknowledged all the same.
     *
     * @return the offset to read from again, or -1 when no rewind is due
     */
    synchronized long rewindIfDue() {
        if (!rewind || outstanding != 0) {
            return -1;
        }
        ackedAhead.clear();
        for (Pending p : pending) {
            if (p.state == Pending.ACKED && p.event != null) {
                ackedAhead.add(p.start);
            }
        }
        pending.clear();
        rewind = false;
        log.info("Kafka failed a delivery: sending again from spool offset {} ({} records after it already"
                + " acknowledged are skipped)", ackedOffset, ackedAhead.size());
        return ackedOffset;
    }

    /** Whether the reader may hand out more: no rewind is pending and the in-flight bytes are below the bound. */
    synchronized boolean mayHandOut() {
        return !rewind && outstandingBytes < inflightLimitBytes;
    }

    /** Whether the record at {@code start} was acknowledged before a rewind; it is then not sent again. */
    synchronized boolean acknowledgedAhead(long start) {
        return ackedAhead.remove(start);
    }

    /** The reader hands {@code p} out: it is in flight until acknowledged or failed. */
    synchronized void handedOut(Pending p) {
        pending.addLast(p);
        outstanding++;
        outstandingBytes += p.size;
    }

    /** Adds a position that needs no acknowledgement (a gap, a skipped record) in its place. */
    synchronized void settled(Pending p) {
        p.state = Pending.ACKED;
        pending.addLast(p);
        advance();
    }

    void acknowledged(EventLog.Entry entry) {
        resolve((Pending) entry, Pending.ACKED);
    }

    void failed(EventLog.Entry entry) {
        resolve((Pending) entry, Pending.FAILED);
    }

    /** Kafka's verdict on a handed-out record; a second verdict on the same record is ignored. */
    private void resolve(Pending p, int outcome) {
        synchronized (this) {
            if (p.state != Pending.SENT) {
                return;
            }
            p.state = outcome;
            outstanding--;
            outstandingBytes -= p.size;
            if (outcome == Pending.ACKED) {
                advance();
            } else {
                rewind = true;
            }
        }
        wake();
    }

    private void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    /** Moves the acknowledged offset over every settled record at the head. Holds the lock. */
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

    /** A record (or a skipped stretch) handed out and its acknowledgement state. */
    static final class Pending implements EventLog.Entry {
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
