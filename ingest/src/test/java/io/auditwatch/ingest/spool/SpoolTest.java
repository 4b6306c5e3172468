package io.auditwatch.ingest.spool;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertKind;
import io.auditwatch.ingest.kafka.EventLog;
import io.auditwatch.ingest.kafka.OutboundEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpoolTest {
    @TempDir
    Path dir;

    private final List<Spool> open = new ArrayList<>();
    private SimpleMeterRegistry registry;
    private final List<AlertEvent> alerts = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() {
        open.forEach(Spool::close);
    }

    private Spool open(long maxBytes, FsyncPolicy fsync) {
        registry = new SimpleMeterRegistry();
        Spool s = new Spool(new SpoolSettings(dir, maxBytes, fsync, Duration.ofMillis(200), 0.8), 8L << 20, registry,
                Clock.systemUTC(), System::nanoTime, alerts::add);
        open.add(s);
        return s;
    }

    private static List<EventLog.Entry> take(Spool s, int n) throws InterruptedException {
        List<EventLog.Entry> out = new ArrayList<>();
        while (out.size() < n) {
            EventLog.Entry e = s.next(2_000);
            if (e == null) {
                throw new AssertionError("only " + out.size() + " of " + n + " records handed out");
            }
            out.add(e);
        }
        return out;
    }

    private double dropped(String reason) {
        return registry.get("auditwatch.spool.dropped.records").tag("reason", reason).counter().count();
    }

    @Test
    void recordsComeBackByteIdenticalInAppendOrder() throws Exception {
        Spool s = open(64L << 20, FsyncPolicy.ALWAYS);
        List<OutboundEvent> sent = SpoolEvents.events(0, 500, 300);
        assertEquals(500, s.append(sent));
        List<EventLog.Entry> got = take(s, 500);
        for (int i = 0; i < 500; i++) {
            OutboundEvent a = sent.get(i);
            OutboundEvent b = got.get(i).event();
            assertArrayEquals(a.key(), b.key());
            assertArrayEquals(a.value(), b.value());
            assertEquals(a.headers(), b.headers());
        }
        assertNull(s.next(20));
    }

    @Test
    void unacknowledgedRecordsAreReplayedAfterRestartBeforeNewOnes() throws Exception {
        Spool s = open(64L << 20, FsyncPolicy.ALWAYS);
        s.append(SpoolEvents.events(0, 100, 200));
        take(s, 100).subList(0, 40).forEach(s::acknowledged);
        s.close();
        Spool again = open(64L << 20, FsyncPolicy.ALWAYS);
        again.append(SpoolEvents.events(100, 10, 200));
        List<EventLog.Entry> got = take(again, 70);
        for (int i = 0; i < 70; i++) {
            assertEquals(40 + i, SpoolEvents.seq(got.get(i).event()));
        }
        assertEquals(60, registry.get("auditwatch.spool.replayed.records").counter().count());
        assertEquals(70, again.pendingRecords());
    }

    @Test
    void failedRecordIsHandedOutAgainWithWhatFollowsButNotWhatWasAcknowledged() throws Exception {
        Spool s = open(64L << 20, FsyncPolicy.OS);
        s.append(SpoolEvents.events(0, 10, 100));
        List<EventLog.Entry> first = take(s, 10);
        s.acknowledged(first.get(0));
        s.failed(first.get(3));
        s.acknowledged(first.get(5));
        for (int i : new int[] {1, 2, 4, 6, 7, 8, 9}) {
            s.acknowledged(first.get(i));
        }
        List<EventLog.Entry> again = take(s, 1);
        assertEquals(3, SpoolEvents.seq(again.get(0).event()));
        assertNull(s.next(50), "records acknowledged after the failed one are not sent twice");
        s.acknowledged(again.get(0));
        assertTrue(s.drained());
        assertEquals(0, s.pendingRecords());
    }

    @Test
    void tornLastRecordIsCutOffCountedAndTheRestReplayed() throws Exception {
        Spool s = open(64L << 20, FsyncPolicy.ALWAYS);
        s.append(SpoolEvents.events(0, 20, 300));
        s.close();
        Path seg = onlySegment();
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.setLength(f.length() - 17);
        }
        Spool again = open(64L << 20, FsyncPolicy.ALWAYS);
        assertEquals(1, dropped("torn_tail"));
        assertEquals(19, again.pendingRecords());
        List<EventLog.Entry> got = take(again, 19);
        assertEquals(18, SpoolEvents.seq(got.get(18).event()));
        again.append(SpoolEvents.events(20, 1, 300));
        assertEquals(20, SpoolEvents.seq(take(again, 1).get(0).event()), "new appends follow the cut");
    }

    @Test
    void corruptedRecordInTheMiddleIsSkippedCountedAndTheNextOnesDelivered() throws Exception {
        Spool s = open(64L << 20, FsyncPolicy.ALWAYS);
        List<OutboundEvent> sent = SpoolEvents.events(0, 10, 300);
        s.append(sent);
        s.close();
        Path seg = onlySegment();
        long fifth = 0;
        for (int i = 0; i < 4; i++) {
            fifth += RecordCodec.framedSize(sent.get(i));
        }
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.seek(fifth + RecordCodec.HEADER_BYTES + 50);
            f.write(f.read() ^ 0x5a);
        }
        Spool again = open(64L << 20, FsyncPolicy.ALWAYS);
        List<Integer> seqs = new ArrayList<>();
        for (EventLog.Entry e : take(again, 9)) {
            seqs.add(SpoolEvents.seq(e.event()));
            again.acknowledged(e);
        }
        assertEquals(List.of(0, 1, 2, 3, 5, 6, 7, 8, 9), seqs);
        assertEquals(1, dropped("corrupt"));
        assertTrue(again.drained());
    }

    @Test
    void fullyAcknowledgedSegmentsAreDeletedAndSpaceFreed() throws Exception {
        Spool s = open(1L << 20, FsyncPolicy.OS); // 64 KiB segments
        s.append(SpoolEvents.events(0, 1_000, 300));
        assertTrue(segments().size() > 3);
        take(s, 1_000).forEach(s::acknowledged);
        await().atMost(Duration.ofSeconds(5)).until(() -> segments().size() == 1);
        assertTrue(s.health().bytes() < 64 * 1024);
        assertEquals(0, s.health().records());
    }

    @Test
    void fullSpoolMakesTheAppenderWaitUntilAcknowledgementsFreeSpace() throws Exception {
        Spool s = open(1L << 20, FsyncPolicy.OS);
        AtomicInteger appended = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        Thread appender = new Thread(() -> {
            for (int i = 0; i < 5_000; i += 100) {
                appended.addAndGet(s.append(SpoolEvents.events(i, 100, 300)));
            }
            done.countDown();
        });
        appender.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> s.health().full());
        assertFalse(done.await(200, TimeUnit.MILLISECONDS));
        assertTrue(appended.get() < 5_000);
        assertTrue(s.health().bytes() <= 1L << 20);
        assertTrue(alerts.stream().anyMatch(a -> a.kind() == AlertKind.SPOOL_FULL && a.status() == AlertEvent.Status.FIRING));
        int seen = 0;
        while (seen < 5_000) {
            EventLog.Entry e = s.next(2_000);
            assertEquals(seen, SpoolEvents.seq(e.event()));
            s.acknowledged(e);
            seen++;
        }
        assertTrue(done.await(5, TimeUnit.SECONDS));
        await().atMost(Duration.ofSeconds(5)).until(() -> alerts.stream()
                .anyMatch(a -> a.kind() == AlertKind.SPOOL_FULL && a.status() == AlertEvent.Status.RESOLVED));
        assertTrue(alerts.stream().anyMatch(a -> a.kind() == AlertKind.DISK_NEARLY_FULL));
    }

    @Test
    void checkpointLimitsWhatIsResentAfterACrash() throws Exception {
        Spool s = open(64L << 20, FsyncPolicy.ALWAYS);
        s.append(SpoolEvents.events(0, 50, 200));
        take(s, 50).subList(0, 30).forEach(s::acknowledged);
        // The maintenance thread persists the acknowledged offset within a second; no close() (a crash).
        await().atMost(Duration.ofSeconds(5)).until(() -> SpoolDirectory.readCheckpoint(dir) == s.ackedOffset());
        Spool after = new Spool(new SpoolSettings(dir, 64L << 20, FsyncPolicy.ALWAYS, Duration.ofSeconds(1), 0.8),
                8L << 20, new SimpleMeterRegistry(), Clock.systemUTC(), System::nanoTime, null);
        open.add(after);
        assertEquals(20, after.pendingRecords());
        assertEquals(30, SpoolEvents.seq(take(after, 1).get(0).event()));
    }

    @Test
    void inFlightBoundHoldsBackFurtherRecords() throws Exception {
        registry = new SimpleMeterRegistry();
        Spool s = new Spool(new SpoolSettings(dir, 64L << 20, FsyncPolicy.OS, Duration.ofSeconds(1), 0.8),
                10_000, registry, Clock.systemUTC(), System::nanoTime, null);
        open.add(s);
        s.append(SpoolEvents.events(0, 100, 300));
        List<EventLog.Entry> out = new ArrayList<>();
        EventLog.Entry e;
        while ((e = s.next(50)) != null) {
            out.add(e);
        }
        assertTrue(out.size() < 100 && out.size() > 5, "handed out " + out.size());
        s.acknowledged(out.get(0));
        assertEquals(out.size(), SpoolEvents.seq(s.next(1_000).event()));
    }

    private Path onlySegment() throws IOException {
        List<Path> segs = segments();
        assertEquals(1, segs.size());
        return segs.get(0);
    }

    private List<Path> segments() throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
    }
}
