package io.auditwatch.ingest.spool;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the disk spool stores and bounds what it holds. A plain value: the defaults of the
 * {@code spool.*} keys live in the service's configuration table, not here.
 *
 * @param dir the spool's directory ({@code <data-dir>/spool}); created if missing
 * @param maxBytes bound of the segment files on disk, in bytes; appends wait (TCP pauses, UDP drops)
 *     beyond it. Acknowledged records free their space when their whole segment is acknowledged, so
 *     a segment is a sixteenth of this bound, at most {@link #MAX_SEGMENT_BYTES}.
 * @param fsync when appended records are forced to the disk
 * @param fsyncInterval the period of {@link FsyncPolicy#INTERVAL}; ignored otherwise
 * @param alertFill fill ratio (0-1, exclusive of 0) at which the DISK_NEARLY_FULL alert fires
 * @param minFreeBytes free bytes the disks of {@code dir} and its parent (the data directory) keep:
 *     below it appends wait as when the spool is full ({@link DiskFloor}); 0 for no floor
 * @param minFreePercent the same floor in percent of each disk's size (0-99); the larger applies
 */
public record SpoolSettings(Path dir, long maxBytes, FsyncPolicy fsync, Duration fsyncInterval, double alertFill,
                            long minFreeBytes, int minFreePercent) {

    /**
     * The smallest bound: four maximum-size records (a 64 KiB message grows to about 200 KiB as an
     * envelope) must fit, or a single big record could wait for room forever.
     */
    public static final long MIN_MAX_BYTES = 1L << 20;

    /**
     * 64 MiB segments: large enough that creating files is rare (one per ~200,000 events), small
     * enough that a fully acknowledged segment frees its space soon after an outage.
     */
    public static final long MAX_SEGMENT_BYTES = 64L << 20;

    /** Segments per bound: the bound overshoots what is unacknowledged by at most one segment (6%). */
    static final int SEGMENTS_PER_BOUND = 16;

    /** Settings without a free-space floor: appends only wait for {@code maxBytes} (and for a full disk). */
    public SpoolSettings(Path dir, long maxBytes, FsyncPolicy fsync, Duration fsyncInterval, double alertFill) {
        this(dir, maxBytes, fsync, fsyncInterval, alertFill, 0, 0);
    }

    public SpoolSettings {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(fsync, "fsync");
        Objects.requireNonNull(fsyncInterval, "fsyncInterval");
        if (maxBytes < MIN_MAX_BYTES) {
            throw new IllegalArgumentException("maxBytes must be at least " + MIN_MAX_BYTES + ": " + maxBytes);
        }
        if (fsyncInterval.isNegative() || fsyncInterval.isZero()) {
            throw new IllegalArgumentException("fsyncInterval must be positive: " + fsyncInterval);
        }
        if (!(alertFill > 0 && alertFill <= 1)) {
            throw new IllegalArgumentException("alertFill must be in (0, 1]: " + alertFill);
        }
        if (minFreeBytes < 0 || minFreePercent < 0 || minFreePercent > 99) {
            throw new IllegalArgumentException("need minFreeBytes >= 0 and minFreePercent 0-99, got " + minFreeBytes
                    + " and " + minFreePercent);
        }
    }

    /** Size at which the writer starts a new segment file. */
    long segmentBytes() {
        return Math.min(MAX_SEGMENT_BYTES, maxBytes / SEGMENTS_PER_BOUND);
    }
}
