package io.auditwatch.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertingMetricsTest {

    @Test
    void everyRegisteredMeterIsDeclaredAndEveryDeclarationRegistered() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AlertingMetrics metrics = new AlertingMetrics(registry);
        metrics.bindOutbox(() -> 2, () -> true);
        metrics.bindOpen(k -> 1);
        assertEquals(List.of(), MeterDocCheck.mismatches(registry, AlertingMetrics.METERS));
    }

    @Test
    void theHistoryCountsWrittenAndLostNotificationsApart() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AlertingMetrics metrics = new AlertingMetrics(registry);
        metrics.history(true);
        metrics.history(true);
        metrics.history(false);
        assertEquals(2.0, registry.get(AlertingMetrics.HISTORY_RECORDS.name()).counter().count());
        assertEquals(1.0, registry.get(AlertingMetrics.HISTORY_FAILURES.name()).counter().count());
    }

    @Test
    void theOpenGaugeHasNoSeriesForTestAlerts() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new AlertingMetrics(registry).bindOpen(k -> 1);
        assertEquals(AlertKind.values().length - 1, registry.find(AlertingMetrics.OPEN.name()).gauges().size());
    }
}
