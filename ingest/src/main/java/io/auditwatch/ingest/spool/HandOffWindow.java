package io.auditwatch.ingest.spool;

import io.auditwatch.ingest.kafka.OutboundEvent;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The records committed last, kept in memory for the reader: while it is caught up with the
 * appender, the reader hands these to the producer as they are instead of reading them back from
 * the segment file and decoding them (ingest/README.md, "Disk spool"). The segment file stays the
 * write-ahead log: a record enters the window only after its commit (written, and forced under
 * {@code fsync: always}), when the reader may read it from disk too; acknowledgement and recovery
 * go by offset, the same for a record from either source.
 *
 * <p>When the reader falls behind (Kafka slow or down, the in-flight bound reached), the window fills
 * up to its bound and the appender leaves further records out; the reader reads those from disk,
 * and takes from memory again once it reaches a record the window holds. The reader takes a record
 * only at its own position, so what it hands out is the append order from either source and across
 * every switch.
 *
 * <p>Lock: this object's monitor guards the deque and the byte count; the appending thread adds, the
 * reading thread takes.
 */
final class HandOffWindow {
    /**
     * Bytes of records held ({@link OutboundEvent#sizeInBytes()}): room for a few group commits of
     * envelopes (the publisher appends up to 4,096 per commit, about 3 MiB of 700-byte envelopes),
     * so that a caught-up reader never has to read from disk, while memory beyond the publisher's
     * own bound ({@code kafka.queue-bytes}) stays small.
     */
    static final long MAX_BYTES = 8L << 20;

    /** Records held, whatever their size: bounds the per-record overhead of a flood of tiny events. */
    static final int MAX_RECORDS = 16_384;

    /**
     * A committed record: its offsets in the spool, the event as appended (what the segment file holds
     * of it, byte for byte) and its {@link OutboundEvent#sizeInBytes()}.
     */
    record Committed(long start, long end, OutboundEvent event, long size) {
    }

    private final ArrayDeque<Committed> records = new ArrayDeque<>();
    private long bytes;

    /**
     * Adds records just committed, in append order; the ones that do not fit are left out and are
     * read from disk.
     */
    synchronized void addAll(List<Committed> committed) {
        for (Committed c : committed) {
            if (records.size() >= MAX_RECORDS || bytes + c.size() > MAX_BYTES) {
                return;
            }
            records.addLast(c);
            bytes += c.size();
        }
    }

    /**
     * Removes and returns the record starting at {@code offset}, the reader's position; null when the
     * window does not hold it (read it from disk). Records before {@code offset} are dropped: the
     * reader is past them.
     */
    synchronized Committed take(long offset) {
        Committed head;
        while ((head = records.peekFirst()) != null && head.start() <= offset) {
            records.pollFirst();
            bytes -= head.size();
            if (head.start() == offset) {
                return head;
            }
        }
        return null;
    }

    /** Drops everything (the spool closes). */
    synchronized void clear() {
        records.clear();
        bytes = 0;
    }
}
