package io.auditwatch.alerting.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.auditwatch.alerting.AlertKind;
import io.auditwatch.alerting.Notification;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class MimeMessagesTest {
    private final Session session = Session.getInstance(new Properties());

    private static Notification n(String subject, String key) {
        return new Notification("1764000000000-abc", List.of(AlertKind.NODE_SILENT), subject, "text", "<p>html</p>",
                List.of("isso@example.org"), Instant.parse("2026-11-23T18:00:00Z"), List.of(key));
    }

    @Test
    void messageIdIsTheNotificationsAndSurvivesSaveChanges() throws Exception {
        MimeMessage m = MimeMessages.build(session, n("s", "k"), "auditwatch@example.org");
        m.saveChanges();
        assertEquals("<1764000000000-abc@auditwatch>", m.getMessageID());
    }

    @Test
    void aNodeNameCannotInjectHeaders() throws Exception {
        MimeMessage m = MimeMessages.build(session, n("[auditwatch] AUDIT FAILURE: x\r\nBcc: evil@example.com", "node/x\r\nBcc: evil@example.com"),
                "auditwatch@example.org");
        String raw = new String(MimeMessages.bytes(m), StandardCharsets.US_ASCII);
        assertFalse(raw.contains("\r\nBcc:"), raw);
        assertEquals(null, m.getHeader("Bcc"));
    }

    @Test
    void nonAsciiSubjectRoundTripsThroughTheWireFormat() throws Exception {
        String subject = "[auditwatch] AUDIT FAILURE: no audit data from nœud-7 (ucp-audit) for 12m";
        byte[] raw = MimeMessages.bytes(MimeMessages.build(session, n(subject, "k"), "auditwatch@example.org"));
        MimeMessage parsed = new MimeMessage(session, new java.io.ByteArrayInputStream(raw));
        assertEquals(subject, parsed.getSubject());
    }
}
