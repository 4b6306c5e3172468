package io.auditwatch.alerting.engine;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertKind;
import io.auditwatch.alerting.AlertingSettings;
import io.auditwatch.alerting.Notification;
import io.auditwatch.alerting.OpenAlert;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Turns notices into a {@link Notification}: a subject a person can triage from an inbox, a
 * text/plain body and an HTML alternative (inline styles, no external resources, every value
 * escaped). One notice renders as a single alert; several as a digest.
 */
final class NotificationRenderer {
    /** Every subject starts with it so mail rules can file and page on it. */
    static final String PREFIX = "[auditwatch] ";
    static final String TEST_SUBJECT = PREFIX + "TEST: audit failure alert delivery check";
    /** Names listed in a digest subject before "...": a subject line stays under ~100 characters. */
    static final int SUBJECT_NAMES = 3;

    private static final DateTimeFormatter UTC =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private final AlertingSettings settings;

    NotificationRenderer(AlertingSettings settings) {
        this.settings = settings;
    }

    /**
     * Renders one notification for these notices (non-empty) to these recipients.
     *
     * @param heldBack alerts silences held back since the last notification, by silence
     *     description; empty when none
     */
    Notification render(List<Notice> notices, List<String> recipients, Instant now, Map<String, Integer> heldBack) {
        if (notices.isEmpty()) {
            throw new IllegalArgumentException("nothing to render");
        }
        String subject = PREFIX + (notices.size() == 1 ? headline(notices.get(0), now) : digestHeadline(notices));
        Set<AlertKind> kinds = new LinkedHashSet<>();
        List<String> keys = new ArrayList<>();
        List<Notification.Alert> alerts = new ArrayList<>();
        for (Notice n : notices) {
            kinds.add(n.alert().kind());
            keys.add(n.alert().key());
            AlertEvent e = n.alert().event();
            alerts.add(new Notification.Alert(e.key(), e.kind(), n.type().name().toLowerCase(java.util.Locale.ROOT),
                    e.node(), e.stream(), e.at(), e.lastSeen(),
                    n.type() == Notice.Type.RECOVERED ? n.alert().resolved().at() : null, e.summary()));
        }
        return new Notification(newId(now), new ArrayList<>(kinds), subject, text(subject, notices, now, heldBack),
                html(subject, notices, now, heldBack), recipients, now, keys, alerts);
    }

    /** The test alert: to every recipient of every role, says it is a test, lists the recipients. */
    Notification test(Instant now, String mode) {
        StringBuilder t = new StringBuilder();
        t.append("This is a TEST of auditwatch alert delivery. No audit failure has occurred and no action is needed.\n\n");
        t.append("If you received this email, alerts of audit processing failures reach you. auditwatch sends\n");
        t.append("the same way when a Docker node stops delivering audit data or the audit pipeline fails.\n\n");
        t.append("Recipients of this test, by role:\n");
        for (Map.Entry<String, List<String>> e : settings.recipients().entrySet()) {
            t.append("  ").append(e.getKey()).append(": ").append(String.join(", ", e.getValue())).append('\n');
        }
        t.append("\nSent: ").append(UTC.format(now)).append(" via ").append(mode).append("\n\n");
        appendControls(t);
        appendFooter(t);

        StringBuilder h = htmlStart(TEST_SUBJECT, "#1f5fa8");
        h.append("<p>This is a <b>TEST</b> of auditwatch alert delivery. No audit failure has occurred and no action is needed.</p>");
        h.append("<p>If you received this email, alerts of audit processing failures reach you.</p>");
        h.append("<table style=\"border-collapse:collapse\">");
        for (Map.Entry<String, List<String>> e : settings.recipients().entrySet()) {
            row(h, e.getKey(), String.join(", ", e.getValue()));
        }
        row(h, "Sent", UTC.format(now) + " via " + mode);
        h.append("</table>");
        htmlEnd(h);
        return new Notification(newId(now), List.of(AlertKind.TEST), TEST_SUBJECT, t.toString(), h.toString(),
                settings.allAddresses(), now, List.of("test"));
    }

    // ---- subjects

    static String headline(Notice n, Instant now) {
        OpenAlert a = n.alert();
        return switch (n.type()) {
            case FIRING -> (a.kind().category() == AlertKind.Category.PIPELINE ? "PIPELINE FAILURE: " : "AUDIT FAILURE: ")
                    + problem(a, now);
            case REPEAT -> (isSilence(a.kind()) ? "STILL SILENT: " : "STILL FAILING: ") + problem(a, now);
            case ESCALATED -> "ESCALATED: " + problem(a, now);
            case RECOVERED -> "RECOVERED: " + recovery(a);
        };
    }

    private static String digestHeadline(List<Notice> notices) {
        List<Notice> firing = notices.stream().filter(n -> n.type() == Notice.Type.FIRING).toList();
        List<Notice> recovered = notices.stream().filter(n -> n.type() == Notice.Type.RECOVERED).toList();
        List<Notice> other = notices.stream()
                .filter(n -> n.type() != Notice.Type.FIRING && n.type() != Notice.Type.RECOVERED).toList();
        if (!firing.isEmpty()) {
            boolean node = firing.stream().anyMatch(n -> n.alert().kind().category() == AlertKind.Category.NODE);
            String s = (node ? "AUDIT FAILURE: " : "PIPELINE FAILURE: ") + countPhrase(firing, "silent") + names(firing);
            return recovered.isEmpty() ? s : s + "; " + recovered.size() + " recovered";
        }
        if (!other.isEmpty()) {
            Notice.Type t = other.get(0).type();
            boolean silent = other.stream().allMatch(n -> isSilence(n.alert().kind()));
            if (t == Notice.Type.ESCALATED) {
                return "ESCALATED: " + countPhrase(other, "silent") + names(other);
            }
            return (silent ? "STILL SILENT: " : "STILL FAILING: ") + countPhrase(other, "") + names(other);
        }
        return "RECOVERED: " + countPhrase(recovered, "delivering again") + names(recovered);
    }

    /** "50 nodes silent" when every notice is a silence of a node, else "5 alerts". */
    private static String countPhrase(List<Notice> notices, String silentWord) {
        boolean allSilence = notices.stream().allMatch(n -> isSilence(n.alert().kind()) && n.alert().event().node() != null);
        if (allSilence) {
            long nodes = notices.stream().map(n -> n.alert().event().node()).distinct().count();
            return nodes + (nodes == 1 ? " node" : " nodes") + (silentWord.isEmpty() ? "" : " " + silentWord);
        }
        return notices.size() + " alerts";
    }

    private static String names(List<Notice> notices) {
        List<String> names = notices.stream().map(n -> label(n.alert())).distinct().toList();
        StringBuilder b = new StringBuilder(" (");
        for (int i = 0; i < Math.min(SUBJECT_NAMES, names.size()); i++) {
            b.append(i == 0 ? "" : ", ").append(names.get(i));
        }
        return b.append(names.size() > SUBJECT_NAMES ? ", ...)" : ")").toString();
    }

    private static String label(OpenAlert a) {
        return a.event().node() != null ? a.event().node() : a.kind().id();
    }

    /** "no audit data from node-7 (ucp-audit) for 12m", or the event's own summary. */
    private static String problem(OpenAlert a, Instant now) {
        AlertEvent e = a.event();
        if (isSilence(a.kind()) && e.node() != null) {
            String where = e.node() + (e.stream() != null ? " (" + e.stream() + ")" : "");
            if (a.kind() == AlertKind.NODE_NEVER_SEEN || e.lastSeen() == null) {
                return "no audit data ever received from " + where;
            }
            return "no audit data from " + where + " for " + HumanDuration.format(Duration.between(e.lastSeen(), now));
        }
        String s = e.summary();
        if (a.kind().category() == AlertKind.Category.PIPELINE && e.lastSeen() != null) {
            s += " for " + HumanDuration.format(Duration.between(e.lastSeen(), now));
        }
        return s;
    }

    private static String recovery(OpenAlert a) {
        AlertEvent e = a.event();
        String after = HumanDuration.format(outage(a));
        if (isSilence(a.kind()) && e.node() != null) {
            return e.node() + (e.stream() != null ? " (" + e.stream() + ")" : "") + " delivering again after " + after;
        }
        return e.summary() + ", resolved after " + after;
    }

    /** RESOLVED at minus the last event before the gap; without one, minus the FIRING time. */
    static Duration outage(OpenAlert a) {
        AlertEvent r = a.resolved();
        Instant end = r != null ? r.at() : a.event().at();
        Instant start = a.event().lastSeen() != null ? a.event().lastSeen()
                : r != null && r.lastSeen() != null ? r.lastSeen() : a.event().at();
        return Duration.between(start, end);
    }

    private static boolean isSilence(AlertKind k) {
        return k == AlertKind.NODE_SILENT || k == AlertKind.STREAM_SILENT || k == AlertKind.NODE_NEVER_SEEN;
    }

    // ---- bodies

    private String text(String subject, List<Notice> notices, Instant now, Map<String, Integer> heldBack) {
        StringBuilder t = new StringBuilder();
        t.append(subject.substring(PREFIX.length())).append("\n\n");
        for (Notice n : notices) {
            if (notices.size() > 1) {
                t.append("* ").append(headline(n, now)).append('\n');
            }
            for (String[] f : facts(n, now)) {
                t.append(notices.size() > 1 ? "    " : "").append(String.format("%-13s %s%n", f[0] + ":", f[1]));
            }
            t.append('\n');
        }
        List<String> checks = checks(notices);
        if (!checks.isEmpty()) {
            t.append("What to check first:\n");
            checks.forEach(c -> t.append("  - ").append(c).append('\n'));
            t.append('\n');
        }
        if (!heldBack.isEmpty()) {
            t.append(heldBackHeading(heldBack)).append(":\n");
            heldBack.forEach((silence, n) -> t.append("  - ").append(n).append(" by ").append(silence).append('\n'));
            t.append('\n');
        }
        if (!settings.statusUrl().isEmpty()) {
            t.append("Status page: ").append(statusLink()).append("\n\n");
        }
        appendControls(t);
        appendFooter(t);
        return t.toString();
    }

    private String html(String subject, List<Notice> notices, Instant now, Map<String, Integer> heldBack) {
        boolean recovered = notices.stream().allMatch(n -> n.type() == Notice.Type.RECOVERED);
        StringBuilder h = htmlStart(subject, recovered ? "#2e7d32" : "#b00020");
        for (Notice n : notices) {
            if (notices.size() > 1) {
                h.append("<h3 style=\"font-size:14px;margin:16px 0 4px 0\">").append(Html.escape(headline(n, now))).append("</h3>");
            }
            h.append("<table style=\"border-collapse:collapse\">");
            for (String[] f : facts(n, now)) {
                row(h, f[0], f[1]);
            }
            h.append("</table>");
        }
        List<String> checks = checks(notices);
        if (!checks.isEmpty()) {
            h.append("<h3 style=\"font-size:14px;margin:16px 0 4px 0\">What to check first</h3><ul>");
            checks.forEach(c -> h.append("<li>").append(Html.escape(c)).append("</li>"));
            h.append("</ul>");
        }
        if (!heldBack.isEmpty()) {
            h.append("<h3 style=\"font-size:14px;margin:16px 0 4px 0\">").append(Html.escape(heldBackHeading(heldBack)))
                    .append("</h3><ul>");
            heldBack.forEach((silence, n) -> h.append("<li>").append(n).append(" by ").append(Html.escape(silence))
                    .append("</li>"));
            h.append("</ul>");
        }
        if (!settings.statusUrl().isEmpty()) {
            String link = Html.escape(statusLink());
            h.append("<p>Status page: <a href=\"").append(link).append("\">").append(link).append("</a></p>");
        }
        htmlEnd(h);
        return h.toString();
    }

    /** The label/value lines of one notice, shared by both parts so they never disagree. */
    private static List<String[]> facts(Notice n, Instant now) {
        OpenAlert a = n.alert();
        AlertEvent e = a.event();
        List<String[]> f = new ArrayList<>();
        f.add(new String[] {"Alert", e.kind().id() + " (" + e.key() + ")"});
        if (e.node() != null) {
            f.add(new String[] {"Node", e.node()});
        }
        if (e.stream() != null) {
            f.add(new String[] {"Stream", e.stream()});
        }
        f.add(new String[] {"Last seen", e.lastSeen() == null ? "never"
                : UTC.format(e.lastSeen()) + " (" + HumanDuration.format(Duration.between(e.lastSeen(), now)) + " ago)"});
        if (e.threshold() != null) {
            f.add(new String[] {"Threshold", HumanDuration.format(e.threshold())});
        }
        f.add(new String[] {"Detected", UTC.format(e.at())});
        if (n.type() == Notice.Type.RECOVERED) {
            f.add(new String[] {"Recovered", UTC.format(a.resolved().at())});
            f.add(new String[] {"Outage", HumanDuration.format(outage(a))});
        }
        f.add(new String[] {"Summary", e.summary()});
        if (n.type() == Notice.Type.ESCALATED || a.escalations() > 0) {
            f.add(new String[] {"Escalated to", String.join(", ", a.roles())});
        }
        e.details().forEach((k, v) -> f.add(new String[] {k, v}));
        return f;
    }

    private static List<String> checks(List<Notice> notices) {
        Set<String> out = new LinkedHashSet<>();
        for (Notice n : notices) {
            if (n.type() != Notice.Type.RECOVERED) {
                out.addAll(Runbook.checks(n.alert().kind(), n.alert().event().stream()));
            }
        }
        return new ArrayList<>(out);
    }

    /** "Held back by silences since the last notification: 3 alerts". */
    static String heldBackHeading(Map<String, Integer> heldBack) {
        int total = heldBack.values().stream().mapToInt(Integer::intValue).sum();
        return "Held back by silences since the last notification: " + total + (total == 1 ? " alert" : " alerts");
    }

    private String statusLink() {
        String base = settings.statusUrl();
        return base.endsWith("/") ? base + "status" : base + "/status";
    }

    private static void appendControls(StringBuilder t) {
        t.append("Controls served:\n");
        Runbook.CONTROLS.forEach(c -> t.append("  - ").append(c).append('\n'));
    }

    private static void appendFooter(StringBuilder t) {
        t.append("\n-- \nauditwatch: audit trail collection and audit failure alerting for Docker hosts.\n");
    }

    private static StringBuilder htmlStart(String subject, String colour) {
        StringBuilder h = new StringBuilder(4096);
        h.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").append(Html.escape(subject))
                .append("</title></head><body style=\"font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222\">");
        h.append("<h2 style=\"font-size:16px;color:").append(colour).append(";margin:0 0 12px 0\">")
                .append(Html.escape(subject.substring(PREFIX.length()))).append("</h2>");
        return h;
    }

    private static void htmlEnd(StringBuilder h) {
        h.append("<h3 style=\"font-size:14px;margin:16px 0 4px 0\">Controls served</h3><ul>");
        Runbook.CONTROLS.forEach(c -> h.append("<li>").append(Html.escape(c)).append("</li>"));
        h.append("</ul><p style=\"color:#777;font-size:12px\">auditwatch: audit trail collection and audit failure alerting for Docker hosts.</p>");
        h.append("</body></html>");
    }

    private static void row(StringBuilder h, String label, String value) {
        h.append("<tr><td style=\"padding:2px 12px 2px 0;color:#555;vertical-align:top\">").append(Html.escape(label))
                .append("</td><td style=\"padding:2px 0;font-family:monospace\">").append(Html.escape(value)).append("</td></tr>");
    }

    private static String newId(Instant now) {
        return now.toEpochMilli() + "-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }
}
