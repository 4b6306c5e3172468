package io.auditwatch.service.admin;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One outage of the last days on {@code /status}, from the alert history (the assessor report's source).
 *
 * @param node the node, or null for an outage of auditwatch itself
 * @param kind the alert kind
 * @param summary the alert's summary
 * @param detected when it was detected
 * @param alerted when it was first notified, or null
 * @param resolved when it ended, or null while open
 * @param mailed who was mailed about it
 */
public record OutageRow(String node, String kind, String summary, Instant detected, Instant alerted, Instant resolved,
        List<String> mailed) {
    public OutageRow {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detected, "detected");
        mailed = mailed == null ? List.of() : List.copyOf(mailed);
    }
}
