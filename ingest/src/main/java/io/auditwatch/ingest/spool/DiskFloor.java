package io.auditwatch.ingest.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The free-space floor of the spool's disk and the data directory's disk ({@code spool.min-free-bytes},
 * {@code spool.min-free-percent}: the larger applies per disk). Below it the spool's appends wait exactly
 * as when the spool is at {@code spool.max-bytes}, so TCP and TLS readers are held back, UDP datagrams
 * are dropped and counted, and nothing accepted is given up; the disk keeps room for the embedded
 * broker, the alert outbox and the state files that share it.
 *
 * <p>Cost: one {@link FileStore#getUsableSpace} (a {@code statvfs}) per watched disk, at most every
 * {@link #CHECK_MILLIS}, unless the appends since the last look could have used up the margin it
 * measured; then once per group commit. Not thread-safe: the appending thread's.
 */
final class DiskFloor {
    /** The spool's maintenance period: space freed elsewhere is seen at least this soon. */
    static final long CHECK_MILLIS = Spool.MAINTENANCE_MILLIS;

    private record Watched(Path dir, FileStore store) {
    }

    private final List<Watched> disks = new ArrayList<>();
    private final long minFreeBytes;
    private final int minFreePercent;
    private final LongSupplier nanoTime;
    private long checkedAt;
    private long margin = -1;
    private long writtenSinceCheck;

    /**
     * @param dirs the directories whose disks keep the floor (the same disk is watched once)
     * @throws UncheckedIOException when a directory's disk cannot be found
     */
    DiskFloor(List<Path> dirs, long minFreeBytes, int minFreePercent, LongSupplier nanoTime) {
        this.minFreeBytes = minFreeBytes;
        this.minFreePercent = minFreePercent;
        this.nanoTime = nanoTime;
        for (Path d : dirs) {
            try {
                FileStore store = Files.getFileStore(d);
                if (disks.stream().noneMatch(w -> w.store().equals(store))) {
                    disks.add(new Watched(d, store));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find the disk of " + d, e);
            }
        }
    }

    boolean enabled() {
        return minFreeBytes > 0 || minFreePercent > 0;
    }

    /**
     * Whether writing {@code bytes} more would take a watched disk below its floor.
     *
     * @return null when there is room, else what is short, for the log and the alert
     */
    String shortfall(long bytes) {
        if (!enabled()) {
            return null;
        }
        long now = nanoTime.getAsLong();
        if (margin >= 0 && now - checkedAt < TimeUnit.MILLISECONDS.toNanos(CHECK_MILLIS)
                && writtenSinceCheck + bytes <= margin) {
            writtenSinceCheck += bytes;
            return null;
        }
        checkedAt = now;
        writtenSinceCheck = 0;
        margin = Long.MAX_VALUE;
        String shortOf = null;
        for (Watched w : disks) {
            try {
                long total = w.store().getTotalSpace();
                long floor = Math.max(minFreeBytes, total / 100 * minFreePercent);
                long left = w.store().getUsableSpace() - floor;
                if (left < bytes && shortOf == null) {
                    shortOf = "disk of " + w.dir().toAbsolutePath() + " below its free-space floor: "
                            + (left + floor) + " bytes free of " + total + ", floor " + floor;
                }
                margin = Math.min(margin, left);
            } catch (IOException e) {
                shortOf = "cannot read the free space of " + w.dir().toAbsolutePath() + ": " + e.getMessage();
            }
        }
        if (shortOf != null) {
            margin = -1; // look again next time
            return shortOf;
        }
        writtenSinceCheck = bytes;
        return null;
    }

    /** Usable bytes on the disk of the first watched directory (the spool's), for a write that failed. */
    long usableSpace() throws IOException {
        return disks.get(0).store().getUsableSpace();
    }

    /** Whether a write failed because the disk (or the user's quota) is full: ENOSPC or EDQUOT. */
    static boolean isNoSpace(IOException e) {
        String m = e.getMessage();
        return m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"));
    }
}
