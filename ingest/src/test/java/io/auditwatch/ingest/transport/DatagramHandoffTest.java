package io.auditwatch.ingest.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Closing the hand-off: what is queued is processed first; what a stuck worker cannot reach is counted. */
class DatagramHandoffTest {
    private static final InetSocketAddress SENDER = new InetSocketAddress("192.0.2.1", 514);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final IngestMetrics metrics = new IngestMetrics(registry);

    @Test
    void closeProcessesEverythingQueuedBeforeItReturns() {
        List<Integer> processed = new CopyOnWriteArrayList<>();
        DatagramHandoff handoff = new DatagramHandoff("udp", 2, 1_000, 1 << 20,
                (sender, bytes) -> processed.add((int) bytes[0]), metrics);
        for (int i = 0; i < 100; i++) {
            assertTrue(handoff.offer(SENDER, new byte[] {(byte) i}));
        }
        handoff.close();
        assertEquals(100, processed.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(i, processed.get(i), "one sender's datagrams in order");
        }
        assertEquals(0.0, dropped(DatagramHandoff.SHUTDOWN_REASON));
    }

    @Test
    void whatAStuckWorkerLeavesAtCloseIsCountedNotLostSilently() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        DatagramHandoff handoff = new DatagramHandoff("udp", 1, 1_000, 1 << 20, (sender, bytes) -> {
            stuck.countDown();
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, metrics);
        handoff.offer(SENDER, new byte[] {0});
        assertTrue(stuck.await(10, TimeUnit.SECONDS));
        for (int i = 1; i <= 10; i++) {
            handoff.offer(SENDER, new byte[] {(byte) i});
        }
        handoff.close();
        assertEquals(10.0, dropped(DatagramHandoff.SHUTDOWN_REASON));
    }

    private double dropped(String reason) {
        var c = registry.find(IngestMetrics.DROPPED.name()).tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }
}
