package io.auditwatch.ingest.kafka;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hysteresis holds for any sequence of levels, and for levels moved by racing threads. */
class PressureGatePropertyTest {

    @Property
    void stateFollowsTheWatermarksAndSignalsAlternate(@ForAll @Size(max = 200) List<@LongRange(max = 1_000) Long> levels) {
        AtomicLong level = new AtomicLong();
        PressureGate gate = new PressureGate(level::get, 800, 500, () -> 0L);
        List<String> signals = new ArrayList<>();
        gate.addListener(PressureGateTest.recorder(signals));
        boolean expectPaused = false;
        for (long l : levels) {
            level.set(l);
            gate.check();
            if (l >= 800) {
                expectPaused = true;
            } else if (l <= 500) {
                expectPaused = false;
            }
            assertEquals(expectPaused, gate.paused(), "at level " + l);
        }
        for (int i = 0; i < signals.size(); i++) {
            assertEquals(i % 2 == 0 ? "pause" : "resume", signals.get(i));
        }
    }

    @Property(tries = 20)
    void racingProducersAndConsumersLeaveTheGateOpenWhenDrained(@ForAll @LongRange(min = 1, max = 8) long threads) throws Exception {
        BoundedEventQueue queue = new BoundedEventQueue(64 * 1024, () -> 0L);
        List<String> signals = java.util.Collections.synchronizedList(new ArrayList<>());
        queue.gate().addListener(PressureGateTest.recorder(signals));
        CyclicBarrier start = new CyclicBarrier((int) threads);
        Thread[] workers = new Thread[(int) threads];
        for (int t = 0; t < threads; t++) {
            workers[t] = new Thread(() -> {
                try {
                    start.await();
                    List<OutboundEvent> held = new ArrayList<>();
                    for (int i = 0; i < 2_000; i++) {
                        OutboundEvent e = TestEvents.ofSize(3_000 + i % 500);
                        if (queue.offer(e)) {
                            held.add(e);
                        }
                        if (held.size() >= 1 + i % 20) {
                            held.forEach(queue::release);
                            held.clear();
                        }
                    }
                    held.forEach(queue::release);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            workers[t].start();
        }
        for (Thread w : workers) {
            w.join();
        }
        assertTrue(queue.gate().pauses() > 0, "the run never reached the high watermark");
        assertEquals(0, queue.heldBytes());
        assertFalse(queue.gate().paused(), "signals: " + signals);
        for (int i = 0; i < signals.size(); i++) {
            assertEquals(i % 2 == 0 ? "pause" : "resume", signals.get(i));
        }
        assertTrue(signals.size() % 2 == 0);
    }
}
