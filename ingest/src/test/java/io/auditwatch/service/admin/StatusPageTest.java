package io.auditwatch.service.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alerting.AlertKind;
import io.auditwatch.alerting.engine.Silence;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusPageTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

    private static NodeStreamView row(String node, String state, Instant lastSeen) {
        return new NodeStreamView(node, null, "auditd", state, lastSeen, Duration.ofMinutes(15), null, List.of());
    }

    @Test
    void escapesEveryHtmlSpecialCharacter() {
        assertEquals("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
                StatusPage.esc("<a href=\"x\" title='y'>&</a>"));
    }

    @Test
    void silencesAndOperatorActionsAreListedAndEscaped() {
        Silence silence = new Silence("3f2a9c1d", "<b>node</b>", null, AlertKind.NODE_SILENT, NOW.plusSeconds(7200),
                "patching <script>", "ops", NOW, 2);
        OperatorAction action = new OperatorAction(NOW, "<em>ops</em>", "127.0.0.1:5000", "silence-create",
                Map.of("node", "<b>node</b>"), "patching <script>", OperatorAction.APPLIED);
        String html = StatusPage.render(new StatusView(NOW, List.of(), Map.of(), List.of(), List.of(silence),
                List.of(action)));
        assertTrue(html.contains("<tr data-silence=\"3f2a9c1d\"><td class=\"id\">3f2a9c1d</td>"
                + "<td>node=&lt;b&gt;node&lt;/b&gt; kind=node-silent</td><td class=\"num\">2026-11-23 12:00:00 UTC</td>"
                + "<td>ops</td><td>patching &lt;script&gt;</td><td class=\"num\">2</td></tr>"), html);
        assertTrue(html.contains("<h2>Operator actions (latest 1)</h2>"));
        assertTrue(html.contains("<td>&lt;em&gt;ops&lt;/em&gt;</td><td>127.0.0.1:5000</td><td>silence-create</td>"
                + "<td>node=&lt;b&gt;node&lt;/b&gt;</td>"), html);
        assertFalse(html.contains("<script>") || html.contains("<em>") || html.contains("<b>"));
    }

    @Test
    void withoutSilencesThePageSaysEveryAlertIsMailed() {
        String html = StatusPage.render(new StatusView(NOW, List.of(), Map.of()));
        assertTrue(html.contains("<p id=\"silences\">None: every alert is mailed.</p>"), html);
        assertTrue(html.contains("<p id=\"operator-actions\">None recorded.</p>"), html);
    }

    @Test
    void plainTextIsReturnedUnchanged() {
        String s = "node-7.example.org";
        assertTrue(s == StatusPage.esc(s));
    }

    @Test
    void escapesValuesInAttributesRolesAlertsAndPipeline() {
        StatusView view = new StatusView(NOW, List.of(new NodeStreamView("\"><img src=x>", "<u>", "auditd",
                "<i>WEIRD</i>", NOW, null, null, List.of("<svg onload=1>"))), Map.of("<k>", "<v>"));
        String html = StatusPage.render(view);
        assertFalse(html.contains("<img"));
        assertFalse(html.contains("<svg"));
        assertFalse(html.contains("<u>"));
        assertFalse(html.contains("<i>"));
        assertFalse(html.contains("<k>"));
        assertTrue(html.contains("data-node=\"&quot;&gt;&lt;img src=x&gt;\""));
    }

    @Test
    void sortsWorstFirstThenLongestSilence() {
        StatusView view = new StatusView(NOW, List.of(
                row("a", "OK", NOW.minusSeconds(5)),
                row("b", "SILENT", NOW.minusSeconds(1000)),
                row("c", "MAINTENANCE", NOW.minusSeconds(50)),
                row("d", "NEVER_SEEN", null),
                row("e", "SILENT", NOW.minusSeconds(5000)),
                row("f", "LATE", NOW.minusSeconds(10))), Map.of());
        assertEquals(List.of("e", "b", "d", "f", "c", "a"),
                StatusRows.sorted(view).stream().map(NodeStreamView::node).toList());
    }

    @Test
    void humanDurationsUseTwoUnits() {
        assertEquals("42s", StatusPage.human(Duration.ofSeconds(42)));
        assertEquals("4m 10s", StatusPage.human(Duration.ofSeconds(250)));
        assertEquals("15m", StatusPage.human(Duration.ofMinutes(15)));
        assertEquals("2h 5m", StatusPage.human(Duration.ofMinutes(125)));
        assertEquals("3d 4h", StatusPage.human(Duration.ofHours(76)));
    }

    @Test
    void ageOfALastSeenInTheFutureIsZero() {
        assertEquals(Duration.ZERO, row("a", "OK", NOW.plusSeconds(3)).age(NOW));
    }

    @Test
    void headerIsGreenOnlyWhenPipelineAndAllNodesAreOk() {
        String ok = StatusPage.render(new StatusView(NOW, List.of(row("a", "OK", NOW)), Map.of("kafka", "UP")));
        String failing = StatusPage.render(new StatusView(NOW, List.of(row("a", "OK", NOW)),
                Map.of("kafka", "DOWN: no broker")));
        assertTrue(ok.contains("<header class=\"ok\">"));
        assertTrue(failing.contains("<header class=\"bad\">"));
        assertTrue(failing.contains("pipeline FAILING"));
    }
    @Test
    void eachNodesCisRulesAreAColumnPerControlWithMissingMarkedAndUnknownForANodeThatNeverReported() {
        Map<String, String> reported = new java.util.LinkedHashMap<>();
        reported.put("1.2.3", "missing");
        reported.put("1.2.4", "ok");
        reported.put("1.2.9", "na");
        Map<String, String> never = new java.util.LinkedHashMap<>();
        reported.keySet().forEach(id -> never.put(id, "unknown"));
        StatusView view = new StatusView(NOW, List.of(row("node-3", "OK", NOW)), Map.of(), List.of(
                new CisRow("node-3", 1, NOW.minusSeconds(30), reported), new CisRow("node-9", -1, null, never)));
        String html = StatusPage.render(view);
        assertTrue(html.contains("<table id=\"cis\">"), html);
        assertTrue(html.contains("<th>1.2.3</th><th>1.2.4</th><th>1.2.9</th>"), html);
        assertTrue(html.contains("<td class=\"bad\">missing</td><td class=\"ok\">ok</td><td class=\"\">na</td>"), html);
        assertTrue(html.contains("<td class=\"id\">node-9</td><td>unknown</td><td class=\"num\">never</td>"), html);

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> cis = (List<Map<String, Object>>) StatusRows.json(view).get("cis");
        assertEquals("node-3", cis.get(0).get("node"));
        assertEquals(1, cis.get(0).get("auditEnabled"));
        assertEquals("2026-11-23T09:59:30Z", cis.get(0).get("reported"));
        assertEquals(reported, cis.get(0).get("controls"));
        assertEquals(null, cis.get(1).get("reported"));
        assertEquals("unknown", ((Map<?, ?>) cis.get(1).get("controls")).get("1.2.3"));
    }

    @Test
    void outagesOfTheLastThirtyDaysArePerNodeEscapedAndTheReportIsLinked() {
        OutageRow open = new OutageRow("<b>node-9</b>", "node-silent", "no data", NOW.minusSeconds(600),
                NOW.minusSeconds(570), null, List.of("isso@example.org", "sa@example.org"));
        OutageRow pipeline = new OutageRow(null, "kafka-unreachable", "Kafka unreachable", NOW.minusSeconds(9000),
                NOW.minusSeconds(8970), NOW.minusSeconds(8000), List.of("sa@example.org"));
        String html = StatusPage.render(new StatusView(NOW, List.of(), Map.of(), List.of(), List.of(open, pipeline)));
        assertTrue(html.contains("<h2>Outages of the last 30 days</h2>"), html);
        assertTrue(html.contains("<tr data-node=\"-\"><td class=\"id\">-</td><td>kafka-unreachable: Kafka unreachable"), html);
        assertTrue(html.contains("&lt;b&gt;node-9&lt;/b&gt;</td><td>node-silent: no data</td>"), html);
        assertTrue(html.contains(">still open<"), html);
        assertTrue(html.contains("isso@example.org, sa@example.org"), html);
        assertFalse(html.contains("<b>node-9"), "escaped");
        assertTrue(html.indexOf("data-node=\"-\"") < html.indexOf("node-9"), "per node, auditwatch's own first");
        assertTrue(html.contains("<a href=\"api/report?format=html\">"));
        assertTrue(StatusPage.render(new StatusView(NOW, List.of(), Map.of(), List.of(), null))
                .contains("The alert history could not be read."));
    }
}
