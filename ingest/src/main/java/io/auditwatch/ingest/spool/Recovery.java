package io.auditwatch.ingest.spool;

import io.auditwatch.alerting.PrivateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a previous run left in the spool directory, made ready to replay: segments Kafka fully
 * acknowledged are deleted, the last segment's torn tail (a record cut short by a crash) is cut off
 * and counted, and the records still to send are counted. Corruption before the end is left where
 * it is: the reader skips it and counts it when it gets there.
 */
final class Recovery {
    private static final Logger log = LoggerFactory.getLogger(Recovery.class);

    /**
     * @param segments the segments left, by base offset
     * @param ackedOffset where sending resumes: the checkpoint, or the oldest segment without one
     * @param end the offset after the last valid record; new appends start here
     * @param records valid records from {@code ackedOffset} to {@code end}
     * @param ages first append time (ms) per segment, for the oldest-record gauge
     * @param tornTails torn tails cut off (0 or 1)
     */
    record State(TreeMap<Long, Path> segments, long ackedOffset, long end, long records, TreeMap<Long, Long> ages,
                 int tornTails) {
    }

    private Recovery() {
    }

    static State recover(Path dir) throws IOException {
        PrivateFiles.createDirectories(dir);
        TreeMap<Long, Path> segments = SpoolDirectory.segments(dir);
        long checkpoint = SpoolDirectory.readCheckpoint(dir);
        long acked = checkpoint >= 0 ? checkpoint : segments.isEmpty() ? 0 : segments.firstKey();
        // A segment is fully acknowledged when the next one starts at or below the checkpoint.
        while (segments.size() > 1 && segments.higherKey(segments.firstKey()) <= acked) {
            Files.deleteIfExists(segments.pollFirstEntry().getValue());
        }
        if (!segments.isEmpty() && acked < segments.firstKey()) {
            acked = segments.firstKey();
        }
        long end = acked;
        long records = 0;
        int torn = 0;
        TreeMap<Long, Long> ages = new TreeMap<>();
        for (Map.Entry<Long, Path> s : segments.entrySet()) {
            long base = s.getKey();
            Long next = segments.higherKey(base);
            long size = Files.size(s.getValue());
            long limit = next != null ? next - base : size;
            long from = Math.max(0, acked - base);
            long validEnd = from;
            boolean first = true;
            try (SegmentReader reader = new SegmentReader(s.getValue(), from)) {
                SegmentReader.Item item;
                while ((item = reader.next(limit)) != null) {
                    if (item instanceof SegmentReader.Frame f) {
                        records++;
                        validEnd = f.end();
                        if (first) {
                            ages.put(base + f.start(), f.payload().getLong(0));
                            first = false;
                        }
                    } else if (next == null && item.end() == limit) {
                        torn++;
                        log.warn("Spool segment {} ends with {} bytes that are no complete record (a write cut short by a"
                                + " crash): cut off at offset {}", s.getValue(), item.end() - item.start(), item.start());
                    } else {
                        log.warn("Spool segment {} holds {} damaged bytes at offset {}: they will be skipped and counted"
                                + " when replayed", s.getValue(), item.end() - item.start(), item.start());
                        validEnd = item.end();
                    }
                }
            }
            if (next == null) {
                if (validEnd < size) {
                    try (FileChannel ch = FileChannel.open(s.getValue(), StandardOpenOption.WRITE)) {
                        ch.truncate(validEnd);
                        ch.force(true);
                    }
                }
                end = Math.max(end, base + validEnd);
            } else {
                end = Math.max(end, next);
            }
        }
        // An empty last segment would share its name with the next one the writer creates.
        if (!segments.isEmpty() && Files.size(segments.lastEntry().getValue()) == 0) {
            Files.deleteIfExists(segments.pollLastEntry().getValue());
        }
        return new State(segments, acked, end, records, ages, torn);
    }
}
