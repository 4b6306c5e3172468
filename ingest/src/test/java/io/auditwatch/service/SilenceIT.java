package io.auditwatch.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Silences as operator commands against a running service with the embedded broker and a real SMTP
 * server (GreenMail): a silenced node goes silent and no mail goes out, the silence is on
 * {@code /status} and in {@code silence list}; ended, the alert is mailed with the count it held
 * back; create and end are read back from the operator audit topic with who and why.
 * Thresholds are seconds here so the test takes seconds; production ones are minutes.
 */
class SilenceIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "s3cret-for-tests";

    @TempDir
    Path dir;
    GreenMail smtp;
    TestService service;

    @BeforeEach
    void start() throws Exception {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        Path password = dir.resolve("admin-password");
        Files.writeString(password, PASSWORD + "\n");
        Map<String, String> env = new HashMap<>(TestService.smtpTo(smtp.getSmtp().getPort()));
        env.put("AUDITWATCH_HEARTBEAT_DEFAULT_THRESHOLD", "3s");
        env.put("AUDITWATCH_ADMIN_USERNAME", "ops");
        env.put("AUDITWATCH_ADMIN_PASSWORD_FILE", password.toString());
        service = TestService.start(dir.resolve("data"), env);
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
        smtp.stop();
    }

    @Test
    void aSilencedNodeIsNotMailedUntilTheSilenceEndsAndBothCommandsAreAttributed() throws Exception {
        service.awaitHeartbeatReading();
        Run created = cli("silence", "create", "--node", "quiet-1", "1h", "kernel", "patching", "CHG-42");
        assertEquals(0, created.code(), created.err());
        String id = JSON.readTree(created.out()).path("id").asText();
        assertEquals(8, id.length(), created.out());

        send("quiet-1", "last line before the patch reboot");
        // The sender stops: after the 3 s threshold the alert is open; with a 1 s group window it
        // would be mailed within a second or two, the silence holds it.
        await().atMost(Duration.ofSeconds(60)).until(() -> service.service().alerting().openAlerts().stream()
                .anyMatch(a -> "quiet-1".equals(a.event().node())));
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).until(() -> subjects().isEmpty());
        assertEquals(1, service.service().alerting().silences().get(0).held());

        String status = get("/status").body();
        assertTrue(status.contains("data-silence=\"" + id + "\"") && status.contains("kernel patching CHG-42"), status);
        assertTrue(status.contains("silence-create") && status.contains(">ops<"), "operator actions listed on /status");
        Run list = cli("silence", "list");
        assertEquals(0, list.code(), list.err());
        assertTrue(list.out().contains(id) && list.out().contains("node=quiet-1") && list.out().contains("CHG-42"),
                list.out());

        Run ended = cli("silence", "end", id, "patching", "done");
        assertEquals(0, ended.code(), ended.err());
        await().atMost(Duration.ofSeconds(30)).until(() -> subjects().stream()
                .anyMatch(s -> s.startsWith("[auditwatch] AUDIT FAILURE") && s.contains("quiet-1")));
        MimeMessage released = Arrays.stream(smtp.getReceivedMessages()).filter(m -> TestService.subject(m).contains("quiet-1"))
                .findFirst().orElseThrow();
        String body = GreenMailUtil.getBody(released).replace("=\r\n", "").replace("=\n", "");
        assertTrue(body.contains("Held back by silences since the last notification: 1 alert"), body);
        assertTrue(body.contains("silence " + id), body);
        assertEquals("no active silence\n", cli("silence", "list").out());

        List<JsonNode> records = operatorRecords(2);
        JsonNode create = records.stream().filter(r -> r.path("action").asText().equals("silence-create")).findFirst()
                .orElseThrow();
        assertEquals("ops", create.path("principal").asText());
        assertEquals("127.0.0.1", create.path("from").asText(), create.toString()); // the client address, no port
        assertEquals("kernel patching CHG-42", create.path("reason").asText());
        assertEquals("quiet-1", create.path("parameters").path("node").asText());
        assertEquals("1h", create.path("parameters").path("until").asText());
        assertEquals("applied", create.path("outcome").asText());
        assertTrue(Instant.parse(create.path("at").asText()).isBefore(Instant.now()));
        JsonNode end = records.stream().filter(r -> r.path("action").asText().equals("silence-end")).findFirst()
                .orElseThrow();
        assertEquals("ops", end.path("principal").asText());
        assertEquals("patching done", end.path("reason").asText());
        assertEquals(id, end.path("parameters").path("id").asText());
    }

    @Test
    void aSilenceWithoutReasonOrBeyondTheMaximumIsRefusedAndTheRefusalRecorded() throws Exception {
        HttpResponse<String> noReason = post("/api/silences", "{\"node\":\"n-1\",\"until\":\"1h\"}");
        assertEquals(400, noReason.statusCode(), noReason.body());
        HttpResponse<String> tooLong = post("/api/silences", "{\"node\":\"n-1\",\"until\":\"8d\",\"reason\":\"forever\"}");
        assertEquals(400, tooLong.statusCode(), tooLong.body());
        assertTrue(tooLong.body().contains("alerting.silence-max-duration"), tooLong.body());
        HttpResponse<String> noMatcher = post("/api/silences", "{\"until\":\"1h\",\"reason\":\"everything\"}");
        assertEquals(400, noMatcher.statusCode(), noMatcher.body());
        HttpResponse<String> decommission = post("/api/decommission", "{\"node\":\"n-1\"}");
        assertEquals(400, decommission.statusCode(), "decommission needs a reason too");
        assertTrue(service.service().alerting().silences().isEmpty());

        Run cliTooLong = cli("silence", "create", "--stream", "ucp-audit", "30d", "forever");
        assertEquals(1, cliTooLong.code());
        assertTrue(cliTooLong.err().contains("400"), cliTooLong.err());

        List<JsonNode> records = operatorRecords(5);
        assertEquals(5, records.size(), records.toString());
        assertTrue(records.stream().allMatch(r -> r.path("outcome").asText().startsWith("refused 400")
                && r.path("principal").asText().equals("ops")), records.toString());
    }

    private List<JsonNode> operatorRecords(int expected) throws Exception {
        List<JsonNode> out = new java.util.ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicReader.readAll(service.bootstrapServers(), "auditwatch.audit", expected)) {
            out.add(JSON.readTree(r.value()));
        }
        return out;
    }

    private record Run(int code, String out, String err) {
    }

    private Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, service.env(), new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8));
        return new Run(code, out.toString(UTF_8), err.toString(UTF_8));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String json) throws Exception {
        return HttpClient.newHttpClient().send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.service().adminPort() + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("ops:" + PASSWORD).getBytes(UTF_8)));
    }

    private void send(String node, String text) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), service.tcpPort())) {
            s.getOutputStream().write(("<30>1 " + Instant.now() + " " + node + " web/3f2a9c1d0b7e 1 web/3f2a9c1d0b7e - "
                    + text + "\n").getBytes(UTF_8));
        }
    }

    private List<String> subjects() {
        return Arrays.stream(smtp.getReceivedMessages()).map(TestService::subject).toList();
    }

}
