package io.auditwatch.alerting.engine;

import io.auditwatch.alerting.AlertEvent;
import java.time.Instant;
import java.util.Objects;

/**
 * Suppresses notifications of matching alerts until {@link #until()}. Alerts still open and close
 * while silenced (the status page shows them); an alert that fired during the silence and is
 * still open when it ends is notified then.
 *
 * @param match a node name (matches {@link AlertEvent#node()} exactly) or an alert key prefix
 *     (e.g. {@code stream-silent/node-7/}); never empty
 * @param until exclusive end
 * @param reason why, shown on the status page and in the log (a change ticket, "patching")
 */
record Silence(String match, Instant until, String reason) {
    Silence {
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(until, "until");
        reason = reason == null ? "" : reason;
        if (match.isBlank()) {
            throw new IllegalArgumentException("a silence needs a node or key prefix; an empty one would silence everything");
        }
    }

    boolean matches(AlertEvent e, Instant now) {
        return now.isBefore(until) && (match.equals(e.node()) || e.key().startsWith(match));
    }
}
