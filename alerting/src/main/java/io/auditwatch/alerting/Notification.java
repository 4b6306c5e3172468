package io.auditwatch.alerting;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One email as it is queued, persisted in the outbox and delivered: a single alert notice, a digest
 * of several, or the test alert. Immutable; {@link #id()} is stable across restarts and becomes the
 * Message-ID ({@code <id@auditwatch>}), so a mail client can drop the one duplicate a crash between
 * SMTP acceptance and outbox deletion can cause.
 *
 * @param id unique, URL- and file-name-safe
 * @param kinds distinct alert kinds it reports, in order of appearance
 * @param subject the full subject including the {@code [auditwatch]} prefix
 * @param textBody text/plain part
 * @param htmlBody text/html part; every value in it is HTML-escaped
 * @param recipients addresses, each once
 * @param created when it was queued (injected clock)
 * @param alertKeys keys of the alerts it reports ({@code X-Auditwatch-Alert-Key} headers)
 */
public record Notification(
        String id,
        List<AlertKind> kinds,
        String subject,
        String textBody,
        String htmlBody,
        List<String> recipients,
        Instant created,
        List<String> alertKeys) {

    public Notification {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(textBody, "textBody");
        Objects.requireNonNull(htmlBody, "htmlBody");
        Objects.requireNonNull(created, "created");
        kinds = List.copyOf(kinds);
        recipients = List.copyOf(recipients);
        alertKeys = List.copyOf(alertKeys);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("a notification needs at least one recipient");
        }
    }

    /** The Message-ID header value, stable for this notification. */
    public String messageId() {
        return "<" + id + "@auditwatch>";
    }
}
