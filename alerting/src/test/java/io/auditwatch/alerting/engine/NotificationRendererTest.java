package io.auditwatch.alerting.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertKind;
import io.auditwatch.alerting.AlertingSettings;
import io.auditwatch.alerting.TestAlertingSettings;
import io.auditwatch.alerting.Notification;
import io.auditwatch.alerting.OpenAlert;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NotificationRendererTest {
    private static final Instant NOW = Instant.parse("2026-11-23T18:12:00Z");
    private static final List<String> TO = List.of("isso@example.org", "sa@example.org");
    private final NotificationRenderer renderer = new NotificationRenderer(TestAlertingSettings.builder()
            .recipients("isso", "isso@example.org").recipients("sa", "sa@example.org")
            .statusUrl("https://auditwatch.example.org:9464").build());

    private static OpenAlert alert(AlertKind kind, String node, String stream, Instant lastSeen) {
        AlertEvent e = new AlertEvent(kind, kind.id() + "/" + node + "/" + stream, AlertEvent.Status.FIRING, NOW.minusSeconds(30),
                node, stream, lastSeen, Duration.ofMinutes(10), "no audit data from " + node, Map.of());
        return new OpenAlert(e, NOW.minusSeconds(30), null, null, 0, List.of("isso", "sa"), null);
    }

    private Notification firing(OpenAlert a) {
        return renderer.render(List.of(new Notice(Notice.Type.FIRING, a)), TO, NOW, Map.of());
    }

    @Test
    void streamSilenceSubjectNamesNodeStreamAndAge() {
        Notification n = firing(alert(AlertKind.STREAM_SILENT, "node-7", "ucp-audit", NOW.minus(Duration.ofMinutes(12))));
        assertEquals("[auditwatch] AUDIT FAILURE: no audit data from node-7 (ucp-audit) for 12m", n.subject());
    }

    @Test
    void bodyHasLastSeenInUtcWithAgeThresholdChecksAndControls() {
        Notification n = firing(alert(AlertKind.STREAM_SILENT, "node-7", "ucp-audit", NOW.minus(Duration.ofMinutes(12))));
        String t = n.textBody();
        assertTrue(t.contains("Last seen:    2026-11-23 18:00:00 UTC (12m ago)"), t);
        assertTrue(t.contains("Threshold:    10m"), t);
        assertTrue(t.contains("docker logs ucp-controller"), t);
        assertTrue(t.contains("daemon.json log-driver"), t);
        assertTrue(t.contains("CIS Docker Benchmark 1.2.3"), t);
        assertTrue(t.contains("DISA STIG DKER-EE-001590"), t);
        assertTrue(t.contains("NIST SP 800-53 AU-5(a)"), t);
        assertTrue(t.contains("Status page: https://auditwatch.example.org:9464/status"), t);
        assertTrue(n.htmlBody().contains("DKER-EE-001590"));
    }

    @Test
    void auditdChecksNameAuditctlAndThePulseTimer() {
        Notification n = firing(alert(AlertKind.STREAM_SILENT, "node-7", "auditd", NOW.minus(Duration.ofMinutes(20))));
        assertTrue(n.textBody().contains("auditctl -l | grep dockerd"));
        assertTrue(n.textBody().contains("systemctl status auditd"));
        assertTrue(n.textBody().contains("pulse timer"));
    }

    @Test
    void htmlEscapesScriptInANodeName() {
        Notification n = firing(alert(AlertKind.NODE_SILENT, "<script>alert(1)</script>", null, NOW.minus(Duration.ofMinutes(20))));
        assertFalse(n.htmlBody().contains("<script>"), n.htmlBody());
        assertTrue(n.htmlBody().contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assertFalse(n.htmlBody().matches("(?s).*(src|href)=\"(?!https://auditwatch).*"), "no external resources");
    }

    @Test
    void neverSeenSaysSo() {
        Notification n = firing(alert(AlertKind.NODE_NEVER_SEEN, "node-9", null, null));
        assertEquals("[auditwatch] AUDIT FAILURE: no audit data ever received from node-9", n.subject());
        assertTrue(n.textBody().contains("Last seen:    never"));
    }

    @Test
    void digestSubjectListsThreeNamesThenEllipsis() {
        List<Notice> notices = List.of(
                new Notice(Notice.Type.FIRING, alert(AlertKind.NODE_SILENT, "node-1", null, NOW.minusSeconds(900))),
                new Notice(Notice.Type.FIRING, alert(AlertKind.NODE_SILENT, "node-2", null, NOW.minusSeconds(900))),
                new Notice(Notice.Type.FIRING, alert(AlertKind.STREAM_SILENT, "node-3", "auditd", NOW.minusSeconds(900))),
                new Notice(Notice.Type.FIRING, alert(AlertKind.NODE_SILENT, "node-4", null, NOW.minusSeconds(900))));
        Notification n = renderer.render(notices, TO, NOW, Map.of());
        assertEquals("[auditwatch] AUDIT FAILURE: 4 nodes silent (node-1, node-2, node-3, ...)", n.subject());
        assertEquals(List.of(AlertKind.NODE_SILENT, AlertKind.STREAM_SILENT), n.kinds());
    }

    @Test
    void digestOfRecoveriesSaysDeliveringAgain() {
        OpenAlert a = alert(AlertKind.NODE_SILENT, "node-1", null, NOW.minusSeconds(900));
        OpenAlert b = alert(AlertKind.NODE_SILENT, "node-2", null, NOW.minusSeconds(900));
        AlertEvent r = new AlertEvent(AlertKind.NODE_SILENT, "k", AlertEvent.Status.RESOLVED, NOW, "node-1", null, null, null, "ok", Map.of());
        Notification n = renderer.render(List.of(new Notice(Notice.Type.RECOVERED, withResolved(a, r)),
                new Notice(Notice.Type.RECOVERED, withResolved(b, r))), TO, NOW, Map.of());
        assertEquals("[auditwatch] RECOVERED: 2 nodes delivering again (node-1, node-2)", n.subject());
    }

    @Test
    void digestOfRepeatsSaysStillSilent() {
        List<Notice> notices = List.of(
                new Notice(Notice.Type.REPEAT, alert(AlertKind.NODE_SILENT, "node-1", null, NOW.minusSeconds(900))),
                new Notice(Notice.Type.REPEAT, alert(AlertKind.NODE_SILENT, "node-2", null, NOW.minusSeconds(900))));
        assertEquals("[auditwatch] STILL SILENT: 2 nodes (node-1, node-2)", renderer.render(notices, TO, NOW, Map.of()).subject());
    }

    private static OpenAlert withResolved(OpenAlert a, AlertEvent r) {
        return new OpenAlert(a.event(), a.since(), a.notifiedAt(), a.lastNoticeAt(), a.escalations(), a.roles(), r);
    }

    @Test
    void testAlertListsEveryRecipientAndSaysItIsATest() {
        Notification n = renderer.test(NOW, "eml data/outbox/sent-eml");
        assertEquals(NotificationRenderer.TEST_SUBJECT, n.subject());
        assertTrue(n.textBody().startsWith("This is a TEST"));
        assertTrue(n.textBody().contains("isso: isso@example.org"));
        assertTrue(n.textBody().contains("sa: sa@example.org"));
        assertEquals(TO, n.recipients());
    }

    @Test
    void humanDurations() {
        assertEquals("0s", HumanDuration.format(Duration.ofSeconds(-5)));
        assertEquals("45s", HumanDuration.format(Duration.ofSeconds(45)));
        assertEquals("12m", HumanDuration.format(Duration.ofSeconds(12 * 60 + 59)));
        assertEquals("1h 5m", HumanDuration.format(Duration.ofMinutes(65)));
        assertEquals("4h", HumanDuration.format(Duration.ofHours(4)));
        assertEquals("2d 3h", HumanDuration.format(Duration.ofHours(51).plusMinutes(59)));
        assertEquals("7d", HumanDuration.format(Duration.ofDays(7)));
    }
}
