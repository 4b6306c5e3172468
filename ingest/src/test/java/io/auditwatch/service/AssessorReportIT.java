package io.auditwatch.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import io.auditwatch.testing.ManualClock;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assessor report from real parts: the whole service on its embedded broker, a real SMTP server
 * (GreenMail), the real v=2 pulse of src/test/resources/auditctl (README.md there), and a {@link ManualClock}
 * the test moves. Three nodes (every CIS rule reported, some missing, one that goes silent and comes back),
 * a test alert; the JSON is checked field by field, the same report after a restart against the same
 * broker is identical, the CSV parses back, and the HTML is printed to PDF by headless Chromium.
 */
class AssessorReportIT {
    private static final Path LOG = Path.of("src", "test", "resources", "auditctl", "auditd-config-change.log");
    private static final String CHROMIUM = "/usr/bin/chromium";
    static final String PDFTOTEXT = "/usr/bin/pdftotext";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A real SMTP server on a free loopback port, one per test. */
    @RegisterExtension
    final GreenMailExtension smtp = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));

    @TempDir
    Path dir;
    final ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    TestService service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    private TestService startService() throws IOException {
        Path nodes = dir.resolve("nodes.yaml");
        Files.writeString(nodes, """
                roles:
                  steady:
                    streams:
                      auditd: 1h
                  watched:
                    streams:
                      auditd: 2m
                nodes:
                  - name: node-full
                    role: steady
                  - name: node-partial
                    role: steady
                  - name: node-down
                    role: watched
                """);
        Map<String, String> env = new HashMap<>(TestService.smtpTo(smtp.getSmtp().getPort()));
        env.put("AUDITWATCH_HEARTBEAT_INVENTORY_FILE", nodes.toString());
        env.put("AUDITWATCH_HEARTBEAT_GRACE_PERIOD", "30s");
        return TestService.start(dir.resolve("data"), env, clock);
    }

    private static String pulse() throws IOException {
        return Files.readAllLines(LOG, UTF_8).stream().filter(l -> l.contains("auditwatch-pulse v=2")).findFirst()
                .orElseThrow();
    }

    /** One RFC 5424 line as rsyslog forwards audisp-syslog's records. */
    private void send(String host, String record) throws IOException {
        service.sendTcp("<174>1 " + clock.instant() + " " + host + " audisp-syslog - - - " + record);
    }

    private boolean mailed(String subjectPart) {
        return Arrays.stream(smtp.getReceivedMessages()).anyMatch(m -> TestService.subject(m).contains(subjectPart));
    }


    private HttpResponse<byte[]> get(String pathAndQuery) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.service().adminPort() + pathAndQuery))
                .timeout(Duration.ofSeconds(90)).GET().build();
        return HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofByteArray());
    }

    private JsonNode reportJson(Instant from, Instant to) throws Exception {
        HttpResponse<byte[]> r = get("/api/report?format=json&from=" + from + "&to=" + to);
        assertEquals(200, r.statusCode(), new String(r.body(), UTF_8));
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return JSON.readTree(r.body());
    }

    private static JsonNode node(JsonNode report, String name) {
        for (JsonNode n : report.get("nodes")) {
            if (n.get("node").asText().equals(name)) {
                return n;
            }
        }
        throw new AssertionError("no node " + name + " in " + report.get("nodes"));
    }

    private static Map<String, String> cis(JsonNode node) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        node.get("cis").get("controls").forEach(c -> out.put(c.get("id").asText(), c.get("state").asText()));
        return out;
    }

    @Test
    void theReportAnswersCisAndTheAlertPathAndIsTheSameAfterARestart() throws Exception {
        service = startService();
        service.awaitHeartbeatReading();
        Instant from = clock.instant().minus(Duration.ofHours(1));
        String pulse = pulse();
        Instant reportedAt = clock.instant();
        send("node-full", pulse);
        // 1.2.3 and 1.2.5 missing (rules-some-missing.txt), 1.2.12 not named by the pulse: unknown.
        send("node-partial", pulse.replace("1.2.3:ok", "1.2.3:missing").replace("1.2.5:ok", "1.2.5:missing")
                .replace(",1.2.12:ok", ""));
        send("node-down", pulse);
        var tracker = service.service().tracker();
        await().atMost(Duration.ofSeconds(60)).until(() -> tracker.rules("node-full").reported() != null
                && tracker.rules("node-partial").reported() != null && tracker.rules("node-down").reported() != null);

        var test = service.service().alerting().sendTestAlert();
        await().atMost(Duration.ofSeconds(30)).until(() -> mailed("TEST: audit failure alert delivery check"));

        // node-down stops for longer than its 2m threshold; the two others are on 1h.
        clock.advance(Duration.ofMinutes(3));
        Instant silentFrom = clock.instant();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            clock.advance(Duration.ofMillis(500));
            return mailed("AUDIT FAILURE: no audit data from node-down");
        });
        send("node-down", pulse);
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            clock.advance(Duration.ofMillis(500));
            return mailed("RECOVERED: node-down");
        });
        Instant to = clock.instant().plus(Duration.ofHours(1));

        // The history records are written by their own thread, heartbeat's state every 5 s: wait for both.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            JsonNode r = reportJson(from, to);
            JsonNode outages = node(r, "node-down").get("outages");
            return !r.get("test_alert").isNull() && outages.size() == 1 && !outages.get(0).get("resolved").isNull()
                    && !outages.get(0).get("alert_delivered").isNull()
                    && node(r, "node-down").get("streams").size() == 1
                    && !node(r, "node-down").get("streams").get(0).get("last_seen").isNull()
                    && Instant.parse(node(r, "node-down").get("streams").get(0).get("last_seen").asText()).isAfter(silentFrom);
        });
        JsonNode report = reportJson(from, to);

        assertEquals("auditwatch-assessor-report/1", report.get("schema").asText());
        assertEquals(from.toString(), report.get("period").get("from").asText());
        assertEquals(to.toString(), report.get("period").get("to").asText());
        List<String> controls = new ArrayList<>();
        report.get("controls").forEach(c -> controls.add(c.get("id").asText()));
        assertEquals("CIS Docker Benchmark v1.2.0 1.2.3", controls.get(0));
        assertEquals("CIS Docker Benchmark v1.2.0 1.2.12", controls.get(9));
        // The service writes its operator trail from the start (auditwatch.audit exists), so AU-9 is claimed.
        assertEquals(List.of("DISA STIG DKER-EE-001590", "NIST SP 800-53 AU-5(a)", "NIST SP 800-53 AU-9"),
                controls.subList(10, 13));
        assertEquals(13, controls.size());

        List<String> names = new ArrayList<>();
        report.get("nodes").forEach(n -> names.add(n.get("node").asText()));
        assertEquals(List.of("node-down", "node-full", "node-partial"), names);

        JsonNode full = node(report, "node-full");
        assertEquals("on", full.get("cis").get("auditing").asText());
        assertEquals(reportedAt.toString(), full.get("cis").get("reported").asText());
        assertEquals(Map.of("1.2.3", "ok", "1.2.4", "na", "1.2.5", "ok", "1.2.6", "ok", "1.2.7", "ok", "1.2.8", "ok",
                "1.2.9", "na", "1.2.10", "na", "1.2.11", "ok", "1.2.12", "ok"), cis(full));
        assertEquals("Ensure auditing is configured for the Docker daemon",
                full.get("cis").get("controls").get(0).get("title").asText());
        assertEquals(0, full.get("outages").size());
        assertEquals("auditd", full.get("streams").get(0).get("stream").asText());
        assertEquals(reportedAt.toString(), full.get("streams").get(0).get("last_seen").asText());
        assertTrue(full.get("maintenance_until").isNull());

        Map<String, String> partial = cis(node(report, "node-partial"));
        assertEquals("missing", partial.get("1.2.3"));
        assertEquals("missing", partial.get("1.2.5"));
        assertEquals("ok", partial.get("1.2.6"));
        assertEquals("unknown", partial.get("1.2.12"));

        JsonNode outage = node(report, "node-down").get("outages").get(0);
        assertEquals("node-down", outage.get("node").asText());
        assertEquals("node-silent", outage.get("kind").asText());
        assertEquals("node-silent/node-down", outage.get("key").asText());
        assertTrue(outage.get("stream").isNull());
        assertTrue(outage.get("summary").asText().startsWith("node-down: no audit data on any stream for 3m"), outage.toString());
        assertEquals(reportedAt.toString(), outage.get("last_seen").asText());
        Instant detected = Instant.parse(outage.get("detected").asText());
        Instant alerted = Instant.parse(outage.get("alerted").asText());
        Instant resolved = Instant.parse(outage.get("resolved").asText());
        assertFalse(detected.isBefore(silentFrom), outage.toString());
        assertFalse(alerted.isBefore(detected), outage.toString());
        assertTrue(resolved.isAfter(alerted), outage.toString());
        assertFalse(Instant.parse(outage.get("alert_delivered").asText()).isBefore(alerted));
        assertFalse(Instant.parse(outage.get("recovery_alerted").asText()).isBefore(resolved));
        assertEquals(List.of("isso@agency.example", "sa@agency.example"), texts(outage.get("mailed")).stream().sorted().toList());
        assertEquals(0, report.get("pipeline_outages").size());

        JsonNode proof = report.get("test_alert");
        assertEquals(test.id(), proof.get("id").asText());
        assertEquals(test.created().toString(), proof.get("queued").asText());
        assertEquals(List.of("isso@agency.example"), texts(proof.get("isso")));
        assertEquals(List.of("sa@agency.example"), texts(proof.get("sa")));
        assertEquals(250, proof.get("smtp_code").asInt(), "GreenMail's reply to DATA");
        assertFalse(proof.get("smtp_reply").asText().isBlank(), proof.toString());

        JsonNode operator = report.get("operator_actions");
        assertEquals("auditwatch.audit", operator.get("topic").asText());
        assertTrue(operator.get("recorded").asBoolean(), "the service created its operator trail at start");
        assertEquals(0, operator.get("actions").size(), "no operator action yet");
        for (JsonNode s : report.get("sources")) {
            assertTrue(s.get("complete").asBoolean(), s.toString());
        }
        assertTrue(report.get("sources").get(0).get("records").asInt() >= 6, "queued and delivered records of 3 mails");
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", service.bootstrapServers()))) {
            var topic = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "auditwatch.alerts");
            assertEquals(Long.toString(Duration.ofDays(400).toMillis()), admin.describeConfigs(List.of(topic)).all()
                    .get(30, java.util.concurrent.TimeUnit.SECONDS).get(topic).get("retention.ms").value(),
                    "the history outlives a 30-day report (Kafka's default is 7 days)");
        }

        // The CSV of the same period, from the command line against the same broker, parses back.
        Path csv = dir.resolve("report.csv");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"report", "--from", from.toString(), "--to=" + to, "--format", "csv",
                "--output", csv.toString()}, Map.of("AUDITWATCH_KAFKA_BOOTSTRAP_SERVERS", service.bootstrapServers(),
                "AUDITWATCH_DATA_DIR", dir.resolve("cli").toString()), new PrintStream(out), new PrintStream(err));
        assertEquals(0, code, err.toString(UTF_8));
        List<List<String>> rows = Rfc4180.parse(Files.readString(csv));
        assertEquals("node", rows.get(0).get(0));
        assertEquals(1 + 3 * 10, rows.size(), "a header and one row per node and control");
        List<String> row = rows.stream().filter(r -> r.get(0).equals("node-partial") && r.get(2).equals("1.2.3"))
                .findFirst().orElseThrow();
        assertEquals("missing", row.get(rows.get(0).indexOf("state")));
        assertEquals("Ensure auditing is configured for the Docker daemon", row.get(rows.get(0).indexOf("title")));
        List<String> down = rows.stream().filter(r -> r.get(0).equals("node-down")).findFirst().orElseThrow();
        assertEquals("1", down.get(rows.get(0).indexOf("outages_in_period")));

        printedToPdf(from, to);

        // /status shows the outage of the last 30 days and links the report.
        await().atMost(Duration.ofSeconds(90)).until(() -> new String(get("/status").body(), UTF_8)
                .contains("<tr data-node=\"node-down\"><td class=\"id\">node-down</td>"));
        assertTrue(new String(get("/status").body(), UTF_8).contains("href=\"api/report?format=html\""));

        // Restart against the same broker: the same report, apart from when it was made and how many records
        // the read found (the restarted heartbeat writes its state again, with the same content).
        service.close();
        service = null;
        service = startService();
        service.awaitHeartbeatReading();
        JsonNode again = reportJson(from, to);
        assertEquals(withoutRead(report), withoutRead(again));
        for (int i = 0; i < 3; i++) {
            assertEquals(report.get("sources").get(i).get("topic"), again.get("sources").get(i).get("topic"));
            assertEquals(report.get("sources").get(i).get("complete"), again.get("sources").get(i).get("complete"));
        }

        operatorActionsAreReadTolerantly(from, to);
    }

    /** Records of the operator-audit topic as the operator side writes them, with a field the report ignores. */
    private void operatorActionsAreReadTolerantly(Instant from, Instant to) throws Exception {
        Map<String, Object> p = Map.of("bootstrap.servers", service.bootstrapServers());
        Instant at = clock.instant();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("auditwatch.audit", null, ("{\"at\":\"" + at + "\",\"principal\":\"alice\","
                    + "\"from\":\"192.0.2.7\",\"action\":\"maintenance-start\",\"parameters\":{\"node\":\"node-full\","
                    + "\"until\":\"" + at.plus(Duration.ofHours(2)) + "\"},\"reason\":\"=HYPERLINK(\\\"x\\\") <b>patch</b>\","
                    + "\"outcome\":\"ok\",\"added_later\":{\"x\":1}}").getBytes(UTF_8))).get();
            producer.send(new ProducerRecord<>("auditwatch.audit", null, "not json".getBytes(UTF_8))).get();
        }
        JsonNode r = reportJson(from, to);
        JsonNode ops = r.get("operator_actions");
        assertTrue(ops.get("recorded").asBoolean());
        assertEquals(1, ops.get("actions").size());
        JsonNode a = ops.get("actions").get(0);
        assertEquals("alice", a.get("principal").asText());
        assertEquals("node-full", a.get("node").asText());
        assertEquals(at.plus(Duration.ofHours(2)).toString(), a.get("parameters").get("until").asText());
        assertEquals(1, node(r, "node-full").get("windows").size());
        assertTrue(r.get("sources").get(2).get("note").asText().contains("1 unreadable record(s) skipped"));
        List<String> controls = new ArrayList<>();
        r.get("controls").forEach(c -> controls.add(c.get("id").asText()));
        assertTrue(controls.contains("NIST SP 800-53 AU-9"), controls.toString());

        String html = new String(get("/api/report?format=html&from=" + from + "&to=" + to).body(), UTF_8);
        assertTrue(html.contains("=HYPERLINK(&quot;x&quot;) &lt;b&gt;patch&lt;/b&gt;"), "the reason is escaped");
        assertFalse(html.contains("<b>patch</b>"));
        String csv = new String(get("/api/report?format=csv&from=" + from + "&to=" + to).body(), UTF_8);
        assertTrue(csv.startsWith("\"node\",\"benchmark\""), csv);
    }

    /** The report's content: without {@code generated} and {@code sources}, which describe the read. */
    private static ObjectNode withoutRead(JsonNode report) {
        ObjectNode copy = report.deepCopy();
        copy.remove("generated");
        copy.remove("sources");
        return copy;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(x -> out.add(x.asText()));
        return out;
    }

    /** The HTML report printed by Chromium on its default paper and on A4. */
    private void printedToPdf(Instant from, Instant to) throws Exception {
        String html = new String(get("/api/report?format=html&from=" + from + "&to=" + to).body(), UTF_8);
        assertTrue(html.contains("<table id=\"nodes\">"), "the node table");
        assertTrue(html.contains("<tr data-node=\"node-partial\"><td>node-partial</td>"));
        for (String control : List.of("CIS Docker Benchmark v1.2.0 1.2.3", "CIS Docker Benchmark v1.2.0 1.2.12",
                "DISA STIG DKER-EE-001590", "NIST SP 800-53 AU-5(a)")) {
            assertTrue(html.contains(control), control);
        }
        assertFalse(html.contains("src=") || html.contains("<link") || html.contains("<script"), "self-contained");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of(CHROMIUM)),
                "chromium not installed (Debian package 'chromium')");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of(PDFTOTEXT)),
                "pdftotext not installed (Debian package 'poppler-utils'; .ci/run installs it)");
        // The report fixes no paper size; the print dialog's choice is what @page{size} stands for here.
        Path letter = dir.resolve("report-letter.html");
        Files.writeString(letter, html.replace("<style>", "<style>@page{size:letter}"));
        Path a4 = dir.resolve("report-a4.html");
        Files.writeString(a4, html.replace("<style>", "<style>@page{size:A4}"));
        Map<String, Path> pdfs = Map.of("letter", letter, "a4", a4);
        for (Map.Entry<String, Path> e : pdfs.entrySet()) {
            Path pdf = Path.of("target", "assessor-report-" + e.getKey() + ".pdf").toAbsolutePath();
            Files.deleteIfExists(pdf);
            Process p = new ProcessBuilder(CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--user-data-dir=" + dir.resolve("profile-" + e.getKey()),
                    "--no-pdf-header-footer", "--print-to-pdf=" + pdf, e.getValue().toUri().toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("chromium-" + e.getKey() + ".log").toFile()).start();
            assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "chromium finished");
            assertEquals(0, p.exitValue(), Files.readString(dir.resolve("chromium-" + e.getKey() + ".log")));
            byte[] bytes = Files.readAllBytes(pdf);
            assertTrue(bytes.length > 20_000, "a real rendering with its fonts: " + bytes.length + " bytes");
            String raw = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(raw.startsWith("%PDF-"));
            Matcher box = Pattern.compile("/MediaBox \\[0 0 ([0-9.]+) ([0-9.]+)\\]").matcher(raw);
            assertTrue(box.find(), "a page size");
            double w = Double.parseDouble(box.group(1));
            double h = Double.parseDouble(box.group(2));
            // What an assessor reads on paper: the node table and the controls, as text of the PDF itself.
            Process text = new ProcessBuilder(PDFTOTEXT, "-layout", pdf.toString(), "-").redirectErrorStream(true).start();
            String printed = new String(text.getInputStream().readAllBytes(), UTF_8);
            assertTrue(text.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && text.exitValue() == 0, printed);
            for (String expected : List.of("node-partial", "node-full", "DKER-EE-001590", "AU-5(a)", "1.2.3", "1.2.12")) {
                assertTrue(printed.contains(expected), e.getKey() + " PDF lacks '" + expected + "':\n" + printed);
            }
            if (e.getKey().equals("a4")) {
                assertEquals(595.3, w, 1.0, "A4 width in points");
                assertEquals(841.9, h, 1.0, "A4 height in points");
            } else {
                assertEquals(612, w, 1.0, "Letter width in points");
                assertEquals(792, h, 1.0, "Letter height in points");
            }
        }
    }

    /** RFC 4180 parsing, enough to read the report back: quoted fields, doubled quotes, CRLF records. */
    static final class Rfc4180 {
        static List<List<String>> parse(String text) {
            List<List<String>> rows = new ArrayList<>();
            List<String> row = new ArrayList<>();
            StringBuilder f = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (quoted) {
                    if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        f.append('"');
                        i++;
                    } else if (c == '"') {
                        quoted = false;
                    } else {
                        f.append(c);
                    }
                } else if (c == '"') {
                    quoted = true;
                } else if (c == ',') {
                    row.add(f.toString());
                    f.setLength(0);
                } else if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    row.add(f.toString());
                    f.setLength(0);
                    rows.add(row);
                    row = new ArrayList<>();
                    i++;
                } else {
                    f.append(c);
                }
            }
            assertTrue(row.isEmpty() && f.isEmpty(), "the last record ends with CRLF");
            return rows;
        }
    }
}
