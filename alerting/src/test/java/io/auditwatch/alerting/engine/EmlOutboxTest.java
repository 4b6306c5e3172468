package io.auditwatch.alerting.engine;

import io.auditwatch.alerting.TestAlertingSettings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alerting.AlertHistory;
import io.auditwatch.alerting.AlertKind;
import io.auditwatch.alerting.AlertingConfigException;
import io.auditwatch.alerting.AlertingSettings;
import io.auditwatch.alerting.Notification;
import io.auditwatch.alerting.mail.EmlFolderDelivery;
import io.auditwatch.testing.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default: no SMTP host, notifications become .eml files. */
class EmlOutboxTest {
    private static final Instant T = Instant.parse("2026-11-23T18:00:00Z");

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(T);

    private List<Path> emlFiles() throws Exception {
        try (Stream<Path> s = Files.list(dir.resolve(EmlFolderDelivery.FOLDER))) {
            return s.filter(p -> p.toString().endsWith(".eml")).sorted().toList();
        }
    }

    private static MimeMessage parse(Path p) throws Exception {
        try (InputStream in = Files.newInputStream(p)) {
            return new MimeMessage(Session.getInstance(new Properties()), in);
        }
    }

    @Test
    void withoutSmtpHostNotificationsAreWrittenAsParseableEmlFilesWithBothParts() throws Exception {
        AlertingSettings s = TestAlertingSettings.builder().recipients("isso", "isso@example.org").recipients("sa", "sa@example.org")
                .outboxDir(dir).build();
        try (Alerting alerting = new Alerting(s, clock, new SimpleMeterRegistry(), AlertHistory.NONE)) {
            alerting.accept(Events.streamSilent("node-7", "ucp-audit", T, T.minus(Duration.ofMinutes(12))));
            clock.advance(s.groupWindow());
            alerting.tick();
            assertTrue(alerting.health().ok());
            assertEquals(0, alerting.health().pending());
        }
        List<Path> files = emlFiles();
        assertEquals(1, files.size());
        MimeMessage m = parse(files.get(0));
        assertEquals("[auditwatch] AUDIT FAILURE: no audit data from node-7 (ucp-audit) for 12m", m.getSubject());
        assertEquals(2, m.getRecipients(Message.RecipientType.TO).length);
        MimeMultipart alt = (MimeMultipart) m.getContent();
        assertEquals(2, alt.getCount());
        assertTrue(alt.getBodyPart(0).isMimeType("text/plain"));
        assertTrue(alt.getBodyPart(1).isMimeType("text/html"));
        assertTrue(m.getMessageID().endsWith("@auditwatch>"));
        try (Stream<Path> pending = Files.list(dir.resolve("pending"))) {
            assertEquals(0, pending.count(), "the outbox entry is deleted once the .eml is written");
        }
    }

    @Test
    void historyRecordsEveryQueuedNotification() {
        AlertingSettings s = TestAlertingSettings.builder().recipients("isso", "isso@example.org").recipients("sa", "sa@example.org")
                .outboxDir(dir).build();
        List<Notification> recorded = new java.util.ArrayList<>();
        try (Alerting alerting = new Alerting(s, clock, new SimpleMeterRegistry(), recorded::add)) {
            alerting.accept(Events.nodeSilent("node-1", T, T.minus(Duration.ofMinutes(15))));
            clock.advance(s.groupWindow());
            alerting.tick();
            alerting.sendTestAlert();
        }
        assertEquals(2, recorded.size());
        assertEquals(List.of(AlertKind.TEST), recorded.get(1).kinds());
    }

    @Test
    void unusableOutboxDirectoryStopsStartUpNamingTheKey() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        AlertingSettings s = TestAlertingSettings.builder().recipients("isso", "isso@example.org").recipients("sa", "sa@example.org")
                .outboxDir(file).build();
        AlertingConfigException e = org.junit.jupiter.api.Assertions.assertThrows(AlertingConfigException.class,
                () -> new Alerting(s, clock, new SimpleMeterRegistry(), AlertHistory.NONE));
        assertEquals("alerting.outbox-dir", e.key());
    }

    @Test
    void aSecondInstanceOnTheSameOutboxIsRefused() {
        AlertingSettings s = TestAlertingSettings.builder().recipients("isso", "isso@example.org").recipients("sa", "sa@example.org")
                .outboxDir(dir).build();
        try (Alerting first = new Alerting(s, clock, new SimpleMeterRegistry(), AlertHistory.NONE)) {
            AlertingConfigException e = org.junit.jupiter.api.Assertions.assertThrows(AlertingConfigException.class,
                    () -> new Alerting(s, clock, new SimpleMeterRegistry(), AlertHistory.NONE));
            assertEquals("alerting.outbox-dir", e.key());
        }
        new Alerting(s, clock, new SimpleMeterRegistry(), AlertHistory.NONE).close(); // released by close()
    }
}
