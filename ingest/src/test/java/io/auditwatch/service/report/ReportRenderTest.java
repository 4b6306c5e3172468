package io.auditwatch.service.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditwatch.service.report.AssessorReport.Cis;
import io.auditwatch.service.report.AssessorReport.ControlState;
import io.auditwatch.service.report.AssessorReport.NodeReport;
import io.auditwatch.service.report.AssessorReport.OperatorAction;
import io.auditwatch.service.report.AssessorReport.OperatorActions;
import io.auditwatch.service.report.AssessorReport.Outage;
import io.auditwatch.service.report.AssessorReport.Period;
import io.auditwatch.service.report.AssessorReport.Source;
import io.auditwatch.service.report.AssessorReport.StreamData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The three renderings of one report whose node name and operator reason are hostile. */
class ReportRenderTest {
    private static final Instant FROM = Instant.parse("2026-11-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2026-12-01T00:00:00Z");
    /** A sender picks its HOSTNAME; an operator types the reason. */
    private static final String HOSTILE_NODE = "=cmd|'/C calc'!A0<script>";
    private static final String HOSTILE_REASON = "@SUM(1+1) \"quoted\", <img src=x>";

    private static AssessorReport report() {
        List<ControlState> controls = List.of(new ControlState("1.2.3", "Ensure auditing is configured for the Docker daemon",
                "missing"));
        Outage outage = new Outage(HOSTILE_NODE, "node-silent/x", "node-silent", null, "no data <b>", FROM,
                FROM.plusSeconds(60), FROM.plusSeconds(90), FROM.plusSeconds(91), List.of("isso@agency.example"), null, null);
        OperatorAction action = new OperatorAction(FROM.plusSeconds(10), "alice", "192.0.2.7", "silence-create",
                HOSTILE_NODE, Map.of("until", "2026-11-02T00:00:00Z"), HOSTILE_REASON, "ok");
        NodeReport node = new NodeReport(HOSTILE_NODE, new Cis("on", FROM, controls),
                List.of(new StreamData("auditd", "SILENT", FROM)), null, null, List.of(outage), List.of(action));
        return new AssessorReport(AssessorReport.SCHEMA, TO, new Period(FROM, TO), ReportBuilder.controls(true),
                List.of(new Source("auditwatch.alerts", "alert history", true, 2, false, "stopped at the bound of 2 records")),
                List.of(node), List.of(), new OperatorActions("auditwatch.audit", true, List.of(action)), null);
    }

    @Test
    void htmlEscapesWhatSendersAndOperatorsWroteAndLoadsNothing() throws Exception {
        String html = new String(Reports.render(report(), ReportFormat.HTML), StandardCharsets.UTF_8);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "assessor-report-sample.html"), html);
        assertFalse(html.contains("<script>"), "node name unescaped");
        assertFalse(html.contains("<img"), "reason unescaped");
        assertFalse(html.contains("<b>"), "summary unescaped");
        assertTrue(html.contains("=cmd|&#39;/C calc&#39;!A0&lt;script&gt;"));
        assertTrue(html.contains("@SUM(1+1) &quot;quoted&quot;, &lt;img src=x&gt;"));
        assertFalse(html.contains("<link") || html.contains("url(") || html.contains("@import"), "self-contained");
        assertTrue(html.contains("thead{display:table-header-group}"), "headers repeat on every printed page");
        assertTrue(html.contains("break-inside:avoid"), "rows are not cut across pages");
        assertTrue(html.contains("Incomplete: auditwatch.alerts stopped at the bound of 2 records"));
        assertTrue(html.contains("No test alert was delivered"));
        assertTrue(html.contains("NIST SP 800-53 AU-9"));
    }

    @Test
    void csvQuotesEveryFieldAndDisarmsFormulas() {
        String csv = new String(Reports.render(report(), ReportFormat.CSV), StandardCharsets.UTF_8);
        String[] lines = csv.split("\r\n", -1);
        assertEquals(3, lines.length, "header, one row, and the empty rest after the final CRLF");
        assertEquals("", lines[2]);
        assertTrue(lines[1].startsWith("\"'=cmd|'/C calc'!A0<script>\",\"CIS Docker Benchmark v1.2.0\",\"1.2.3\""), lines[1]);
        assertEquals("\"'@x\"", ReportCsv.field("@x"));
        assertEquals("\"'+1\"", ReportCsv.field("+1"));
        assertEquals("\"'-1\"", ReportCsv.field("-1"));
        assertEquals("\"a \"\"b\"\", c\"", ReportCsv.field("a \"b\", c"));
        assertEquals("\"\"", ReportCsv.field(null));
    }

    @Test
    void jsonUsesSnakeCaseIsoTimesAndWritesNulls() throws Exception {
        JsonNode json = new ObjectMapper().readTree(Reports.render(report(), ReportFormat.JSON));
        assertEquals("auditwatch-assessor-report/1", json.get("schema").asText());
        assertEquals("2026-11-01T00:00:00Z", json.get("period").get("from").asText());
        JsonNode outage = json.get("nodes").get(0).get("outages").get(0);
        assertEquals("2026-11-01T00:01:31Z", outage.get("alert_delivered").asText());
        assertTrue(outage.has("resolved") && outage.get("resolved").isNull());
        assertTrue(json.get("test_alert").isNull());
        assertEquals(HOSTILE_NODE, json.get("nodes").get(0).get("node").asText());
        assertNull(ReportFormat.of("pdf"));
    }

    @Test
    void aPeriodIsDatesOrInstantsAndFromComesFirst() {
        Instant now = Instant.parse("2026-12-03T12:00:00Z");
        assertEquals(new Period(Instant.parse("2026-11-03T12:00:00Z"), now), Reports.period(null, null, now));
        assertEquals(new Period(FROM, TO), Reports.period("2026-11-01", "2026-12-01T00:00:00Z", now));
        assertEquals("from must be before to: 2026-12-01T00:00:00Z / 2026-11-01T00:00:00Z",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> Reports.period("2026-12-01", "2026-11-01", now)).getMessage());
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Reports.period("last week", null, now)).getMessage().startsWith("from must be an ISO-8601 instant"));
    }
}
