package io.auditwatch.service.report;

import io.auditwatch.service.report.AssessorReport.ControlState;
import io.auditwatch.service.report.AssessorReport.NodeReport;
import io.auditwatch.service.report.AssessorReport.Outage;
import java.time.Instant;
import java.util.List;

/**
 * The report as CSV: one row per node and CIS control (the matrix an assessor fills in), with the node's
 * outage count and last outage in the period on every row of that node. RFC 4180: CRLF line ends, every
 * field quoted, quotes doubled. A field that a spreadsheet would take for a formula (first character
 * {@code = + - @}, or a tab or CR) is prefixed with an apostrophe (OWASP "CSV Injection").
 */
final class ReportCsv {
    static final List<String> HEADER = List.of("node", "benchmark", "control", "title", "state", "auditing",
            "reported", "outages_in_period", "last_outage_detected", "last_outage_resolved", "period_from", "period_to");

    private ReportCsv() {
    }

    static String render(AssessorReport report) {
        StringBuilder b = new StringBuilder(256 + report.nodes().size() * 2048);
        row(b, HEADER);
        for (NodeReport n : report.nodes()) {
            Outage last = n.outages().isEmpty() ? null : n.outages().get(n.outages().size() - 1);
            for (ControlState c : n.cis().controls()) {
                row(b, List.of(n.node(), io.auditwatch.heartbeat.compliance.CisControl.BENCHMARK, c.id(), c.title(),
                        c.state(), n.cis().auditing(), time(n.cis().reported()), Integer.toString(n.outages().size()),
                        last == null ? "" : time(last.detected()), last == null ? "" : time(last.resolved()),
                        time(report.period().from()), time(report.period().to())));
            }
        }
        return b.toString();
    }

    private static String time(Instant t) {
        return t == null ? "" : t.toString();
    }

    private static void row(StringBuilder b, List<String> fields) {
        for (int i = 0; i < fields.size(); i++) {
            b.append(i == 0 ? "" : ",").append(field(fields.get(i)));
        }
        b.append("\r\n");
    }

    /** One quoted field, formula-neutralised. */
    static String field(String value) {
        String v = value == null ? "" : value;
        if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
            v = "'" + v;
        }
        return "\"" + v.replace("\"", "\"\"") + "\"";
    }
}
