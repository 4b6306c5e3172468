package io.auditwatch.ingest.kafka;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PressureGateTest {
    private final AtomicLong level = new AtomicLong();
    private final AtomicLong ticker = new AtomicLong();
    private final PressureGate gate = new PressureGate(level::get, 800, 500, ticker::get);
    private final List<String> signals = new ArrayList<>();

    PressureGateTest() {
        gate.addListener(recorder(signals));
    }

    @Test
    void staysOpenBelowTheHighWatermark() {
        set(799);
        assertEquals(List.of(), signals);
        assertFalse(gate.paused());
    }

    @Test
    void pausesAtTheHighWatermark() {
        set(800);
        assertEquals(List.of("pause"), signals);
        assertTrue(gate.paused());
    }

    @Test
    void staysPausedBetweenTheWatermarks() {
        set(900);
        set(501);
        assertEquals(List.of("pause"), signals);
    }

    @Test
    void resumesAtTheLowWatermark() {
        set(900);
        set(500);
        assertEquals(List.of("pause", "resume"), signals);
        assertFalse(gate.paused());
    }

    @Test
    void signalsOncePerCrossing() {
        set(800);
        set(1_000);
        set(900);
        set(100);
        set(0);
        assertEquals(List.of("pause", "resume"), signals);
    }

    @Test
    void aListenerAddedWhilePausedIsPausedAtOnce() {
        set(900);
        List<String> late = new ArrayList<>();
        gate.addListener(recorder(late));
        assertEquals(List.of("pause"), late);
    }

    @Test
    void countsTimeSpentPausedIncludingTheCurrentPause() {
        set(900);
        ticker.addAndGet(TimeUnit.SECONDS.toNanos(3));
        set(100);
        ticker.addAndGet(TimeUnit.SECONDS.toNanos(10));
        set(850);
        ticker.addAndGet(TimeUnit.SECONDS.toNanos(2));
        assertEquals(TimeUnit.SECONDS.toNanos(5), gate.pausedNanos());
        assertEquals(2, gate.pauses());
    }

    @Test
    void aFailingListenerDoesNotStopTheOthers() {
        PressureGate g = new PressureGate(level::get, 800, 500, ticker::get);
        List<String> after = new ArrayList<>();
        g.addListener(new PressureListener() {
            @Override
            public void pause() {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void resume() {
            }
        });
        g.addListener(recorder(after));
        level.set(900);
        g.check();
        assertEquals(List.of("pause"), after);
    }

    @Test
    void rejectsALowWatermarkNotBelowTheHighOne() {
        assertThrows(IllegalArgumentException.class, () -> new PressureGate(level::get, 500, 500, ticker::get));
    }

    private void set(long bytes) {
        level.set(bytes);
        gate.check();
    }

    static PressureListener recorder(List<String> signals) {
        return new PressureListener() {
            @Override
            public void pause() {
                signals.add("pause");
            }

            @Override
            public void resume() {
                signals.add("resume");
            }
        };
    }
}
