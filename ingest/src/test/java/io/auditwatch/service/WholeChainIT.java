package io.auditwatch.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain with real parts: a sender delivers over TCP into the embedded broker, heartbeat
 * reads it back from Kafka, the sender stops, and the ISSO and the SA each get the audit-failure
 * email from a real SMTP server (GreenMail); when the sender comes back, the recovery email follows.
 * Thresholds are seconds here so the test takes seconds; production ones are minutes.
 */
class WholeChainIT {
    @TempDir
    Path dataDir;

    GreenMail smtp;
    TestService service;

    @BeforeEach
    void start() {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        Map<String, String> env = new java.util.HashMap<>(TestService.smtpTo(smtp.getSmtp().getPort()));
        env.put("AUDITWATCH_HEARTBEAT_DEFAULT_THRESHOLD", "3s");
        service = TestService.start(dataDir, env);
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
        smtp.stop();
    }

    @Test
    void senderStopsAndTheIssoAndSaAreEmailedThenRecoveryFollows() throws Exception {
        // A brand-new consumer group starts at the end of audit.events: wait until heartbeat is
        // reading, as /ready does, so the first event is not before its starting point.
        service.awaitHeartbeatReading();
        send("<30>1 " + java.time.Instant.now() + " chain-node-1 web/3f2a9c1d0b7e 1 web/3f2a9c1d0b7e - first line from the sender");
        // Heartbeat has the node once it read the event back from audit.events.
        await().atMost(Duration.ofSeconds(60)).until(() -> service.service().tracker().node("chain-node-1").isPresent());

        // The sender stops: after the 3 s threshold the node is silent and the email goes out.
        await().atMost(Duration.ofSeconds(60)).until(() -> smtp.getReceivedMessages().length >= 2);
        List<MimeMessage> failure = Arrays.asList(smtp.getReceivedMessages());
        MimeMessage first = failure.get(0);
        assertTrue(first.getSubject().startsWith("[auditwatch] AUDIT FAILURE: no audit data from chain-node-1"),
                first.getSubject());
        String recipients = failure.stream().flatMap(m -> {
            try {
                return Arrays.stream(m.getRecipients(Message.RecipientType.TO));
            } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).map(Object::toString).sorted().distinct().collect(Collectors.joining(","));
        assertEquals("isso@agency.example,sa@agency.example", recipients);
        String body = GreenMailUtil.getBody(first);
        assertTrue(body.contains("DKER-EE-001590"), "the email names the control it serves");
        assertTrue(body.contains("chain-node-1"));

        // The sender comes back: a recovery notice with the outage length.
        send("<30>1 " + java.time.Instant.now() + " chain-node-1 web/3f2a9c1d0b7e 1 web/3f2a9c1d0b7e - the sender is back");
        await().atMost(Duration.ofSeconds(60)).until(() -> Arrays.stream(smtp.getReceivedMessages())
                .anyMatch(m -> TestService.subject(m).startsWith("[auditwatch] RECOVERED")));
        MimeMessage recovered = Arrays.stream(smtp.getReceivedMessages())
                .filter(m -> TestService.subject(m).startsWith("[auditwatch] RECOVERED")).findFirst().orElseThrow();
        assertTrue(TestService.subject(recovered).contains("chain-node-1"), TestService.subject(recovered));
    }


    private void send(String line) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), service.tcpPort())) {
            s.getOutputStream().write((line + "\n").getBytes(UTF_8));
        }
    }
}
