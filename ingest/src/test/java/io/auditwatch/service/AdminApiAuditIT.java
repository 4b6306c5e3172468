package io.auditwatch.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditwatch.alerting.engine.Alerting;
import io.auditwatch.heartbeat.HeartbeatMetrics;
import io.auditwatch.heartbeat.HeartbeatTracker;
import io.auditwatch.service.admin.AdminPrincipal;
import io.auditwatch.service.admin.AdminRole;
import io.auditwatch.service.admin.AdminResponse;
import io.auditwatch.service.config.Config;
import io.auditwatch.service.config.ConfigLoader;
import io.auditwatch.service.config.ModuleSettings;
import io.auditwatch.service.kafka.OperatorAuditLog;
import io.auditwatch.testing.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API's rule that an unattributable change must not happen, against a real broker: while
 * the operator audit record cannot be written the change is refused with 503 and nothing changes;
 * once the broker is back the same request is applied.
 */
class AdminApiAuditIT {
    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AdminPrincipal OPS = new AdminPrincipal("ops", AdminRole.OPERATOR, "127.0.0.1");

    @TempDir
    Path dir;

    @Test
    void aSilenceWhoseRecordCannotBeWrittenIsRefusedAndNotCreated() throws Exception {
        Config config = ConfigLoader.load(null, Map.of("AUDITWATCH_DATA_DIR", dir.toString(),
                "AUDITWATCH_ALERTING_RECIPIENTS_ISSO", "isso@example.org",
                "AUDITWATCH_ALERTING_RECIPIENTS_SA", "sa@example.org"));
        ManualClock clock = new ManualClock(Instant.parse("2026-11-24T09:00:00Z"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Alerting alerting = new Alerting(ModuleSettings.alerting(config), clock, registry, null);
                OperatorAuditLog audit = new OperatorAuditLog(broker.bootstrapServers(), Map.of(), "audit-api", (short) 1)) {
            HeartbeatTracker tracker = new HeartbeatTracker(ModuleSettings.heartbeat(config),
                    ModuleSettings.inventory(config), clock, alerting, new HeartbeatMetrics(registry, clock));
            AdminApi api = new AdminApi(clock, tracker, alerting, audit, Duration.ofDays(7), Duration.ofDays(7),
                    Duration.ofMinutes(5));
            var body = JSON.readTree("{\"node\":\"node-7\",\"until\":\"2h\",\"reason\":\"patching\"}");

            broker.stop();
            AdminResponse refused;
            try {
                refused = api.createSilence(OPS, body);
            } finally {
                broker.start();
            }
            assertEquals(503, refused.status(), new String(refused.body(), StandardCharsets.UTF_8));
            assertTrue(new String(refused.body(), StandardCharsets.UTF_8).contains("nothing was changed"));
            assertTrue(alerting.silences().isEmpty(), "no silence without its record");
            assertTrue(audit.recent().isEmpty());

            AdminResponse created = api.createSilence(OPS, body);
            assertEquals(201, created.status(), new String(created.body(), StandardCharsets.UTF_8));
            assertEquals(1, alerting.silences().size());
            assertEquals("ops", alerting.silences().get(0).by());
            assertEquals("silence-create", audit.recent().get(0).action());
        }
    }
}
