package io.auditwatch.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertKind;
import io.auditwatch.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PipelineMonitorTest {
    final ManualClock clock = ManualClock.at("2026-11-23T17:00:00Z");
    final List<AlertEvent> raised = new ArrayList<>();
    final AtomicBoolean failing = new AtomicBoolean();
    final AtomicInteger degraded = new AtomicInteger();
    final PipelineMonitor monitor = new PipelineMonitor(clock, raised::add)
            .watch(new PipelineMonitor.Condition(AlertKind.KAFKA_UNREACHABLE, "kafka", failing::get,
                    () -> "Kafka unreachable", Duration.ofSeconds(30), degraded::incrementAndGet, degraded::decrementAndGet));

    @Test
    void firesOnlyAfterTheGraceAndOnce() {
        failing.set(true);
        monitor.check();
        assertEquals(1, degraded.get(), "node alerts are held from the first failing check");
        clock.advance(Duration.ofSeconds(29));
        monitor.check();
        assertEquals(0, raised.size());
        clock.advance(Duration.ofSeconds(1));
        monitor.check();
        clock.advance(Duration.ofSeconds(10));
        monitor.check();
        assertEquals(1, raised.size());
        assertEquals(AlertEvent.Status.FIRING, raised.get(0).status());
        assertEquals("pipeline/kafka-unreachable/kafka", raised.get(0).key());
    }

    @Test
    void resolvesWithTheFiringSummaryAndTheOutageStart() {
        failing.set(true);
        monitor.check();
        clock.advance(Duration.ofMinutes(2));
        monitor.check();
        failing.set(false);
        clock.advance(Duration.ofMinutes(1));
        monitor.check();
        assertEquals(2, raised.size());
        AlertEvent resolved = raised.get(1);
        assertEquals(AlertEvent.Status.RESOLVED, resolved.status());
        assertEquals(Duration.ofMinutes(3), Duration.between(resolved.lastSeen(), resolved.at()));
        assertEquals(0, degraded.get());
    }

    @Test
    void aBlipShorterThanTheGraceRaisesNothing() {
        failing.set(true);
        monitor.check();
        clock.advance(Duration.ofSeconds(5));
        failing.set(false);
        monitor.check();
        assertEquals(0, raised.size());
        assertEquals(0, degraded.get());
    }
}
