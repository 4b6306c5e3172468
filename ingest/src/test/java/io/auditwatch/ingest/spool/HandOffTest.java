package io.auditwatch.ingest.spool;

import io.auditwatch.ingest.kafka.EventLog;
import io.auditwatch.ingest.kafka.OutboundEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hand-off from the appender to a caught-up reader ({@link HandOffWindow}): records from
 * memory while caught up, from the segment files when behind, and back; the order is the append
 * order and nothing is lost or handed out twice, whichever source.
 */
class HandOffTest {
    /** Value bytes: small, so that the window's record bound, not its byte bound, is the one reached. */
    static final int VALUE_BYTES = 100;

    @TempDir
    Path dir;

    private final List<Spool> open = new ArrayList<>();
    private SimpleMeterRegistry registry;

    @AfterEach
    void closeAll() {
        open.forEach(Spool::close);
    }

    private Spool open() {
        registry = new SimpleMeterRegistry();
        Spool s = new Spool(new SpoolSettings(dir, 256L << 20, FsyncPolicy.INTERVAL, Duration.ofMillis(200), 0.8),
                256L << 20, registry, Clock.systemUTC(), System::nanoTime, null);
        open.add(s);
        return s;
    }

    private double diskReads() {
        return registry.get("auditwatch.spool.disk.read.records").counter().count();
    }

    /** Takes {@code count} records, asserts they are {@code from}, {@code from+1}, ... and acknowledges them. */
    private static void takeInOrder(Spool s, int from, int count) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            EventLog.Entry e = s.next(2_000);
            if (e == null) {
                throw new AssertionError("only " + i + " of " + count + " records handed out after #" + from);
            }
            assertEquals(from + i, SpoolEvents.seq(e.event()), "record " + i + " of " + count + " from #" + from);
            s.acknowledged(e);
        }
    }

    @Test
    void caughtUpReaderGetsTheAppendedEventsFromMemoryAndTheSegmentStillHoldsThem() throws Exception {
        Spool s = open();
        List<OutboundEvent> sent = SpoolEvents.events(0, 200, 300);
        assertEquals(200, s.append(sent));
        List<EventLog.Entry> got = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            got.add(s.next(2_000));
        }
        assertEquals(0, diskReads(), "nothing read back from disk");
        for (int i = 0; i < 200; i++) {
            assertSame(sent.get(i).value(), got.get(i).event().value());
        }
        // Not acknowledged: the write-ahead log still has every record for the next start.
        s.close();
        Spool again = open();
        assertEquals(200, again.pendingRecords());
        for (int i = 0; i < 200; i++) {
            OutboundEvent replayed = again.next(2_000).event();
            assertArrayEquals(sent.get(i).key(), replayed.key());
            assertArrayEquals(sent.get(i).value(), replayed.value());
            assertEquals(sent.get(i).headers(), replayed.headers());
        }
        assertEquals(200, diskReads(), "records left by a previous run come from disk");
    }

    @Test
    void readerSwitchesToDiskWhenBehindAndBackToMemoryOnceCaughtUpKeepingOrder() throws Exception {
        Spool s = open();
        int window = HandOffWindow.MAX_RECORDS;
        long bytes = (long) window * SpoolEvents.event("node-0", window, VALUE_BYTES).sizeInBytes();
        assertTrue(bytes < HandOffWindow.MAX_BYTES, "the record bound is reached first: " + bytes);

        // Caught up: appended, handed out from memory.
        s.append(SpoolEvents.events(0, 1_000, VALUE_BYTES));
        takeInOrder(s, 0, 1_000);
        assertEquals(0, diskReads());

        // Behind (the producer did not take anything): the window fills, 5,000 records are left to the disk.
        int behind = window + 5_000;
        s.append(SpoolEvents.events(1_000, behind, VALUE_BYTES));
        // The reader takes half of the window; the room it frees goes to what is appended meanwhile.
        takeInOrder(s, 1_000, window / 2);
        s.append(SpoolEvents.events(1_000 + behind, 3_000, VALUE_BYTES));
        takeInOrder(s, 1_000 + window / 2, behind - window / 2 + 3_000);
        assertEquals(5_000, diskReads(), "exactly the records left out of the window came from disk");

        // Caught up again: from memory.
        s.append(SpoolEvents.events(4_000 + behind, 1_000, VALUE_BYTES));
        takeInOrder(s, 4_000 + behind, 1_000);
        assertEquals(5_000, diskReads());
        assertNull(s.next(20), "nothing handed out twice");
        assertTrue(s.drained());
        assertEquals(0, s.pendingRecords());
    }

    @Test
    void failedRecordIsSentAgainFromDiskAndTheReaderReturnsToMemoryAfterwards() throws Exception {
        Spool s = open();
        s.append(SpoolEvents.events(0, 10, VALUE_BYTES));
        List<EventLog.Entry> first = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            first.add(s.next(2_000));
        }
        s.failed(first.get(3));
        for (int i = 0; i < 10; i++) {
            if (i != 3) {
                s.acknowledged(first.get(i));
            }
        }
        s.append(SpoolEvents.events(10, 5, VALUE_BYTES));
        takeInOrder(s, 3, 1);
        assertEquals(1, diskReads(), "the failed record is read back from its segment");
        // Records 4 to 9 were acknowledged after the failure: read back only to be skipped; 10 to 14 from memory.
        takeInOrder(s, 10, 5);
        assertEquals(7, diskReads(), "records after the replayed stretch come from memory");
        assertNull(s.next(20));
        await().atMost(Duration.ofSeconds(5)).until(s::drained);
    }
}
