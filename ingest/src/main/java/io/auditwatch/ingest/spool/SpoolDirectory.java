package io.auditwatch.ingest.spool;

import io.auditwatch.alerting.PrivateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The spool's files: segments named by the spool offset of their first byte
 * ({@code 00000000000000123456.seg}; offsets count bytes over the spool's whole history, so they
 * never repeat), and {@code acked.checkpoint}, the offset below which Kafka acknowledged everything.
 */
final class SpoolDirectory {
    private static final Logger log = LoggerFactory.getLogger(SpoolDirectory.class);

    static final String SEGMENT_SUFFIX = ".seg";
    static final String CHECKPOINT = "acked.checkpoint";
    private static final String CHECKPOINT_TMP = "acked.checkpoint.tmp";

    private SpoolDirectory() {
    }

    static Path segment(Path dir, long base) {
        return dir.resolve(String.format("%020d%s", base, SEGMENT_SUFFIX));
    }

    /** Segment files by base offset; other files are left alone. */
    static TreeMap<Long, Path> segments(Path dir) throws IOException {
        TreeMap<Long, Path> found = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SEGMENT_SUFFIX)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                try {
                    found.put(Long.parseLong(name.substring(0, name.length() - SEGMENT_SUFFIX.length())), f);
                } catch (NumberFormatException e) {
                    log.warn("Ignoring {} in the spool directory: not a segment name", f);
                }
            }
        }
        return found;
    }

    /** The acknowledged offset, or -1 when there is no valid checkpoint (everything is resent). */
    static long readCheckpoint(Path dir) {
        Path f = dir.resolve(CHECKPOINT);
        if (!Files.exists(f)) {
            return -1;
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f));
            if (b.remaining() == 12) {
                long offset = b.getLong();
                if ((int) crc(offset) == b.getInt() && offset >= 0) {
                    return offset;
                }
            }
            log.warn("Spool checkpoint {} is damaged: every record in the spool will be sent again (consumers drop"
                    + " duplicates by event id)", f);
        } catch (IOException e) {
            log.warn("Spool checkpoint {} is unreadable ({}): every record in the spool will be sent again", f, e.toString());
        }
        return -1;
    }

    /**
     * Writes the checkpoint so that a crash leaves either the old or the new one: a forced temporary
     * file renamed over the old one.
     */
    static void writeCheckpoint(Path dir, long offset) {
        Path tmp = dir.resolve(CHECKPOINT_TMP);
        ByteBuffer b = ByteBuffer.allocate(12).putLong(offset).putInt((int) crc(offset)).flip();
        try (FileChannel ch = PrivateFiles.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.move(tmp, dir.resolve(CHECKPOINT), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IllegalStateException("the spool directory's file system cannot rename atomically: " + dir, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes created and deleted directory entries durable (needed for {@code fsync: always}). */
    static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems refuse to open a directory for reading; the data itself was forced.
            log.debug("Cannot force directory {}: {}", dir, e.toString());
        }
    }

    private static long crc(long offset) {
        CRC32C c = new CRC32C();
        c.update(ByteBuffer.allocate(8).putLong(0, offset));
        return c.getValue();
    }
}
