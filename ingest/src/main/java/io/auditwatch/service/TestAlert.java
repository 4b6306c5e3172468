package io.auditwatch.service;

import io.auditwatch.alerting.AlertHistory;
import io.auditwatch.alerting.AlertingSettings;
import io.auditwatch.alerting.DeliveryHealth;
import io.auditwatch.alerting.Notification;
import io.auditwatch.alerting.engine.Alerting;
import io.auditwatch.service.config.Config;
import io.auditwatch.service.config.ModuleSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.time.Clock;

/**
 * {@code send-test-alert} without a running instance: delivers one test alert to every recipient
 * with this configuration's SMTP settings (or .eml folder) and reports what the relay said.
 */
final class TestAlert {
    private TestAlert() {
    }

    static int sendDirectly(Config config, PrintStream out, PrintStream err) {
        AlertingSettings settings = ModuleSettings.alerting(config);
        try (Alerting alerting = new Alerting(settings, Clock.systemUTC(), new SimpleMeterRegistry(), AlertHistory.NONE)) {
            Notification n = alerting.sendTestAlert();
            out.println("test alert " + n.id() + ": " + n.subject());
            out.println("recipients: " + String.join(", ", n.recipients()));
            // sendTestAlert() attempts delivery before it returns; one tick flushes anything left.
            DeliveryHealth h = alerting.health();
            if (h.pending() > 0 && h.ok()) {
                alerting.tick();
                h = alerting.health();
            }
            if (h.pending() == 0 && h.ok()) {
                out.println("delivered: " + h.mode());
                return Main.EXIT_OK;
            }
            err.println("auditwatch: test alert not delivered (" + h.mode() + "): " + h.lastFailure()
                    + "; it stays in the outbox and is retried by the service");
            return Main.EXIT_FAILURE;
        }
    }
}
