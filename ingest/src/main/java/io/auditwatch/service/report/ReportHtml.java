package io.auditwatch.service.report;

import io.auditwatch.service.admin.HtmlText;
import io.auditwatch.service.report.AssessorReport.Control;
import io.auditwatch.service.report.AssessorReport.ControlState;
import io.auditwatch.service.report.AssessorReport.NodeReport;
import io.auditwatch.service.report.AssessorReport.OperatorAction;
import io.auditwatch.service.report.AssessorReport.Outage;
import io.auditwatch.service.report.AssessorReport.Source;
import io.auditwatch.service.report.AssessorReport.StreamData;
import io.auditwatch.service.report.AssessorReport.TestAlert;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The report as one self-contained HTML page (inline CSS, no script, nothing loaded) an assessor prints or
 * saves as PDF: no page size is fixed, so it prints on A4 and Letter alike; table headers repeat on every
 * page and no row is cut across pages. Every value from a node, a sender or an operator is escaped.
 */
final class ReportHtml {
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    /**
     * Margins fit both A4 (210 mm) and Letter (216 mm) paper; 8.5 pt keeps the 13 columns of the CIS table
     * within the narrower A4 width.
     */
    private static final String CSS = """
            @page{margin:14mm 12mm}
            body{font:10pt/1.35 "DejaVu Sans",Arial,Helvetica,sans-serif;color:#111;margin:16px}
            h1{font-size:16pt;margin:0 0 4px}h2{font-size:12.5pt;margin:18px 0 6px;break-after:avoid;page-break-after:avoid}
            h3{font-size:11pt;margin:12px 0 4px;break-after:avoid;page-break-after:avoid}
            p.meta{margin:2px 0;color:#333}
            table{border-collapse:collapse;width:100%;margin:4px 0 10px;font-size:8.5pt}
            th,td{border:1px solid #999;padding:2px 4px;text-align:left;vertical-align:top}
            td{overflow-wrap:anywhere}
            td.control{white-space:nowrap;overflow-wrap:normal}
            th{background:#e8e8e8}
            thead{display:table-header-group}
            tr,td,th{break-inside:avoid;page-break-inside:avoid}
            td.missing,td.off{background:#f4c7c3;font-weight:bold}td.ok,td.on{background:#d9ead3}
            td.unknown{background:#fff2cc}
            .warn{border:1px solid #b00020;padding:4px 8px;color:#b00020}
            section.node{break-inside:auto}
            @media print{body{margin:0}a{color:#111;text-decoration:none}}
            """;

    private ReportHtml() {
    }

    static String render(AssessorReport r) {
        StringBuilder h = new StringBuilder(16_384 + r.nodes().size() * 4096);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>auditwatch assessor report ")
                .append(esc(day(r.period().from()))).append(" to ").append(esc(day(r.period().to())))
                .append("</title><style>").append(CSS).append("</style></head><body>\n");
        h.append("<h1>auditwatch assessor report</h1>\n<p class=\"meta\">Period: ").append(time(r.period().from()))
                .append(" to ").append(time(r.period().to())).append(" (end exclusive). Generated ")
                .append(time(r.generated())).append(". Schema ").append(esc(r.schema())).append(".</p>\n");
        incomplete(h, r);
        controls(h, r.controls());
        cis(h, r.nodes());
        testAlert(h, r.testAlert());
        outages(h, "Outages of audit data", "outages", r.nodes().stream().flatMap(n -> n.outages().stream()).toList());
        outages(h, "Outages of auditwatch itself", "pipeline-outages", r.pipelineOutages());
        streams(h, r.nodes());
        windows(h, r);
        operator(h, r);
        sources(h, r.sources());
        h.append("</body></html>\n");
        return h.toString();
    }

    private static void incomplete(StringBuilder h, AssessorReport r) {
        for (Source s : r.sources()) {
            if (s.exists() && !s.complete()) {
                h.append("<p class=\"warn\">Incomplete: ").append(esc(s.topic())).append(" ").append(esc(s.note()))
                        .append(".</p>\n");
            }
        }
    }

    private static void controls(StringBuilder h, List<Control> controls) {
        h.append("<h2>Controls</h2>\n<table id=\"controls\"><thead><tr><th>Control</th><th>Title</th>")
                .append("<th>Evidence in this report</th></tr></thead><tbody>\n");
        for (Control c : controls) {
            // A control's name is what an assessor looks up: never broken across lines on paper.
            h.append("<tr><td class=\"control\">").append(esc(c.id())).append("</td><td>").append(esc(c.title())).append("</td><td>")
                    .append(esc(c.evidence())).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    private static void cis(StringBuilder h, List<NodeReport> nodes) {
        h.append("<h2>CIS Docker Benchmark v1.2.0 audit rules per node</h2>\n");
        if (nodes.isEmpty()) {
            h.append("<p>No node is known to auditwatch.</p>\n");
            return;
        }
        List<ControlState> first = nodes.get(0).cis().controls();
        h.append("<table id=\"nodes\"><thead><tr><th>Node</th><th>Auditing</th><th>Reported</th>");
        first.forEach(c -> h.append("<th>").append(esc(c.id())).append("</th>"));
        h.append("</tr></thead><tbody>\n");
        for (NodeReport n : nodes) {
            h.append("<tr data-node=\"").append(esc(n.node())).append("\"><td>").append(esc(n.node()))
                    .append("</td><td class=\"").append(esc(n.cis().auditing())).append("\">").append(esc(n.cis().auditing()))
                    .append("</td><td>").append(n.cis().reported() == null ? "never" : time(n.cis().reported())).append("</td>");
            for (ControlState c : n.cis().controls()) {
                h.append("<td class=\"").append(esc(c.state())).append("\">").append(esc(c.state())).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</tbody></table>\n<p class=\"meta\">ok: the rule is loaded; missing: the file exists and no rule "
                + "watches it; na: the file does not exist on the node (not applicable); unknown: the node never "
                + "reported its rules.</p>\n");
    }

    private static void testAlert(StringBuilder h, TestAlert t) {
        h.append("<h2>Last test alert delivered (DISA STIG DKER-EE-001590)</h2>\n");
        if (t == null) {
            h.append("<p class=\"warn\">No test alert was delivered up to the end of the period. Run "
                    + "<code>auditwatch send-test-alert</code>.</p>\n");
            return;
        }
        h.append("<table id=\"test-alert\"><tbody>\n");
        row(h, "Sent", time(t.queued()));
        row(h, "Accepted by the relay", time(t.delivered()));
        row(h, "Recipients", String.join(", ", t.recipients()));
        row(h, "ISSO among them", t.isso().isEmpty() ? "none" : String.join(", ", t.isso()));
        row(h, "SA among them", t.sa().isEmpty() ? "none" : String.join(", ", t.sa()));
        row(h, "Relay reply", (t.smtpCode() == 0 ? "" : t.smtpCode() + " ") + (t.smtpReply() == null ? "" : t.smtpReply()));
        row(h, "Message-ID", "<" + t.id() + "@auditwatch>");
        h.append("</tbody></table>\n");
    }

    private static void row(StringBuilder h, String label, String value) {
        h.append("<tr><th>").append(esc(label)).append("</th><td>").append(esc(value)).append("</td></tr>\n");
    }

    private static void outages(StringBuilder h, String title, String id, List<Outage> outages) {
        h.append("<h2>").append(esc(title)).append("</h2>\n");
        if (outages.isEmpty()) {
            h.append("<p>None in the period.</p>\n");
            return;
        }
        h.append("<table id=\"").append(id).append("\"><thead><tr><th>Node</th><th>Alert</th><th>Last data</th>")
                .append("<th>Detected</th><th>Alerted</th><th>Delivered</th><th>Mailed to</th><th>Resolved</th>")
                .append("</tr></thead><tbody>\n");
        for (Outage o : outages) {
            h.append("<tr><td>").append(esc(o.node() == null ? "-" : o.node())).append("</td><td>").append(esc(o.kind()))
                    .append(o.stream() == null ? "" : " (" + esc(o.stream()) + ")").append("<br>").append(esc(o.summary()))
                    .append("</td><td>").append(time(o.lastSeen())).append("</td><td>").append(time(o.detected()))
                    .append("</td><td>").append(time(o.alerted())).append("</td><td>").append(time(o.alertDelivered()))
                    .append("</td><td>").append(esc(String.join(", ", o.mailed()))).append("</td><td>")
                    .append(o.resolved() == null ? "still open" : time(o.resolved())).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    private static void streams(StringBuilder h, List<NodeReport> nodes) {
        h.append("<h2>Last audit data per stream</h2>\n<table id=\"streams\"><thead><tr><th>Node</th><th>Stream</th>")
                .append("<th>State</th><th>Last data received</th></tr></thead><tbody>\n");
        int rows = 0;
        for (NodeReport n : nodes) {
            for (StreamData s : n.streams()) {
                h.append("<tr><td>").append(esc(n.node())).append("</td><td>").append(esc(s.stream())).append("</td><td>")
                        .append(esc(s.state())).append("</td><td>").append(s.lastSeen() == null ? "never" : time(s.lastSeen()))
                        .append("</td></tr>\n");
                rows++;
            }
        }
        if (rows == 0) {
            h.append("<tr><td colspan=\"4\">Heartbeat has recorded no stream.</td></tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    private static void windows(StringBuilder h, AssessorReport r) {
        h.append("<h2>Maintenance windows and silences</h2>\n<table id=\"windows\"><thead><tr><th>Node</th><th>What</th>")
                .append("<th>When</th><th>Until</th><th>Reason</th><th>By</th></tr></thead><tbody>\n");
        int rows = 0;
        for (NodeReport n : r.nodes()) {
            if (n.maintenanceUntil() != null) {
                h.append("<tr><td>").append(esc(n.node())).append("</td><td>maintenance (current)</td><td>-</td><td>")
                        .append(time(n.maintenanceUntil())).append("</td><td>").append(esc(n.maintenanceReason()))
                        .append("</td><td>see operator actions</td></tr>\n");
                rows++;
            }
            for (OperatorAction a : n.windows()) {
                h.append("<tr><td>").append(esc(n.node())).append("</td><td>").append(esc(a.action())).append("</td><td>")
                        .append(time(a.time())).append("</td><td>").append(esc(a.parameters().getOrDefault("until", "-")))
                        .append("</td><td>").append(esc(a.reason())).append("</td><td>").append(esc(a.principal()))
                        .append("</td></tr>\n");
                rows++;
            }
        }
        if (rows == 0) {
            h.append("<tr><td colspan=\"6\">None in the period.</td></tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    private static void operator(StringBuilder h, AssessorReport r) {
        h.append("<h2>Operator actions (NIST SP 800-53 AU-9)</h2>\n");
        if (!r.operatorActions().recorded()) {
            h.append("<p>No operator actions recorded: topic ").append(esc(r.operatorActions().topic()))
                    .append(" does not exist.</p>\n");
            return;
        }
        h.append("<table id=\"operator-actions\"><thead><tr><th>Time</th><th>Who</th><th>From</th><th>Action</th>")
                .append("<th>Node</th><th>Parameters</th><th>Reason</th><th>Outcome</th></tr></thead><tbody>\n");
        for (OperatorAction a : r.operatorActions().actions()) {
            List<String> params = new ArrayList<>();
            a.parameters().forEach((k, v) -> params.add(k + "=" + v));
            h.append("<tr><td>").append(time(a.time())).append("</td><td>").append(esc(a.principal())).append("</td><td>")
                    .append(esc(a.remote())).append("</td><td>").append(esc(a.action())).append("</td><td>")
                    .append(esc(a.node())).append("</td><td>").append(esc(String.join(", ", params))).append("</td><td>")
                    .append(esc(a.reason())).append("</td><td>").append(esc(a.outcome())).append("</td></tr>\n");
        }
        if (r.operatorActions().actions().isEmpty()) {
            h.append("<tr><td colspan=\"8\">None in the period.</td></tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    private static void sources(StringBuilder h, List<Source> sources) {
        h.append("<h2>Sources</h2>\n<table id=\"sources\"><thead><tr><th>Kafka topic</th><th>Content</th>")
                .append("<th>Records read</th><th>Read to its end</th><th>Note</th></tr></thead><tbody>\n");
        for (Source s : sources) {
            h.append("<tr><td>").append(esc(s.topic())).append("</td><td>").append(esc(s.content())).append("</td><td>")
                    .append(s.records()).append("</td><td>").append(!s.exists() ? "absent" : s.complete() ? "yes" : "NO")
                    .append("</td><td>").append(esc(s.note())).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    private static String time(Instant t) {
        return t == null ? "-" : UTC.format(t);
    }

    private static String day(Instant t) {
        return t.toString().substring(0, 10);
    }

    private static String esc(String s) {
        return HtmlText.escape(s);
    }
}
