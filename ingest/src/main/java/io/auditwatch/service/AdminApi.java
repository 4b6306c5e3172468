package io.auditwatch.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.alerting.Notification;
import io.auditwatch.alerting.engine.Alerting;
import io.auditwatch.heartbeat.HeartbeatTracker;
import io.auditwatch.service.admin.AdminRefusal;
import io.auditwatch.service.admin.AdminResponse;
import io.auditwatch.service.config.ValueType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The administrative JSON endpoints on the admin port: maintenance, decommission and the test
 * alert. Every change is logged with what was asked, for the audit trail of auditwatch itself.
 */
final class AdminApi {
    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);

    private final Clock clock;
    private final HeartbeatTracker tracker;
    private final Alerting alerting;
    private final Duration maintenanceMax;
    private final Duration testAlertInterval;
    /** When the last test alert was queued; null before the first. Guarded by {@code this}. */
    private Instant lastTestAlert;

    /**
     * @param maintenanceMax longest maintenance window accepted ({@code admin.maintenance-max})
     * @param testAlertInterval least time between two test alerts ({@code admin.test-alert-interval})
     */
    AdminApi(Clock clock, HeartbeatTracker tracker, Alerting alerting, Duration maintenanceMax,
            Duration testAlertInterval) {
        this.clock = clock;
        this.tracker = tracker;
        this.alerting = alerting;
        this.maintenanceMax = maintenanceMax;
        this.testAlertInterval = testAlertInterval;
    }

    /**
     * {@code {"node": "node-7", "until": "2026-11-24T08:00:00Z" | "2h", "reason": "patching"}}; the
     * reason is required and the window may not end later than {@code admin.maintenance-max} from now.
     */
    AdminResponse maintenance(JsonNode body) {
        String node = text(body, "node");
        String until = text(body, "until");
        if (node == null || until == null) {
            return AdminResponse.error(400, "expected {\"node\": ..., \"until\": <ISO-8601 instant or duration like 2h>, \"reason\": ...}");
        }
        Instant now = clock.instant();
        Instant end;
        try {
            end = parseUntil(until, now);
        } catch (IllegalArgumentException e) {
            return AdminResponse.error(400, e.getMessage());
        }
        String reason = text(body, "reason");
        if (reason == null) {
            return AdminResponse.refused(AdminRefusal.MAINTENANCE_WINDOW, 400,
                    "a maintenance window needs a non-empty \"reason\" (what is being done, for the audit trail)");
        }
        if (end.isAfter(now.plus(maintenanceMax))) {
            return AdminResponse.refused(AdminRefusal.MAINTENANCE_WINDOW, 400, "maintenance until " + end
                    + " is longer than admin.maintenance-max (" + ValueType.DURATION.format(maintenanceMax)
                    + "); a node gone for longer is decommissioned, not in maintenance");
        }
        try {
            tracker.setMaintenance(node, end, reason);
        } catch (IllegalArgumentException e) {
            return AdminResponse.error(404, e.getMessage());
        }
        LOG.info("Admin: node {} in maintenance until {} ({})", node, end, reason);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("node", node);
        out.put("maintenance_until", end.toString());
        out.put("reason", reason);
        return AdminResponse.json(200, out);
    }

    /** {@code {"node": "node-7"}}: maintenance ends now. */
    AdminResponse endMaintenance(JsonNode body) {
        String node = text(body, "node");
        if (node == null) {
            return AdminResponse.error(400, "expected {\"node\": ...}");
        }
        boolean ended = tracker.endMaintenance(node);
        LOG.info("Admin: maintenance of {} ended ({})", node, ended ? "was in maintenance" : "was not in maintenance");
        return AdminResponse.json(200, Map.of("node", node, "ended", ended));
    }

    /** {@code {"node": "node-7"}}: forget the node and close its alerts. */
    AdminResponse decommission(JsonNode body) {
        String node = text(body, "node");
        if (node == null) {
            return AdminResponse.error(400, "expected {\"node\": ...}");
        }
        boolean known = tracker.decommission(node);
        if (!known) {
            return AdminResponse.error(404, "node '" + node + "' is not tracked by this instance");
        }
        LOG.info("Admin: node {} decommissioned", node);
        return AdminResponse.json(200, Map.of("node", node, "decommissioned", true));
    }

    /**
     * Queues a test alert to every recipient; the answer says whether delivery currently works. At
     * most one per {@code admin.test-alert-interval}: 429 with {@code Retry-After} (seconds) otherwise.
     */
    AdminResponse testAlert(JsonNode body) {
        Instant now = clock.instant();
        synchronized (this) {
            if (lastTestAlert != null && now.isBefore(lastTestAlert.plus(testAlertInterval))) {
                long wait = Math.max(1, (Duration.between(now, lastTestAlert.plus(testAlertInterval)).toMillis() + 999) / 1000);
                return AdminResponse.refused(AdminRefusal.TEST_ALERT_RATE, 429, "a test alert was sent at "
                                + lastTestAlert + "; the next one may follow in " + wait + " s (admin.test-alert-interval)")
                        .withHeader("Retry-After", Long.toString(wait));
            }
            lastTestAlert = now;
        }
        Notification n = alerting.sendTestAlert();
        LOG.info("Admin: test alert {} sent to {}", n.id(), n.recipients());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", n.id());
        out.put("subject", n.subject());
        out.put("recipients", n.recipients());
        out.put("delivery", alerting.health());
        return AdminResponse.json(202, out);
    }

    static Instant parseUntil(String text, Instant now) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                Duration d = io.auditwatch.service.config.ValueType.DURATION.parseValue(text);
                return now.plus(d);
            } catch (IllegalArgumentException e2) {
                throw new IllegalArgumentException("'until' must be an ISO-8601 instant (2026-11-24T08:00:00Z) or a duration (2h): " + text);
            }
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body == null ? null : body.get(field);
        return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText();
    }
}
