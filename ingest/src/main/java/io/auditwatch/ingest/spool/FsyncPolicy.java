package io.auditwatch.ingest.spool;

import java.util.Locale;

/**
 * When the spool forces appended records to the disk ({@code FileChannel.force}, fdatasync on Linux).
 * What each one can lose is stated in ingest/README.md, "Delivery semantics".
 */
public enum FsyncPolicy {
    /**
     * Every appended batch is forced before it counts as spooled (group commit: the publisher thread
     * appends everything queued since the last force, then forces once). A kill -9 or a power loss
     * loses nothing that was counted as spooled.
     */
    ALWAYS,
    /**
     * Forced every {@code spool.fsync-interval}. A kill -9 loses nothing (the page cache survives the
     * process); a power loss or kernel crash loses at most the last interval.
     */
    INTERVAL,
    /**
     * Never forced explicitly, except on segment roll and graceful close: the kernel writes dirty pages
     * back on its own schedule ({@code vm.dirty_expire_centisecs}, 30 s by default). A kill -9 loses
     * nothing; a power loss loses what the kernel had not written back.
     */
    OS;

    /** The configuration value: {@code always}, {@code interval} or {@code os}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
