package io.auditwatch.ingest.spool;

import io.auditwatch.ingest.kafka.OutboundEvent;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class HandOffWindowTest {

    /** Records of {@code valueBytes} laid out back to back from {@code from}, as the appender commits them. */
    private static List<HandOffWindow.Committed> committed(long from, int count, int valueBytes) {
        List<HandOffWindow.Committed> out = new ArrayList<>();
        long at = from;
        for (OutboundEvent e : SpoolEvents.events(0, count, valueBytes)) {
            int size = RecordCodec.framedSize(e);
            out.add(new HandOffWindow.Committed(at, at + size, e, e.sizeInBytes()));
            at += size;
        }
        return out;
    }

    @Test
    void byteBoundLeavesTheRestOfACommitToTheDisk() {
        HandOffWindow w = new HandOffWindow();
        // 64 KiB values: the byte bound (8 MiB) is reached after about 127 of them, long before the record bound.
        List<HandOffWindow.Committed> batch = committed(0, 200, 64 * 1024);
        long each = batch.get(0).size();
        int fit = (int) (HandOffWindow.MAX_BYTES / each);
        w.addAll(batch);
        for (int i = 0; i < fit; i++) {
            assertSame(batch.get(i), w.take(batch.get(i).start()));
        }
        assertNull(w.take(batch.get(fit).start()), "left out: read from disk");
    }

    @Test
    void recordBoundLeavesOutWhatDoesNotFitAndTakesAgainAfterTheHole() {
        HandOffWindow w = new HandOffWindow();
        List<HandOffWindow.Committed> first = committed(0, HandOffWindow.MAX_RECORDS + 10, 10);
        w.addAll(first);
        assertSame(first.get(0), w.take(0));
        // One slot freed: the next commit's first record fits, after a hole of ten left to the disk.
        HandOffWindow.Committed last = first.get(first.size() - 1);
        List<HandOffWindow.Committed> next = committed(last.end(), 2, 10);
        w.addAll(next);
        for (int i = 1; i < HandOffWindow.MAX_RECORDS; i++) {
            assertSame(first.get(i), w.take(first.get(i).start()));
        }
        for (int i = HandOffWindow.MAX_RECORDS; i < first.size(); i++) {
            assertNull(w.take(first.get(i).start()), "record " + i + " comes from disk");
        }
        assertSame(next.get(0), w.take(next.get(0).start()));
        assertNull(w.take(next.get(1).start()), "did not fit either");
    }

    @Test
    void recordsBehindTheReadPositionAreDroppedNotHandedOut() {
        HandOffWindow w = new HandOffWindow();
        List<HandOffWindow.Committed> batch = committed(1_000, 3, 10);
        w.addAll(batch);
        assertSame(batch.get(2), w.take(batch.get(2).start()));
        assertNull(w.take(batch.get(0).start()), "passed over: gone");
        assertNull(w.take(batch.get(1).start()), "passed over: gone");
    }
}
