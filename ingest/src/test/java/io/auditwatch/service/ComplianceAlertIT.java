package io.auditwatch.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.auditwatch.heartbeat.compliance.CisControl;
import io.auditwatch.heartbeat.compliance.NodeRules;
import io.auditwatch.heartbeat.compliance.RuleStatus;
import io.auditwatch.testing.ManualClock;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole compliance path with real parts: the real auditd records of
 * src/test/resources/auditctl/auditd-config-change.log (README.md there) sent as audisp-syslog sends them
 * over TCP, ingest, the embedded Kafka broker, heartbeat's consumer and state topic, alerting and a real SMTP
 * server (GreenMail). The service runs on a {@link ManualClock} the test moves (alert grouping waits on it).
 */
class ComplianceAlertIT {
    private static final Path LOG = Path.of("src", "test", "resources", "auditctl", "auditd-config-change.log");

    @TempDir
    Path dir;
    GreenMail smtp;
    final ManualClock clock = new ManualClock(Instant.now());
    TestService service;

    @BeforeEach
    void start() throws IOException {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        service = startService();
    }

    private TestService startService() throws IOException {
        // mgr-1's addresses are known: a record that only names it in HOSTNAME does not count for it.
        Path nodes = dir.resolve("nodes.yaml");
        Files.writeString(nodes, """
                roles:
                  worker:
                    streams:
                      auditd: 15m
                nodes:
                  - name: mgr-1
                    role: worker
                    addresses: [192.0.2.11]
                """);
        Map<String, String> env = new HashMap<>(TestService.smtpTo(smtp.getSmtp().getPort()));
        env.put("AUDITWATCH_HEARTBEAT_INVENTORY_FILE", nodes.toString());
        return TestService.start(dir.resolve("data"), env, clock);
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
        smtp.stop();
    }

    private static String record(String needle) throws IOException {
        return Files.readAllLines(LOG, UTF_8).stream().filter(l -> l.contains(needle)).findFirst().orElseThrow();
    }

    /**
     * RFC 5424 lines as rsyslog forwards audisp-syslog's records (HOSTNAME node-3), in this order on
     * one connection: records sent on two connections may be stored in either order.
     */
    private void send(String host, String... records) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (String record : records) {
            lines.append("<174>1 ").append(clock.instant()).append(' ').append(host).append(" audisp-syslog - - - ")
                    .append(record).append('\n');
        }
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), service.tcpPort())) {
            s.getOutputStream().write(lines.toString().getBytes(UTF_8));
        }
    }

    /** Waits for a mail whose subject contains {@code text}, moving the clock past the grouping window. */
    private MimeMessage awaitMail(String text) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            clock.advance(Duration.ofMillis(500));
            return mail(text).isPresent();
        });
        return mail(text).orElseThrow();
    }

    private String recoveredText() {
        StringBuilder b = new StringBuilder();
        Arrays.stream(smtp.getReceivedMessages()).filter(m -> TestService.subject(m).contains("RECOVERED"))
                .forEach(m -> b.append(GreenMailUtil.getBody(m)));
        return b.toString().replace("=\r\n", "").replace("=\n", ""); // quoted-printable soft line breaks
    }

    private Optional<MimeMessage> mail(String text) {
        return Arrays.stream(smtp.getReceivedMessages()).filter(m -> TestService.subject(m).contains(text)).findFirst();
    }


    private NodeRules rules(String node) {
        return service.service().tracker().rules(node);
    }

    @Test
    void removingTheDockerdRuleAndDisablingAuditingAreMailedAndTheStateSurvivesARestart() throws Exception {
        service.awaitHeartbeatReading();
        assertNull(rules("node-3").reported(), "never reported: unknown");
        assertEquals("unknown", rules("node-3").controls().get("1.2.3"));

        String pulse = record("auditwatch-pulse v=2");
        send("node-3", pulse);
        await().atMost(Duration.ofSeconds(60)).until(() -> rules("node-3").reported() != null);
        assertEquals(RuleStatus.OK, rules("node-3").status(CisControl.C1_2_3));

        // The same real pulse as the host sends it once the dockerd watch is gone (only 1.2.3 differs).
        send("node-3", pulse.replace("cis=1.2.3:ok", "cis=1.2.3:missing"));
        MimeMessage missing = awaitMail("1.2.3 audit rule missing on node-3");
        assertTrue(TestService.subject(missing).startsWith("[auditwatch] AUDIT FAILURE: CIS Docker Benchmark v1.2.0 1.2.3"),
                TestService.subject(missing));
        String body = GreenMailUtil.getBody(missing);
        assertTrue(body.contains("-w /usr/bin/dockerd -k docker"), body);
        assertTrue(body.contains("Ensure auditing is configured for the Docker daemon"), body);
        List<String> to = Arrays.stream(missing.getAllRecipients()).map(Object::toString).sorted().toList();
        assertEquals(List.of("isso@agency.example", "sa@agency.example"), to);

        // auditctl -e 0 by auid 1000: mailed at once, no silence threshold involved.
        send("node-3", record("audit_enabled=0 old=1"));
        MimeMessage disabled = awaitMail("auditing disabled on node-3 by auid 1000");
        assertTrue(GreenMailUtil.getBody(disabled).contains("DKER-EE-001590"));

        // The same record claiming to be mgr-1, whose addresses are known, from an address that is not one.
        send("mgr-1", record("audit_enabled=0 old=1"));
        send("node-3", record("type=DAEMON_END"));
        awaitMail("auditd stopped on node-3 by auid 1000");
        assertTrue(mail("on mgr-1").isEmpty(), "a HOSTNAME claim for mgr-1 raised an alert");

        // Restart: the rule state and when it was reported come back from the state topic.
        Instant reported = rules("node-3").reported();
        service.close();
        service = null;
        service = startService();
        service.awaitHeartbeatReading();
        NodeRules restored = rules("node-3");
        assertNotNull(restored.reported());
        assertEquals(reported, restored.reported());
        assertEquals(RuleStatus.MISSING, restored.status(CisControl.C1_2_3));
        assertEquals(RuleStatus.NA, restored.status(CisControl.C1_2_9));
        int mails = smtp.getReceivedMessages().length;

        // Still missing after the restart: the restored open alert is not mailed again; ok again resolves it.
        send("node-3", pulse.replace("cis=1.2.3:ok", "cis=1.2.3:missing"), pulse);
        // The rule is back, and a pulse with auditing on and no rule missing also ends the two auditd
        // changes: recovery notices naming each alert (grouped into digests by the grouping window).
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            clock.advance(Duration.ofMillis(500));
            String recovered = recoveredText();
            return recovered.contains("1.2.3 audit rule missing on node-3")
                    && recovered.contains("auditing disabled on node-3 by auid 1000")
                    && recovered.contains("auditd stopped on node-3 by auid 1000");
        });
        assertTrue(Arrays.stream(smtp.getReceivedMessages()).skip(mails)
                .noneMatch(m -> TestService.subject(m).contains("AUDIT FAILURE: CIS Docker Benchmark v1.2.0 1.2.3")),
                "the restored alert was mailed again");
    }
}
