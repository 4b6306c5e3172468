package io.auditwatch.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator's commands against a running instance, through the admin API: {@code nodes},
 * {@code maintenance}, {@code decommission}, {@code send-test-alert}; with basic auth on. Each change
 * is read back from the operator audit topic.
 */
class OperatorCommandsIT {
    @RegisterExtension
    static final TestService service = TestService.configuredBy(dir -> {
        Path password = dir.resolve("admin-password");
        Files.writeString(password, "s3cret-for-tests\n");
        return Map.of(
                "AUDITWATCH_ADMIN_USERNAME", "ops",
                "AUDITWATCH_ADMIN_PASSWORD_FILE", password.toString());
    });

    static final ObjectMapper JSON = new ObjectMapper();
    static Map<String, String> cliEnv;

    @BeforeAll
    static void twoNodesAreKnown() throws Exception {
        cliEnv = service.env();
        service.awaitHeartbeatReading();
        for (String node : new String[] {"ops-node-1", "ops-node-2"}) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), service.tcpPort())) {
                s.getOutputStream().write(("<30>1 " + java.time.Instant.now() + " " + node
                        + " web/3f2a9c1d0b7e 1 web/3f2a9c1d0b7e - hello\n").getBytes(UTF_8));
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> service.service().tracker().node("ops-node-2").isPresent()
                && service.service().tracker().node("ops-node-1").isPresent());
    }

    private record Run(int code, String out, String err) {
    }

    private static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, cliEnv, new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8));
        return new Run(code, out.toString(UTF_8), err.toString(UTF_8));
    }

    @Test
    void nodesPrintsTheStateTable() {
        Run r = cli("nodes");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("ops-node-1") && r.out().contains("container") && r.out().contains("HEALTHY"), r.out());
    }

    @Test
    void maintenanceAndItsEnd() {
        Run r = cli("maintenance", "ops-node-1", "2h", "kernel", "patching");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"reason\":\"kernel patching\""), r.out());
        assertEquals("MAINTENANCE", service.service().tracker().node("ops-node-1").orElseThrow().state().name());
        assertTrue(cli("nodes").out().contains("MAINTENANCE"));
    }

    @Test
    void decommissionForgetsTheNode() throws Exception {
        assertEquals(2, cli("decommission", "ops-node-2").code(), "usage: a reason is mandatory");
        Run r = cli("decommission", "ops-node-2", "hardware", "returned");
        assertEquals(0, r.code(), r.err());
        assertTrue(service.service().tracker().node("ops-node-2").isEmpty());
        Run again = cli("decommission", "ops-node-2", "twice");
        assertEquals(1, again.code());
        assertTrue(again.err().contains("404"), again.err());

        // Both attempts are in the operator audit trail, attributed to the admin user.
        List<JsonNode> records = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            records.clear();
            for (var rec : TopicReader.readAll(service.bootstrapServers(), "auditwatch.audit", 1)) {
                JsonNode n = JSON.readTree(rec.value());
                if (n.path("action").asText().equals("decommission")) {
                    records.add(n);
                }
            }
            return records.size() >= 2;
        });
        assertEquals(List.of("applied", "refused 404: node 'ops-node-2' is not tracked by this instance"),
                records.stream().map(n -> n.path("outcome").asText()).toList());
        assertTrue(records.stream().allMatch(n -> n.path("principal").asText().equals("ops")
                && n.path("parameters").path("node").asText().equals("ops-node-2")), records.toString());
        assertEquals("hardware returned", records.get(0).path("reason").asText());
        assertTrue(service.service().operatorAudit().recent().stream().anyMatch(a -> a.action().equals("decommission")));
    }

    @Test
    void sendTestAlertGoesThroughTheRunningInstance() throws Exception {
        Run r = cli("send-test-alert");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("test alert queued by the running instance"), r.out());
        Path eml = service.dataDir().resolve("outbox").resolve("sent-eml");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.isDirectory(eml) && mails(eml).anyMatch(m -> m.contains("TEST")));
    }

    @Test
    void wrongPasswordIsRefused() {
        Map<String, String> env = new java.util.HashMap<>(cliEnv);
        env.remove("AUDITWATCH_ADMIN_PASSWORD_FILE");
        env.put("AUDITWATCH_ADMIN_PASSWORD", "wrong");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"nodes"}, env, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, UTF_8));
        assertEquals(1, code);
        assertTrue(err.toString(UTF_8).contains("401"), err.toString(UTF_8));
    }

    private static Stream<String> mails(Path folder) throws java.io.IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> {
                try {
                    return Files.readString(f);
                } catch (java.io.IOException e) {
                    return "";
                }
            }).toList().stream();
        }
    }
}
