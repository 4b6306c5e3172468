package io.auditwatch.alerting;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One transition handed to alerting: a condition starts ({@link Status#FIRING}) or ends
 * ({@link Status#RESOLVED}). Alerting keeps one open alert per {@link #key()}; a second FIRING for
 * an open key is a no-op, a RESOLVED closes it and sends a recovery notice.
 *
 * @param kind what went wrong
 * @param key identity of the condition, stable across repeats, e.g. {@code stream-silent/node-7/ucp-audit}
 * @param status starts or ends
 * @param at when the transition was detected (injected clock)
 * @param node the node concerned, or null for pipeline alerts
 * @param stream the stream concerned ({@code ucp-audit}, ...), or null
 * @param lastSeen receive time of the last event before the gap, or null (never seen, pipeline)
 * @param threshold the silence threshold or limit that was crossed, or null
 * @param summary one line a person can triage from an inbox, without the {@code [auditwatch]} prefix
 * @param details further facts shown in the body, in insertion order; never secrets
 */
public record AlertEvent(
        AlertKind kind,
        String key,
        Status status,
        Instant at,
        String node,
        String stream,
        Instant lastSeen,
        Duration threshold,
        String summary,
        Map<String, String> details) {

    public enum Status {
        FIRING,
        RESOLVED
    }

    public AlertEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(summary, "summary");
        details = details == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
    }
}
