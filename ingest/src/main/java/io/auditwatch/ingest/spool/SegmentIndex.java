package io.auditwatch.ingest.spool;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What is on disk, by offset: the segment files and the append time of the records in them. The
 * appender adds to it, the reader looks segments up, maintenance removes what Kafka acknowledged.
 *
 * <p>Lock: this object's monitor guards {@code segments} and {@code ages}; it is held only for map
 * operations, never for I/O. {@code firstBase} is written under it and read without it.
 */
final class SegmentIndex {
    /** Oldest-record ages are tracked per second of append time: one entry per second, not per batch. */
    static final long AGE_RESOLUTION_MILLIS = 1_000;

    /** Segment files by base offset; the last entry is the segment being appended to. */
    private final TreeMap<Long, Path> segments;
    /** First append time (ms) of the records from each offset on, one entry per second. */
    private final TreeMap<Long, Long> ages;
    /** Base offset of the oldest segment: where the bytes the spool holds begin. */
    private volatile long firstBase;

    SegmentIndex(TreeMap<Long, Path> segments, TreeMap<Long, Long> ages, long end) {
        this.segments = segments;
        this.ages = ages;
        this.firstBase = segments.isEmpty() ? end : segments.firstKey();
    }

    long firstBase() {
        return firstBase;
    }

    /** A new segment for appending, starting at offset {@code base}. */
    synchronized void added(long base, Path file) {
        segments.put(base, file);
        firstBase = segments.firstKey();
    }

    /** A record appended at {@code offset} at {@code nowMillis}; kept when a second passed since the last kept one. */
    synchronized void appended(long offset, long nowMillis) {
        Map.Entry<Long, Long> last = ages.lastEntry();
        if (last == null || nowMillis - last.getValue() >= AGE_RESOLUTION_MILLIS) {
            ages.put(offset, nowMillis);
        }
    }

    /**
     * The segment holding {@code pos}.
     *
     * @param committed the end of committed bytes, read before this call: the limit of the last segment
     * @return the segment, or, when no segment starts at or below {@code pos}, a {@link Located} without
     *     a file whose {@code base} is where to read from instead
     */
    synchronized Located locate(long pos, long committed) {
        Map.Entry<Long, Path> s = segments.floorEntry(pos);
        if (s == null) {
            return new Located(segments.isEmpty() ? committed : segments.firstKey(), null, committed);
        }
        Long nextBase = segments.higherKey(s.getKey());
        return new Located(s.getKey(), s.getValue(), nextBase != null ? nextBase : committed);
    }

    /** A segment file from {@code base} (inclusive) to {@code end} (exclusive, what may be read of it). */
    record Located(long base, Path file, long end) {
    }

    /**
     * Removes the segments whose every record lies below {@code acked}, never the one being appended
     * to, and the ages below it.
     *
     * @return the files of the removed segments, for the caller to delete
     */
    synchronized List<Path> release(long acked) {
        List<Path> freed = new ArrayList<>();
        while (segments.size() >= 2 && segments.higherKey(segments.firstKey()) <= acked) {
            freed.add(segments.pollFirstEntry().getValue());
            firstBase = segments.firstKey();
        }
        while (ages.size() > 1 && ages.higherKey(ages.firstKey()) <= acked) {
            ages.pollFirstEntry();
        }
        return freed;
    }

    /** Append time (ms) of the record at {@code offset} to the resolution kept, or null when none is known. */
    synchronized Long appendedMillis(long offset) {
        Map.Entry<Long, Long> e = ages.floorEntry(offset);
        return e != null ? e.getValue() : ages.isEmpty() ? null : ages.firstEntry().getValue();
    }
}
