package io.auditwatch.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.alerting.AlertKind;
import io.auditwatch.alerting.Notification;
import io.auditwatch.alerting.engine.Alerting;
import io.auditwatch.alerting.engine.Silence;
import io.auditwatch.heartbeat.HeartbeatTracker;
import io.auditwatch.heartbeat.Stream;
import io.auditwatch.service.admin.AdminPrincipal;
import io.auditwatch.service.admin.AdminRefusal;
import io.auditwatch.service.admin.AdminResponse;
import io.auditwatch.service.admin.OperatorAction;
import io.auditwatch.service.config.Durations;
import io.auditwatch.service.kafka.OperatorAuditLog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The administrative JSON endpoints on the admin port: maintenance, decommission, silences and the
 * test alert. Each one that changes alerting is first written to the operator audit trail with who
 * asked, from where, what and why ({@link OperatorAuditLog}); when that record cannot be written the
 * change is refused with 503 and nothing changes. Refused requests are recorded too, best effort.
 */
final class AdminApi {
    private final Clock clock;
    private final HeartbeatTracker tracker;
    private final Alerting alerting;
    private final OperatorAuditLog audit;
    private final Duration silenceMax;
    private final Duration maintenanceMax;
    private final Duration testAlertInterval;
    /** When the last test alert was queued; null before the first. Guarded by {@code this}. */
    private Instant lastTestAlert;

    /**
     * @param silenceMax longest silence an operator may create ({@code alerting.silence-max-duration})
     * @param maintenanceMax longest maintenance window accepted ({@code admin.maintenance-max})
     * @param testAlertInterval least time between two test alerts ({@code admin.test-alert-interval})
     */
    AdminApi(Clock clock, HeartbeatTracker tracker, Alerting alerting, OperatorAuditLog audit, Duration silenceMax,
            Duration maintenanceMax, Duration testAlertInterval) {
        this.clock = clock;
        this.tracker = tracker;
        this.alerting = alerting;
        this.audit = audit;
        this.silenceMax = silenceMax;
        this.maintenanceMax = maintenanceMax;
        this.testAlertInterval = testAlertInterval;
    }

    /** {@code {"node": "node-7", "until": "2026-11-24T08:00:00Z" | "2h", "reason": "patching"}}. */
    AdminResponse maintenance(AdminPrincipal who, JsonNode body) {
        Request r = new Request(who, "maintenance", body, "node", "until");
        String node = r.param("node");
        String until = r.param("until");
        if (node == null || until == null || r.reason.isEmpty()) {
            return r.refuse(AdminRefusal.MAINTENANCE_WINDOW, 400,
                    "expected {\"node\": ..., \"until\": <ISO-8601 instant or duration like 2h>, \"reason\": ...}"
                    + " (the reason says what is being done, for the audit trail)");
        }
        Instant end;
        try {
            end = parseUntil(until, clock.instant());
        } catch (IllegalArgumentException e) {
            return r.refuse(400, e.getMessage());
        }
        if (!end.isAfter(clock.instant())) {
            return r.refuse(400, "maintenance end " + end + " is not in the future");
        }
        if (end.isAfter(clock.instant().plus(maintenanceMax))) {
            return r.refuse(AdminRefusal.MAINTENANCE_WINDOW, 400, "maintenance until " + end
                    + " is longer than admin.maintenance-max (" + Durations.format(maintenanceMax)
                    + "); a node gone for longer is decommissioned, not in maintenance");
        }
        if (tracker.node(node).isEmpty()) {
            return r.refuse(404, "node '" + node + "' is not tracked by this instance");
        }
        return r.apply(() -> {
            tracker.setMaintenance(node, end, r.reason);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("node", node);
            out.put("maintenance_until", end.toString());
            out.put("reason", r.reason);
            return AdminResponse.json(200, out);
        });
    }

    /** {@code {"node": "node-7", "reason": ...}}: maintenance ends now; the reason is optional. */
    AdminResponse endMaintenance(AdminPrincipal who, JsonNode body) {
        Request r = new Request(who, "maintenance-end", body, "node");
        String node = r.param("node");
        if (node == null) {
            return r.refuse(400, "expected {\"node\": ...}");
        }
        if (tracker.node(node).isEmpty()) {
            return r.refuse(404, "node '" + node + "' is not tracked by this instance");
        }
        return r.apply(() -> AdminResponse.json(200, Map.of("node", node, "ended", tracker.endMaintenance(node))));
    }

    /** {@code {"node": "node-7", "reason": ...}}: forget the node and close its alerts. */
    AdminResponse decommission(AdminPrincipal who, JsonNode body) {
        Request r = new Request(who, "decommission", body, "node");
        String node = r.param("node");
        if (node == null || r.reason.isEmpty()) {
            return r.refuse(400, "expected {\"node\": ..., \"reason\": ...}");
        }
        if (tracker.node(node).isEmpty()) {
            return r.refuse(404, "node '" + node + "' is not tracked by this instance");
        }
        return r.apply(() -> AdminResponse.json(200, Map.of("node", node, "decommissioned", tracker.decommission(node))));
    }

    /**
     * {@code {"node": ..., "stream": ..., "kind": ..., "until": "2h", "reason": ...}}: at least one
     * of node, stream and kind; until at most {@code silenceMax} ahead.
     */
    AdminResponse createSilence(AdminPrincipal who, JsonNode body) {
        Request r = new Request(who, "silence-create", body, "node", "stream", "kind", "until");
        String node = r.param("node");
        String stream = r.param("stream");
        String kindId = r.param("kind");
        String until = r.param("until");
        if ((node == null && stream == null && kindId == null) || until == null || r.reason.isEmpty()) {
            return r.refuse(400, "expected {\"node\", \"stream\" and/or \"kind\": ..., \"until\": <ISO-8601 instant or"
                    + " duration like 2h, at most " + Durations.format(silenceMax) + " ahead>, \"reason\": ...}");
        }
        AlertKind kind = null;
        Instant end;
        try {
            if (stream != null) {
                Stream.fromId(stream);
            }
            if (kindId != null) {
                kind = alertKind(kindId);
            }
            end = parseUntil(until, clock.instant());
        } catch (IllegalArgumentException e) {
            return r.refuse(400, e.getMessage());
        }
        Instant now = clock.instant();
        if (!end.isAfter(now) || end.isAfter(now.plus(silenceMax))) {
            return r.refuse(400, "'until' must be in the future and at most " + Durations.format(silenceMax)
                    + " ahead (alerting.silence-max-duration): " + end);
        }
        AlertKind matchKind = kind;
        return r.apply(() -> AdminResponse.json(201,
                silenceJson(alerting.silence(node, stream, matchKind, end, r.reason, who.name()))));
    }

    /** {@code {"id": "3f2a9c1d", "reason": ...}}: the silence ends now; alerts it holds are notified. */
    AdminResponse endSilence(AdminPrincipal who, JsonNode body) {
        Request r = new Request(who, "silence-end", body, "id");
        String id = r.param("id");
        if (id == null || r.reason.isEmpty()) {
            return r.refuse(400, "expected {\"id\": ..., \"reason\": ...}");
        }
        if (alerting.silences().stream().noneMatch(s -> s.id().equals(id))) {
            return r.refuse(404, "no active silence '" + id + "'");
        }
        return r.apply(() -> alerting.endSilence(id)
                .map(s -> AdminResponse.json(200, Map.of("id", id, "ended", true, "held", s.held())))
                .orElseGet(() -> AdminResponse.error(404, "silence '" + id + "' ended meanwhile")));
    }

    /** {@code GET /api/silences}: the active silences, oldest first. */
    AdminResponse silences() {
        return AdminResponse.json(200, alerting.silences().stream().map(AdminApi::silenceJson).toList());
    }

    /** Queues a test alert to every recipient; the answer says whether delivery currently works. */
    AdminResponse testAlert(AdminPrincipal who, JsonNode body) {
        Request r = new Request(who, "test-alert", body);
        Instant now = clock.instant();
        synchronized (this) {
            if (lastTestAlert != null && now.isBefore(lastTestAlert.plus(testAlertInterval))) {
                long wait = Math.max(1, (Duration.between(now, lastTestAlert.plus(testAlertInterval)).toMillis() + 999) / 1000);
                return r.refuse(AdminRefusal.TEST_ALERT_RATE, 429, "a test alert was sent at " + lastTestAlert
                        + "; the next one may follow in " + wait + " s (admin.test-alert-interval)")
                        .withHeader("Retry-After", Long.toString(wait));
            }
            lastTestAlert = now;
        }
        return r.apply(() -> {
            Notification n = alerting.sendTestAlert();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", n.id());
            out.put("subject", n.subject());
            out.put("recipients", n.recipients());
            out.put("delivery", alerting.health());
            return AdminResponse.json(202, out);
        });
    }

    static Map<String, Object> silenceJson(Silence s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("node", s.node());
        m.put("stream", s.stream());
        m.put("kind", s.kind() == null ? null : s.kind().id());
        m.put("until", s.until().toString());
        m.put("reason", s.reason());
        m.put("by", s.by());
        m.put("created", s.created() == null ? null : s.created().toString());
        m.put("held", s.held());
        return m;
    }

    private static AlertKind alertKind(String id) {
        for (AlertKind k : AlertKind.values()) {
            if (k.id().equals(id) && k != AlertKind.TEST) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown alert kind '" + id + "'");
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

    /** One operator request: its audit record is written before it is applied, or refused. */
    private final class Request {
        final String reason;
        private final OperatorAction record;

        Request(AdminPrincipal who, String action, JsonNode body, String... parameters) {
            Map<String, String> p = new LinkedHashMap<>();
            for (String name : parameters) {
                String v = text(body, name);
                if (v != null) {
                    p.put(name, v);
                }
            }
            String why = text(body, "reason");
            this.reason = why == null ? "" : why;
            this.record = new OperatorAction(clock.instant(), who.name(), who.remoteAddress(), action, p,
                    reason, OperatorAction.APPLIED);
        }

        String param(String name) {
            return record.parameters().get(name);
        }

        /** Records the refusal (best effort: nothing changes either way) and answers it. */
        AdminResponse refuse(int status, String message) {
            audit.write(record.withOutcome("refused " + status + ": " + message));
            return AdminResponse.error(status, message);
        }

        /** {@link #refuse(int, String)}, also counted as an admin refusal of {@code reason}. */
        AdminResponse refuse(AdminRefusal reason, int status, String message) {
            audit.write(record.withOutcome("refused " + status + ": " + message));
            return AdminResponse.refused(reason, status, message);
        }

        /** Writes the record, then applies the change; 503 and no change when the record cannot be written. */
        AdminResponse apply(Supplier<AdminResponse> change) {
            if (!audit.write(record)) {
                return AdminResponse.error(503, "the operator audit record could not be written to " + audit.topic()
                        + "; nothing was changed (an unattributable change must not happen)");
            }
            return change.get();
        }
    }
}
