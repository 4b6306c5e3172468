package io.auditwatch.service.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.auditwatch.alerting.MeterDocCheck;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AdminMetricsTest {

    @Test
    void everyRegisteredMeterIsDeclaredAndEveryDeclarationRegistered() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new AdminMetrics(registry, Set.of("/health")).request("/health", 200);
        assertEquals(List.of(), MeterDocCheck.mismatches(registry, AdminMetrics.METERS));
    }

    @Test
    void unroutedPathsShareOneSeries() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AdminMetrics metrics = new AdminMetrics(registry, Set.of("/health"));
        metrics.request("/wp-login.php", 404);
        metrics.request("/.env", 404);
        assertEquals(2.0, registry.get(AdminMetrics.REQUESTS.name()).tag("path", "other").tag("status", "404").counter().count());
        assertEquals(1, registry.find(AdminMetrics.REQUESTS.name()).counters().size());
    }
}
