package io.auditwatch.service;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/** Free space of the file system holding the data directory (embedded broker, spool, outbox). */
final class DiskSpace {
    /** Below 10% free the broker, spool and outbox are at risk: alert while there is time to act. */
    static final double NEARLY_FULL_FREE_RATIO = 0.10;

    private DiskSpace() {
    }

    /** Usable over total space, 1.0 when it cannot be read (not an alert in itself). */
    static double freeRatio(Path dir) {
        try {
            FileStore store = Files.getFileStore(existing(dir));
            long total = store.getTotalSpace();
            return total <= 0 ? 1.0 : (double) store.getUsableSpace() / total;
        } catch (IOException e) {
            return 1.0;
        }
    }

    static String describe(Path dir) {
        try {
            FileStore store = Files.getFileStore(existing(dir));
            return (store.getUsableSpace() >> 20) + " MiB free of " + (store.getTotalSpace() >> 20) + " MiB";
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static Path existing(Path dir) {
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p == null ? Path.of("/") : p;
    }
}
