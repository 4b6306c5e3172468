package io.auditwatch.alerting;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An alert that fired and has not yet been closed by a recovery notice: what the status page shows
 * and what survives a restart (persisted in the outbox directory).
 *
 * @param event the FIRING event that opened it
 * @param since when alerting received it (injected clock)
 * @param notifiedAt when its first notice was queued; null while it waits for the group window or a silence
 * @param lastNoticeAt when its last notice (first, repeat or escalation) was queued; null if none
 * @param escalations how many escalation steps have been applied
 * @param roles roles it goes to now (routing plus escalations)
 * @param resolved the RESOLVED event waiting for the group window, or null while still failing
 */
public record OpenAlert(
        AlertEvent event,
        Instant since,
        Instant notifiedAt,
        Instant lastNoticeAt,
        int escalations,
        List<String> roles,
        AlertEvent resolved) {

    public OpenAlert {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(since, "since");
        roles = List.copyOf(roles);
    }

    public String key() {
        return event.key();
    }

    public AlertKind kind() {
        return event.kind();
    }

    public boolean notified() {
        return notifiedAt != null;
    }

    public OpenAlert withNotice(Instant at) {
        return new OpenAlert(event, since, notifiedAt == null ? at : notifiedAt, at, escalations, roles, resolved);
    }

    public OpenAlert withEscalation(List<String> newRoles) {
        return new OpenAlert(event, since, notifiedAt, lastNoticeAt, escalations + 1, newRoles, resolved);
    }

    public OpenAlert withResolved(AlertEvent r) {
        return new OpenAlert(event, since, notifiedAt, lastNoticeAt, escalations, roles, r);
    }
}
