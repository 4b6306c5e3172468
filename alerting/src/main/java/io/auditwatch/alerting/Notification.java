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
 * @param alerts what the notification says about each alert it reports, in the order of
 *     {@code alertKeys}: the alert history's per-alert record (alerting/README.md, "Alert history");
 *     empty for the test alert and for notifications persisted before it existed
 */
public record Notification(
        String id,
        List<AlertKind> kinds,
        String subject,
        String textBody,
        String htmlBody,
        List<String> recipients,
        Instant created,
        List<String> alertKeys,
        List<Alert> alerts) {

    /**
     * One alert as a notification reports it.
     *
     * @param key the alert key
     * @param kind what went wrong
     * @param notice {@code firing}, {@code recovered}, {@code repeat} or {@code escalated}
     * @param node the node, or null for a pipeline alert
     * @param stream the stream, or null
     * @param detected when the condition was detected (the FIRING event's time)
     * @param lastSeen the last event before the gap, or null
     * @param resolved when it ended (the RESOLVED event's time); null unless {@code notice} is {@code recovered}
     * @param summary the one-line summary
     */
    public record Alert(String key, AlertKind kind, String notice, String node, String stream, Instant detected,
            Instant lastSeen, Instant resolved, String summary) {
    }

    /** A notification without per-alert detail (the test alert). */
    public Notification(String id, List<AlertKind> kinds, String subject, String textBody, String htmlBody,
            List<String> recipients, Instant created, List<String> alertKeys) {
        this(id, kinds, subject, textBody, htmlBody, recipients, created, alertKeys, List.of());
    }

    public Notification {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(textBody, "textBody");
        Objects.requireNonNull(htmlBody, "htmlBody");
        Objects.requireNonNull(created, "created");
        kinds = List.copyOf(kinds);
        recipients = List.copyOf(recipients);
        alertKeys = List.copyOf(alertKeys);
        alerts = alerts == null ? List.of() : List.copyOf(alerts);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("a notification needs at least one recipient");
        }
    }

    /** The Message-ID header value, stable for this notification. */
    public String messageId() {
        return "<" + id + "@auditwatch>";
    }
}
