package io.auditwatch.alerting.engine;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Suppresses notifications of matching alerts until {@link #until()}. Alerts still open and close
 * while silenced (the status page shows them); an alert that fired during the silence and is
 * still open when it ends is notified then. An operator creates one with a reason; every
 * transition it holds back is counted ({@link #held()}) and the next notification says so.
 *
 * @param id short random identifier the operator ends it by
 * @param node matches {@link AlertEvent#node()} exactly, or null for any node
 * @param stream matches {@link AlertEvent#stream()} exactly, or null for any stream
 * @param kind matches {@link AlertEvent#kind()}, or null for any kind
 * @param until exclusive end
 * @param reason why, shown on the status page, in the log and in the mails it affects (a change ticket, "patching")
 * @param by who created it (the admin API's principal), or "" when unknown
 * @param created when it was created
 * @param held transitions (FIRING or RESOLVED) it held back so far
 */
public record Silence(String id, String node, String stream, AlertKind kind, Instant until, String reason, String by,
        Instant created, int held) {
    public Silence {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(until, "until");
        reason = reason == null ? "" : reason;
        by = by == null ? "" : by;
        if (node == null && stream == null && kind == null) {
            throw new IllegalArgumentException(
                    "a silence needs a node, a stream or an alert kind; an empty matcher would silence everything");
        }
    }

    boolean matches(AlertEvent e, Instant now) {
        return now.isBefore(until) && (node == null || node.equals(e.node()))
                && (stream == null || stream.equals(e.stream())) && (kind == null || kind == e.kind());
    }

    Silence withHeld(int count) {
        return new Silence(id, node, stream, kind, until, reason, by, created, count);
    }

    /** {@code node=node-7 stream=ucp-audit kind=stream-silent}, naming only what it matches on. */
    public String matcher() {
        List<String> parts = new ArrayList<>(3);
        if (node != null) {
            parts.add("node=" + node);
        }
        if (stream != null) {
            parts.add("stream=" + stream);
        }
        if (kind != null) {
            parts.add("kind=" + kind.id());
        }
        return String.join(" ", parts);
    }

    /** One line for mails and logs: id, matcher, end, who and why. */
    String describe() {
        return "silence " + id + " (" + matcher() + ", until " + until + (by.isEmpty() ? "" : ", by " + by) + "): "
                + reason;
    }
}
