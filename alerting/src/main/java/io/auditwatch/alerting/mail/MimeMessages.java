package io.auditwatch.alerting.mail;

import io.auditwatch.alerting.Notification;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Date;

/** A {@link Notification} as an RFC 5322 message: multipart/alternative text + HTML, stable Message-ID. */
final class MimeMessages {
    static final String ALERT_KEY_HEADER = "X-Auditwatch-Alert-Key";
    /** Header values are truncated here: a key is sender-influenced, and RFC 5322 section 2.1.1 caps lines at 998. */
    static final int MAX_HEADER_VALUE = 900;

    private MimeMessages() {
    }

    static MimeMessage build(Session session, Notification n, String from) throws MessagingException {
        MimeMessage m = new StableIdMessage(session, n.messageId());
        m.setFrom(new InternetAddress(from));
        InternetAddress[] to = new InternetAddress[n.recipients().size()];
        for (int i = 0; i < to.length; i++) {
            to[i] = new InternetAddress(n.recipients().get(i));
        }
        m.setRecipients(Message.RecipientType.TO, to);
        m.setSubject(headerSafe(n.subject()), "UTF-8");
        m.setSentDate(Date.from(n.created()));
        for (String key : n.alertKeys()) {
            m.addHeader(ALERT_KEY_HEADER, headerSafe(key));
        }
        MimeBodyPart text = new MimeBodyPart();
        text.setText(n.textBody(), "UTF-8", "plain");
        MimeBodyPart html = new MimeBodyPart();
        html.setText(n.htmlBody(), "UTF-8", "html");
        // RFC 2046 section 5.1.4: alternatives in increasing preference, so HTML last.
        MimeMultipart alt = new MimeMultipart("alternative");
        alt.addBodyPart(text);
        alt.addBodyPart(html);
        m.setContent(alt);
        m.saveChanges();
        return m;
    }

    static byte[] bytes(MimeMessage m) throws MessagingException, IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        return out.toByteArray();
    }

    /** No CR, LF or other controls in a header (no header injection from a node name); bounded length. */
    static String headerSafe(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_HEADER_VALUE));
        for (int i = 0; i < s.length() && b.length() < MAX_HEADER_VALUE; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? ' ' : c);
        }
        return b.toString();
    }

    /** Jakarta Mail replaces the Message-ID on every saveChanges(); ours must stay the notification's. */
    private static final class StableIdMessage extends MimeMessage {
        private final String messageId;

        StableIdMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }
}
