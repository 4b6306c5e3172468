package io.auditwatch.service.admin;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * Renders {@code /status}: one self-contained HTML page (inline CSS, no script, no external
 * resource) that an ISSO opens from an alert email. Every value from the view is HTML-escaped; CSS
 * classes come from {@link StateRank}, never from input.
 */
final class StatusPage {

    /** Seconds between reloads: fresh enough to watch a recovery, cheap enough for a tab left open. */
    static final int REFRESH_SECONDS = 15;

    private static final DateTimeFormatter UTC =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private static final String CSS = """
            body{font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1f23;background:#f6f7f9}
            header{padding:14px 24px;color:#fff}
            header.ok{background:#1e7b34}header.bad{background:#b3261e}
            h1{margin:0;font-size:22px}header p{margin:4px 0 0}
            main{padding:12px 24px}
            .chips span{display:inline-block;margin:0 8px 8px 0;padding:3px 10px;border-radius:12px;background:#e4e7eb}
            table{border-collapse:collapse;width:100%;background:#fff}
            th,td{padding:6px 10px;border-bottom:1px solid #e1e4e8;text-align:left;vertical-align:top}
            th{background:#eef0f3;position:sticky;top:0}
            td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            .state{font-weight:700;padding:2px 8px;border-radius:4px;white-space:nowrap}
            tr.bad{background:#fdecea}tr.bad .state{background:#b3261e;color:#fff;font-size:16px}
            tr.warn .state{background:#f2b600;color:#1b1f23}
            tr.paused .state{background:#6a737d;color:#fff}
            tr.ok .state{background:#d4edda;color:#1e7b34}
            ul{margin:0;padding-left:18px}
            .chips span.ok{background:#d4edda;color:#1e7b34}.chips span.bad{background:#b3261e;color:#fff;font-weight:700}#cis td.ok{color:#1e7b34}#cis td.bad{background:#b3261e;color:#fff;font-weight:700}
            td.id{white-space:nowrap}
            footer{padding:8px 24px;color:#586069;font-size:13px}
            """;

    static String render(StatusView view) {
        List<NodeStreamView> rows = StatusRows.sorted(view);
        Map<String, Integer> counts = StatusRows.countsByState(rows);
        long failed = rows.stream().filter(r -> StateRank.of(r.state()).failing()).count();
        boolean allOk = view.pipelineOk() && failed == 0;

        StringBuilder h = new StringBuilder(4096 + rows.size() * 400);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"refresh\" content=\"").append(REFRESH_SECONDS).append("\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>").append(allOk ? "OK" : "FAILING").append(" - auditwatch status</title>")
                .append("<style>").append(CSS).append("</style></head><body>\n");

        h.append("<header class=\"").append(allOk ? "ok" : "bad").append("\"><h1>auditwatch: ")
                .append(view.pipelineOk() ? "pipeline OK" : "pipeline FAILING").append(", ")
                .append(failed == 0 ? "all nodes reporting" : failed + " node stream(s) not reporting")
                .append("</h1><p>").append(rows.size()).append(" node stream(s) watched</p></header>\n<main>\n");

        h.append("<div class=\"chips\" id=\"counts\">");
        counts.forEach((state, n) -> h.append("<span>").append(esc(state)).append(": <b>").append(n)
                .append("</b></span>"));
        h.append("</div>\n");

        if (!view.pipeline().isEmpty()) {
            h.append("<div class=\"chips\" id=\"pipeline\"><b>Pipeline</b> ");
            view.pipeline().forEach((part, state) -> h.append("<span class=\"")
                    .append(StatusView.healthy(state) ? "ok" : "bad").append("\">").append(esc(part)).append(": ")
                    .append(esc(state)).append("</span>"));
            h.append("</div>\n");
        }

        h.append("<table id=\"nodes\"><thead><tr><th>Node</th><th>Role</th><th>Stream</th><th>State</th>")
                .append("<th>Last seen (UTC)</th><th>Age</th><th>Threshold</th><th>Maintenance until</th>")
                .append("<th>Open alerts</th></tr></thead><tbody>\n");
        for (NodeStreamView r : rows) {
            StateRank rank = StateRank.of(r.state());
            h.append("<tr class=\"").append(rank.cssClass()).append("\" data-node=\"").append(esc(r.node()))
                    .append("\" data-state=\"").append(esc(r.state())).append("\">")
                    .append("<td class=\"id\">").append(esc(r.node())).append("</td>")
                    .append("<td>").append(esc(orDash(r.role()))).append("</td>")
                    .append("<td class=\"id\">").append(esc(r.stream())).append("</td>")
                    .append("<td><span class=\"state\">").append(esc(r.state())).append("</span></td>")
                    .append("<td class=\"num\">").append(r.lastSeen() == null ? "never" : UTC.format(r.lastSeen()))
                    .append("</td><td class=\"num\">").append(r.lastSeen() == null ? "-" : human(r.age(view.generatedAt())))
                    .append("</td><td class=\"num\">").append(r.threshold() == null ? "-" : human(r.threshold()))
                    .append("</td><td class=\"num\">")
                    .append(r.maintenanceUntil() == null ? "-" : UTC.format(r.maintenanceUntil())).append("</td><td>");
            if (!r.openAlerts().isEmpty()) {
                h.append("<ul>");
                r.openAlerts().forEach(a -> h.append("<li>").append(esc(a)).append("</li>"));
                h.append("</ul>");
            }
            h.append("</td></tr>\n");
        }
        if (rows.isEmpty()) {
            h.append("<tr><td colspan=\"9\">No node has been seen and the inventory lists none.</td></tr>\n");
        }
        h.append("</tbody></table>\n");
        cisTable(h, view);
        outageTable(h, view);
        silenceTable(h, view);
        operatorTable(h, view);
        h.append("</main>\n<footer>Generated ").append(UTC.format(view.generatedAt()))
                .append("; this page reloads every ").append(REFRESH_SECONDS)
                .append(" s. The same data as JSON: <a href=\"api/nodes\">api/nodes</a>. ")
                .append("Assessor report of the last 30 days: <a href=\"api/report?format=html\">HTML</a>, ")
                .append("<a href=\"api/report?format=json\">JSON</a>, <a href=\"api/report?format=csv\">CSV</a>.")
                .append("</footer>\n</body></html>\n");
        return h.toString();
    }

    /** Per node, the state of each CIS Docker audit rule and when the node last reported it. */
    private static void cisTable(StringBuilder h, StatusView view) {
        if (view.cis().isEmpty()) {
            return;
        }
        java.util.Set<String> ids = view.cis().get(0).controls().keySet();
        h.append("<h2>CIS Docker Benchmark v1.2.0 audit rules</h2>\n<table id=\"cis\"><thead><tr><th>Node</th>")
                .append("<th>Auditing</th><th>Reported (UTC)</th>");
        ids.forEach(id -> h.append("<th>").append(esc(id)).append("</th>"));
        h.append("</tr></thead><tbody>\n");
        for (CisRow c : view.cis()) {
            h.append("<tr data-node=\"").append(esc(c.node())).append("\"><td class=\"id\">").append(esc(c.node()))
                    .append("</td><td>").append(c.enabled() < 0 ? "unknown" : c.enabled() == 0 ? "off" : "on")
                    .append("</td><td class=\"num\">").append(c.reported() == null ? "never" : UTC.format(c.reported()))
                    .append("</td>");
            for (String id : ids) {
                String st = c.controls().getOrDefault(id, "unknown");
                h.append("<td class=\"").append(st.equals("missing") ? "bad" : st.equals("ok") ? "ok" : "")
                        .append("\">").append(esc(st)).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    /** The active silences: what they match, until when, who made them and why, what they held back. */
    private static void silenceTable(StringBuilder h, StatusView view) {
        h.append("<h2>Active silences</h2>\n");
        if (view.silences().isEmpty()) {
            h.append("<p id=\"silences\">None: every alert is mailed.</p>\n");
            return;
        }
        h.append("<table id=\"silences\"><thead><tr><th>Id</th><th>Matches</th><th>Until (UTC)</th><th>By</th>")
                .append("<th>Reason</th><th>Held back</th></tr></thead><tbody>\n");
        for (io.auditwatch.alerting.engine.Silence s : view.silences()) {
            h.append("<tr data-silence=\"").append(esc(s.id())).append("\"><td class=\"id\">").append(esc(s.id()))
                    .append("</td><td>").append(esc(s.matcher())).append("</td><td class=\"num\">")
                    .append(UTC.format(s.until())).append("</td><td>").append(esc(orDash(s.by()))).append("</td><td>")
                    .append(esc(s.reason())).append("</td><td class=\"num\">").append(s.held()).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    /** The latest operator actions, newest first, as read from the operator audit topic. */
    private static void operatorTable(StringBuilder h, StatusView view) {
        h.append("<h2>Operator actions (latest ").append(view.operatorActions().size()).append(")</h2>\n");
        if (view.operatorActions().isEmpty()) {
            h.append("<p id=\"operator-actions\">None recorded.</p>\n");
            return;
        }
        h.append("<table id=\"operator-actions\"><thead><tr><th>When (UTC)</th><th>Who</th><th>From</th>")
                .append("<th>Action</th><th>Parameters</th><th>Reason</th><th>Outcome</th></tr></thead><tbody>\n");
        for (OperatorAction a : view.operatorActions()) {
            StringBuilder params = new StringBuilder();
            a.parameters().forEach((k, v) -> params.append(params.length() == 0 ? "" : " ").append(k).append('=').append(v));
            h.append("<tr><td class=\"num\">").append(UTC.format(a.at())).append("</td><td>").append(esc(a.principal()))
                    .append("</td><td>").append(esc(a.from())).append("</td><td>").append(esc(a.action()))
                    .append("</td><td>").append(esc(params.toString())).append("</td><td>").append(esc(orDash(a.reason())))
                    .append("</td><td>").append(esc(a.outcome())).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    /** Outages of the last {@link StatusView#OUTAGE_DAYS} days, per node (auditwatch's own under "-"). */
    private static void outageTable(StringBuilder h, StatusView view) {
        h.append("<h2>Outages of the last ").append(StatusView.OUTAGE_DAYS).append(" days</h2>\n");
        if (view.outages() == null) {
            h.append("<p>The alert history could not be read.</p>\n");
            return;
        }
        List<OutageRow> rows = view.outages().stream()
                .sorted(java.util.Comparator.comparing((OutageRow o) -> o.node() == null ? "" : o.node())
                        .thenComparing(OutageRow::detected))
                .toList();
        h.append("<table id=\"outages\"><thead><tr><th>Node</th><th>Alert</th><th>Detected (UTC)</th>")
                .append("<th>Alerted (UTC)</th><th>Resolved (UTC)</th><th>Mailed to</th></tr></thead><tbody>\n");
        for (OutageRow o : rows) {
            h.append("<tr data-node=\"").append(esc(orDash(o.node()))).append("\"><td class=\"id\">")
                    .append(esc(orDash(o.node()))).append("</td><td>").append(esc(o.kind())).append(": ")
                    .append(esc(o.summary() == null ? "" : o.summary())).append("</td><td class=\"num\">")
                    .append(UTC.format(o.detected())).append("</td><td class=\"num\">")
                    .append(o.alerted() == null ? "-" : UTC.format(o.alerted())).append("</td><td class=\"num\">")
                    .append(o.resolved() == null ? "still open" : UTC.format(o.resolved())).append("</td><td>")
                    .append(esc(String.join(", ", o.mailed()))).append("</td></tr>\n");
        }
        if (rows.isEmpty()) {
            h.append("<tr><td colspan=\"6\">No outage in the alert history.</td></tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    /**
     * {@code 3d 4h}, {@code 2h 5m}, {@code 4m 10s}, {@code 15m}, {@code 42s}: two units are enough to
     * judge a silence; a zero second unit is left out.
     */
    static String human(Duration d) {
        long s = d.getSeconds();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return two(s / 60, "m", s % 60, "s");
        }
        if (s < 86400) {
            return two(s / 3600, "h", s % 3600 / 60, "m");
        }
        return two(s / 86400, "d", s % 86400 / 3600, "h");
    }

    private static String two(long major, String majorUnit, long minor, String minorUnit) {
        return minor == 0 ? major + majorUnit : major + majorUnit + " " + minor + minorUnit;
    }

    static String esc(String s) {
        return HtmlText.escape(s);
    }

    private static String orDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    private StatusPage() {
    }
}
