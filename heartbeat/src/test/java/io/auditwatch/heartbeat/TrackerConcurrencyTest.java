package io.auditwatch.heartbeat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertEvent.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Events on several threads (one per partition in production) racing evaluation: a recovery is
 * never lost and transitions of a key strictly alternate FIRING, RESOLVED.
 */
class TrackerConcurrencyTest {

    @Test
    void recoveriesRacingSilencesAreNeverLost() throws Exception {
        Harness h = new Harness(TestHeartbeatSettings.standard().withDefaultThreshold(Duration.ofSeconds(2)), Inventory.empty());
        int threads = 4;
        int nodesPerThread = 10;
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(threads);
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int base = t * nodesPerThread;
            Thread th = new Thread(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                while (!stop.get()) {
                    h.send("node-" + (base + r.nextInt(nodesPerThread)), Stream.AUDITD);
                    if (r.nextInt(50) == 0) {
                        Thread.yield();
                    }
                }
                done.countDown();
            });
            th.start();
            started.add(th);
        }
        for (int s = 0; s < 400; s++) {
            h.clock.advance(Duration.ofMillis(700));
            h.tracker.evaluate();
        }
        stop.set(true);
        done.await();
        for (Thread th : started) {
            th.join();
        }
        for (int n = 0; n < threads * nodesPerThread; n++) {
            h.send("node-" + n, Stream.AUDITD);
        }
        h.tracker.evaluate();

        for (NodeStatus st : h.tracker.nodes()) {
            assertEquals(StreamState.HEALTHY, st.state(), st.toString());
        }
        Map<String, List<Status>> byKey = new LinkedHashMap<>();
        for (AlertEvent e : h.alerts) {
            byKey.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e.status());
        }
        for (Map.Entry<String, List<Status>> e : byKey.entrySet()) {
            List<Status> seq = e.getValue();
            for (int i = 0; i < seq.size(); i++) {
                assertEquals(i % 2 == 0 ? Status.FIRING : Status.RESOLVED, seq.get(i), e.getKey() + " " + seq);
            }
            assertTrue(seq.size() % 2 == 0, "left open: " + e.getKey() + " " + seq);
        }
    }
}
