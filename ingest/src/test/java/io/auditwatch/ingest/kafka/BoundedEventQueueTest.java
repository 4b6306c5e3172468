package io.auditwatch.ingest.kafka;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BoundedEventQueueTest {
    private final BoundedEventQueue queue = new BoundedEventQueue(1_000, () -> 0L);

    @Test
    void sizeCountsKeyValueHeadersAndOverhead() {
        assertEquals(400, TestEvents.ofSize(400).sizeInBytes());
    }

    @Test
    void acceptsUpToTheBoundExactly() {
        assertTrue(queue.offer(TestEvents.ofSize(600)));
        assertTrue(queue.offer(TestEvents.ofSize(400)));
        assertEquals(1_000, queue.heldBytes());
    }

    @Test
    void rejectsAnEventThatWouldCrossTheBoundAndHoldsNothingForIt() {
        assertTrue(queue.offer(TestEvents.ofSize(600)));
        assertFalse(queue.offer(TestEvents.ofSize(401)));
        assertEquals(600, queue.heldBytes());
        assertEquals(1, queue.queuedEvents());
    }

    @Test
    void rejectsAnEventLargerThanTheWholeBound() {
        assertFalse(queue.offer(TestEvents.ofSize(1_001)));
        assertEquals(0, queue.heldBytes());
    }

    @Test
    void takenEventsStayHeldUntilReleased() throws Exception {
        OutboundEvent e = TestEvents.ofSize(600);
        queue.offer(e);
        assertSame(e, queue.poll(0, TimeUnit.MILLISECONDS));
        assertEquals(0, queue.queuedBytes());
        assertEquals(600, queue.heldBytes());
        assertFalse(queue.offer(TestEvents.ofSize(600)), "in-flight bytes still count against the bound");
        queue.release(e);
        assertEquals(0, queue.heldBytes());
        assertTrue(queue.offer(TestEvents.ofSize(600)));
    }

    @Test
    void pollReturnsNullWhenEmpty() throws Exception {
        assertNull(queue.poll(1, TimeUnit.MILLISECONDS));
    }

    @Test
    void pollKeepsOfferOrder() throws Exception {
        OutboundEvent a = TestEvents.ofSize(200);
        OutboundEvent b = TestEvents.ofSize(200);
        queue.offer(a);
        queue.offer(b);
        assertSame(a, queue.poll(0, TimeUnit.MILLISECONDS));
        assertSame(b, queue.poll(0, TimeUnit.MILLISECONDS));
    }

    @Test
    void drainAndReleaseEmptiesTheQueueAndFreesItsBytes() {
        queue.offer(TestEvents.ofSize(300));
        queue.offer(TestEvents.ofSize(300));
        assertEquals(2, queue.drainAndRelease().size());
        assertEquals(0, queue.heldBytes());
        assertEquals(0, queue.queuedBytes());
        assertTrue(queue.isEmpty());
    }

    @Test
    void crossingTheHighWatermarkPausesTheGate() {
        queue.offer(TestEvents.ofSize(799));
        assertFalse(queue.gate().paused());
        queue.offer(TestEvents.ofSize(200));
        assertTrue(queue.gate().paused());
    }

    @Test
    void concurrentOffersNeverExceedTheBound() throws Exception {
        BoundedEventQueue shared = new BoundedEventQueue(100_000, () -> 0L);
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    shared.offer(TestEvents.ofSize(300));
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(333, shared.queuedEvents());
        assertEquals(99_900, shared.heldBytes());
    }
}
