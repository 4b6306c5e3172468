package io.auditwatch.alerting.engine;

import io.auditwatch.alerting.TestAlertingSettings;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertHistory;
import io.auditwatch.alerting.AlertingSettings;
import io.auditwatch.alerting.DeliveryHealth;
import io.auditwatch.alerting.Notification;
import io.auditwatch.alerting.SmtpSettings;
import io.auditwatch.alerting.TlsMode;
import io.auditwatch.alerting.mail.GreenMailTls;
import io.auditwatch.testing.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine against GreenMail, a real SMTP server on a loopback port. */
class AlertingSmtpIT {
    private static final Instant T = Instant.parse("2026-11-23T18:00:00Z");
    private static final Duration WINDOW = TestAlertingSettings.GROUP_WINDOW;
    private static final Duration AWAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(T);
    private GreenMail mail;
    private Alerting alerting;

    @BeforeEach
    void startSmtp() {
        mail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
    }

    @AfterEach
    void stop() {
        if (alerting != null) {
            alerting.close();
        }
        mail.stop();
    }

    private TestAlertingSettings settings(int port, String user, String password) {
        return settings(new SmtpSettings("127.0.0.1", port, TlsMode.NONE, user, password,
                Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5), null, true));
    }

    /** Credentials go only over TLS: GreenMail's SMTPS port, its self-signed certificate trusted. */
    private TestAlertingSettings settingsWithAuth(String user, String password) throws Exception {
        return settings(new SmtpSettings("127.0.0.1", mail.getSmtps().getPort(), TlsMode.IMPLICIT, user, password,
                Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5), GreenMailTls.exportPem(dir), false));
    }

    private TestAlertingSettings settings(SmtpSettings smtp) {
        return TestAlertingSettings.builder()
                .recipients("isso", "isso@example.org")
                .recipients("sa", "sa@example.org")
                .recipients("ops", "ops@example.org")
                .from("auditwatch@example.org")
                .outboxDir(dir.resolve("outbox"))
                .smtp(smtp);
    }

    private Alerting start(AlertingSettings s) {
        alerting = new Alerting(s, clock, new SimpleMeterRegistry(), AlertHistory.NONE);
        return alerting;
    }

    private void advance(Duration d) {
        clock.advance(d);
        alerting.tick();
    }

    private List<MimeMessage> inbox(String address) {
        return mail.findReceivedMessages(u -> u.getEmail().equals(address), m -> true).toList();
    }

    private static String part(MimeMessage m, String type) throws Exception {
        MimeMultipart alt = (MimeMultipart) m.getContent();
        for (int i = 0; i < alt.getCount(); i++) {
            BodyPart p = alt.getBodyPart(i);
            if (p.isMimeType(type)) {
                return ((String) p.getContent()).replace("\r\n", "\n");
            }
        }
        throw new AssertionError("no " + type + " part");
    }

    @Test
    void silenceReachesIssoAndSaWithSubjectBodyAndBothParts() throws Exception {
        start(settings(mail.getSmtp().getPort(), "", "").build());
        alerting.accept(Events.streamSilent("node-7", "ucp-audit", T, T.minus(Duration.ofSeconds(690))));
        advance(WINDOW);
        await().atMost(AWAIT).until(() -> inbox("isso@example.org").size() == 1 && inbox("sa@example.org").size() == 1);
        assertTrue(inbox("ops@example.org").isEmpty(), "ops is not routed node alerts");

        MimeMessage m = inbox("sa@example.org").get(0);
        assertEquals("[auditwatch] AUDIT FAILURE: no audit data from node-7 (ucp-audit) for 12m", m.getSubject());
        Set<String> to = Arrays.stream(m.getRecipients(Message.RecipientType.TO)).map(Object::toString).collect(Collectors.toSet());
        assertEquals(Set.of("isso@example.org", "sa@example.org"), to);
        assertEquals("auditwatch@example.org", m.getFrom()[0].toString());
        assertTrue(m.isMimeType("multipart/alternative"));
        String text = part(m, "text/plain");
        String html = part(m, "text/html");
        for (String body : List.of(text, html)) {
            assertTrue(body.contains("node-7"));
            assertTrue(body.contains("ucp-audit"));
            assertTrue(body.contains("2026-11-23 17:48:30 UTC"), "last seen in UTC");
            assertTrue(body.contains("docker logs ucp-controller"));
            assertTrue(body.contains("CIS Docker Benchmark 1.2.3"));
            assertTrue(body.contains("DKER-EE-001590"));
            assertTrue(body.contains("AU-5(a)"));
        }
        assertEquals("stream-silent/node-7/ucp-audit", m.getHeader("X-Auditwatch-Alert-Key")[0]);
        assertTrue(m.getMessageID().endsWith("@auditwatch>"));
    }

    @Test
    void recoveryIsSentWithTheOutageLength() throws Exception {
        start(settings(mail.getSmtp().getPort(), "", "").build());
        AlertEvent firing = Events.streamSilent("node-7", "ucp-audit", T, T.minus(Duration.ofMinutes(12)));
        alerting.accept(firing);
        advance(WINDOW);
        clock.set(T.plus(Duration.ofMinutes(35)));
        alerting.accept(Events.resolved(firing, clock.instant()));
        advance(WINDOW);
        await().atMost(AWAIT).until(() -> inbox("isso@example.org").size() == 2);
        MimeMessage m = inbox("isso@example.org").get(1);
        assertEquals("[auditwatch] RECOVERED: node-7 (ucp-audit) delivering again after 47m", m.getSubject());
        assertTrue(part(m, "text/plain").contains("Outage:       47m"));
    }

    @Test
    void fiftyNodesSilentWithinTheWindowGiveOneEmailPerRecipientNotFifty() throws Exception {
        start(settings(mail.getSmtp().getPort(), "", "").build());
        for (int i = 1; i <= 50; i++) {
            alerting.accept(Events.nodeSilent("node-" + i, clock.instant(), T.minus(Duration.ofMinutes(15))));
            advance(Duration.ofMillis(400));
        }
        advance(WINDOW);
        await().atMost(AWAIT).until(() -> mail.getReceivedMessages().length >= 2);
        advance(Duration.ofMinutes(1));
        assertEquals(2, mail.getReceivedMessages().length, "one digest, delivered to isso and sa");
        MimeMessage m = inbox("isso@example.org").get(0);
        assertEquals("[auditwatch] AUDIT FAILURE: 50 nodes silent (node-1, node-2, node-3, ...)", m.getSubject());
        String text = part(m, "text/plain");
        for (int i = 1; i <= 50; i++) {
            assertTrue(text.contains("Node:         node-" + i + "\n"));
        }
        assertEquals(50, m.getHeader("X-Auditwatch-Alert-Key").length);
    }

    @Test
    void stillSilentRepeatsAtTheRepeatIntervalOnly() throws Exception {
        start(settings(mail.getSmtp().getPort(), "", "").build());
        alerting.accept(Events.nodeSilent("node-4", T, T.minus(Duration.ofMinutes(15))));
        advance(WINDOW);
        Instant first = clock.instant();
        clock.set(first.plus(Duration.ofHours(4)).minusSeconds(1));
        alerting.tick();
        await().atMost(AWAIT).until(() -> inbox("isso@example.org").size() == 1);
        clock.set(first.plus(Duration.ofHours(4)));
        alerting.tick();
        await().atMost(AWAIT).until(() -> inbox("isso@example.org").size() == 2);
        assertTrue(inbox("isso@example.org").get(1).getSubject().startsWith("[auditwatch] STILL SILENT: no audit data from node-4 for 4h"));
        clock.set(first.plus(Duration.ofHours(8)));
        alerting.tick();
        await().atMost(AWAIT).until(() -> inbox("isso@example.org").size() == 3);
    }

    @Test
    void smtpDownThenBackDeliversEveryAlertExactlyOnceAcrossARestart() throws Exception {
        int port = mail.getSmtp().getPort();
        mail.stop(); // the relay is down
        AlertingSettings s = settings(port, "", "").retry(Duration.ofSeconds(5), Duration.ofMinutes(1)).build();

        start(s);
        alerting.accept(Events.nodeSilent("node-1", clock.instant(), T.minus(Duration.ofMinutes(15))));
        advance(WINDOW);
        advance(Duration.ofMinutes(2));
        alerting.accept(Events.kafkaUnreachable(clock.instant(), clock.instant().minusSeconds(60)));
        advance(WINDOW);
        DeliveryHealth failing = alerting.health();
        assertFalse(failing.ok());
        assertEquals(2, failing.pending());
        assertEquals("connect", failing.lastFailure());
        alerting.close(); // restart while the relay is still down

        start(s);
        assertEquals(2, alerting.health().pending());
        advance(Duration.ofMinutes(1));
        mail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start(); // the relay is back
        advance(Duration.ofMinutes(1));
        await().atMost(AWAIT).until(() -> mail.getReceivedMessages().length == 4);
        for (int i = 0; i < 10; i++) {
            advance(Duration.ofMinutes(1));
        }
        assertEquals(4, mail.getReceivedMessages().length, "two notifications, each once to isso and sa");
        assertTrue(alerting.health().ok());
        assertEquals(0, alerting.health().pending());

        // A third instance finds nothing to re-send, and no open alert is re-announced.
        alerting.close();
        start(s);
        advance(WINDOW);
        advance(Duration.ofMinutes(1));
        assertEquals(4, mail.getReceivedMessages().length);
        assertEquals(2, alerting.openAlerts().size());
    }

    @Test
    void testAlertReachesEveryRecipientOfEveryRole() throws Exception {
        start(settings(mail.getSmtp().getPort(), "", "").build());
        Notification n = alerting.sendTestAlert();
        await().atMost(AWAIT).until(() -> mail.getReceivedMessages().length == 3);
        for (String a : List.of("isso@example.org", "sa@example.org", "ops@example.org")) {
            MimeMessage m = inbox(a).get(0);
            assertEquals("[auditwatch] TEST: audit failure alert delivery check", m.getSubject());
            assertEquals(n.messageId(), m.getMessageID());
            assertTrue(part(m, "text/plain").contains("This is a TEST"));
        }
        assertTrue(alerting.health().ok());
    }

    @Test
    void authenticatesWithUserAndPassword() throws Exception {
        mail.stop();
        mail = new GreenMail(GreenMailTls.loopback(ServerSetup.PROTOCOL_SMTPS))
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("relay-user", "s3cret"));
        mail.start();
        start(settingsWithAuth("relay-user", "s3cret").build());
        alerting.sendTestAlert();
        await().atMost(AWAIT).until(() -> mail.getReceivedMessages().length == 3);
        assertTrue(alerting.health().ok());
    }

    @Test
    void wrongPasswordIsAnAuthFailureAndTheAlertStaysQueued() throws Exception {
        mail.stop();
        mail = new GreenMail(GreenMailTls.loopback(ServerSetup.PROTOCOL_SMTPS))
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("relay-user", "s3cret"));
        mail.start();
        start(settingsWithAuth("relay-user", "wrong").build());
        alerting.sendTestAlert();
        DeliveryHealth h = alerting.health();
        assertFalse(h.ok());
        assertEquals("auth", h.lastFailure());
        assertEquals(1, h.pending());
        assertEquals(0, mail.getReceivedMessages().length);
    }

    @Test
    void htmlPartOfARealMessageEscapesScriptInANodeName() throws Exception {
        start(settings(mail.getSmtp().getPort(), "", "").build());
        alerting.accept(Events.nodeSilent("<script>alert(1)</script>", T, T.minus(Duration.ofMinutes(15))));
        advance(WINDOW);
        await().atMost(AWAIT).until(() -> inbox("isso@example.org").size() == 1);
        String html = part(inbox("isso@example.org").get(0), "text/html");
        assertFalse(html.contains("<script>"));
        assertTrue(html.contains("&lt;script&gt;"));
    }
}
