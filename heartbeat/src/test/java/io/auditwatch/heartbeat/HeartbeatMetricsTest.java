package io.auditwatch.heartbeat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertKind;
import io.auditwatch.alerting.MeterDocCheck;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeartbeatMetricsTest {

    @Test
    void everyRegisteredMeterIsDeclaredAndEveryDeclarationRegistered() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HeartbeatMetrics metrics = new HeartbeatMetrics(registry, Clock.systemUTC());
        metrics.transition(new AlertEvent(AlertKind.NODE_SILENT, "node-silent/web-1", AlertEvent.Status.FIRING,
                Instant.EPOCH, "web-1", null, null, null, "web-1 is silent", null));
        metrics.track(new Slot(new NodeEntry("web-1", "web", true, 0), Stream.AUDITD, 60_000, true, StreamState.PENDING));
        assertEquals(List.of(), MeterDocCheck.mismatches(registry, HeartbeatMetrics.METERS));
    }

    @Test
    void invalidRecordReasonsAreLabelledWithHyphens() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new HeartbeatMetrics(registry, Clock.systemUTC()).invalid(HeartbeatMetrics.InvalidReason.MISSING_NODE);
        assertEquals(1.0, registry.get(HeartbeatMetrics.INVALID.name()).tag("reason", "missing-node").counter().count());
    }
}
