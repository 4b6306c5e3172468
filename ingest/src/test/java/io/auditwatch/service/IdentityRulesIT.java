package io.auditwatch.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.auditwatch.heartbeat.EventHeaders;
import io.auditwatch.heartbeat.NodeStatus;
import io.auditwatch.heartbeat.Stream;
import io.auditwatch.heartbeat.StreamState;
import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.auditwatch.ingest.transport.TestPki;
import io.auditwatch.testing.ManualClock;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.net.ssl.SSLSocket;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inventory's identity rules against real impersonators: util-linux {@code logger -H}, raw TCP
 * sockets bound to another loopback address than the node's, and a TLS client holding another
 * node's certificate (made by openssl), each sending the real auditwatch pulse of
 * src/test/resources/auditctl/auditd-config-change.log as rsyslog forwards it. The forgeries are
 * stored, flagged and attributed to their real sender, never count as the protected node's pulse:
 * the node still goes SILENT and the ISSO and SA get the mail (GreenMail), and the spoofing alert
 * fires at the third forgery. The legitimate senders keep their nodes healthy throughout.
 *
 * <p>The service runs on a {@link ManualClock} the test moves: thresholds of 30 s pass in an instant.
 */
class IdentityRulesIT {
    private static final Path LOG = Path.of("src", "test", "resources", "auditctl", "auditd-config-change.log");
    private static final Duration THRESHOLD = Duration.ofSeconds(30);
    private static final InetAddress IMPOSTOR = loopback(5);
    private static final InetAddress WRK_9 = loopback(9);
    private static final InetAddress WRK_10 = loopback(10);
    /** Outside listeners.tls.allowed-sources. */
    private static final InetAddress NOT_ALLOWED = loopback(7);

    @TempDir
    static Path dir;
    static GreenMail smtp;
    static TestPki pki;
    static final ManualClock clock = new ManualClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    static TestService service;
    /** Audit serials of the pulses sent: each record is found again by its own. */
    static final AtomicLong serial = new AtomicLong(System.nanoTime() % 1_000_000_000L);

    @BeforeAll
    static void start() throws IOException {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        Path certs = Files.createDirectories(dir.resolve("pki"));
        pki = new TestPki(certs);
        pki.ca("ca");
        pki.leaf("server", "ca", "auditwatch", "IP:127.0.0.1");
        pki.leaf("mgr1", "ca", "ucp-manager-1", "DNS:ucp-manager-1");
        pki.leaf("mgr2", "ca", "ucp-manager-2", "DNS:ucp-manager-2");
        pki.leaf("wrk4", "ca", "wrk-4", "DNS:wrk-4");
        Path nodes = dir.resolve("nodes.yaml");
        Files.writeString(nodes, """
                nodes:
                  - name: ucp-manager-1
                    identity: certificate
                    thresholds: {auditd: 30s}
                  - name: ucp-manager-2
                    identity: certificate
                    thresholds: {auditd: 30s}
                  - name: wrk-9
                    identity: address
                    addresses: [127.0.0.9]
                    thresholds: {auditd: 30s}
                  - name: wrk-10
                    identity: address
                    addresses: [127.0.0.10]
                    thresholds: {auditd: 30s}
                """);
        Map<String, String> env = new HashMap<>(TestService.smtpTo(smtp.getSmtp().getPort()));
        env.putAll(TestService.tlsListener(TestService.freeTcpPort(), certs.resolve("server.crt"),
                certs.resolve("server.key"), certs.resolve("ca.crt")));
        env.put("AUDITWATCH_LISTENERS_TLS_ALLOWED_SOURCES", "127.0.0.1/32");
        env.put("AUDITWATCH_HEARTBEAT_INVENTORY_FILE", nodes.toString());
        env.put("AUDITWATCH_HEARTBEAT_GRACE_PERIOD", "1h");
        env.put("AUDITWATCH_LISTENERS_SPOOFING_ALERT_THRESHOLD", "3");
        env.put("AUDITWATCH_LISTENERS_SPOOFING_ALERT_WINDOW", "10m");
        service = TestService.start(dir.resolve("data"), env, clock);
        service.awaitHeartbeatReading();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        smtp.stop();
    }

    @Test
    void forgeriesOfAnAddressNodeFromAnotherAddressNeitherKeepItAliveNorGoUnreported() throws Exception {
        String legit = pulse();
        tcp(WRK_9, "wrk-9", legit);
        awaitLastSeen("wrk-9", clock.instant());

        // Three forgeries of wrk-9's pulse: two raw sockets from 127.0.0.5, and logger from 127.0.0.1.
        // Each lands before the next is sent: the alert names the sender of the third.
        clock.advance(Duration.ofSeconds(5));
        String raw1 = pulse();
        tcp(IMPOSTOR, "wrk-9", raw1);
        assertForgery(raw1, "127.0.0.5", "address", "wrk-9");
        clock.advance(Duration.ofSeconds(5));
        String viaLogger = pulse();
        logger("wrk-9", viaLogger);
        assertForgery(viaLogger, "127.0.0.1", "address", "wrk-9");
        clock.advance(Duration.ofSeconds(5));
        String raw2 = pulse();
        tcp(IMPOSTOR, "wrk-9", raw2);
        assertForgery(raw2, "127.0.0.5", "address", "wrk-9");

        String spoofing = text(awaitMail("AUDIT FAILURE: spoofing attempt: 3 events within 10m claimed wrk-9 from outside its addresses"));
        assertTrue(spoofing.contains("spoofing-attempt/wrk-9"), spoofing);
        assertTrue(spoofing.contains("address_required"), spoofing);
        assertTrue(spoofing.contains("127.0.0.5"), "names the last real sender: " + spoofing);
        assertEquals("isso@agency.example,sa@agency.example", recipients("claimed wrk-9"));
        awaitMail("AUDIT FAILURE: no audit data from wrk-9 for");
        assertEquals("isso@agency.example,sa@agency.example", recipients("no audit data from wrk-9"));
        assertTrue(count("address_required") >= 3, "counted by reason");
        assertEquals(StreamState.SILENT, auditd("wrk-9").state());
    }

    @Test
    void anotherCertificateOrNoneCannotKeepACertificateNodeAlive() throws Exception {
        tls("mgr1", "ucp-manager-1", pulse());
        awaitLastSeen("ucp-manager-1", clock.instant());

        clock.advance(Duration.ofSeconds(5));
        String withOtherCertificate = pulse();
        tls("wrk4", "ucp-manager-1", withOtherCertificate);
        clock.advance(Duration.ofSeconds(5));
        String overPlainTcp = pulse();
        tcp(IMPOSTOR, "ucp-manager-1", overPlainTcp);
        clock.advance(Duration.ofSeconds(5));
        String secondWithOtherCertificate = pulse();
        tls("wrk4", "UCP-MANAGER-1.example.org", secondWithOtherCertificate);

        JsonNode env = assertForgery(withOtherCertificate, "wrk-4", "certificate", "ucp-manager-1");
        assertEquals("wrk-4", env.at("/source/certificate_identity").asText());
        assertForgery(overPlainTcp, "127.0.0.5", "address", "ucp-manager-1");
        assertForgery(secondWithOtherCertificate, "wrk-4", "certificate", "UCP-MANAGER-1.example.org");

        String spoofing = text(awaitMail("AUDIT FAILURE: spoofing attempt: 3 events within 10m claimed ucp-manager-1 without its certificate"));
        assertTrue(spoofing.contains("certificate_required"), spoofing);
        assertEquals("isso@agency.example,sa@agency.example", recipients("claimed ucp-manager-1"));
        awaitMail("AUDIT FAILURE: no audit data from ucp-manager-1 for");
        assertEquals("isso@agency.example,sa@agency.example", recipients("no audit data from ucp-manager-1"));
        assertEquals(StreamState.SILENT, auditd("ucp-manager-1").state());
    }

    @Test
    void theRightAddressAndTheRightCertificateKeepTheirNodesHealthyThroughForgeries() throws Exception {
        Instant start = clock.instant();
        while (Duration.between(start, clock.instant()).compareTo(THRESHOLD.multipliedBy(3)) < 0) {
            String legitTls = pulse();
            String legitTcp = pulse();
            tls("mgr2", "ucp-manager-2", legitTls);
            tcp(WRK_10, "wrk-10", legitTcp);
            tcp(IMPOSTOR, "wrk-10", pulse());
            tls("wrk4", "ucp-manager-2", pulse());
            awaitLastSeen("ucp-manager-2", clock.instant());
            awaitLastSeen("wrk-10", clock.instant());
            JsonNode env = service.events().awaitOne(marker(legitTls));
            assertEquals("ucp-manager-2", env.get("node").asText());
            assertFalse(env.has("flags"), env.toString());
            assertTrue(pulseHeader(legitTcp), "the legitimate pulse counts");
            clock.advance(Duration.ofSeconds(20));
            service.service().tracker().evaluate();
            assertEquals(StreamState.HEALTHY, auditd("wrk-10").state());
            assertEquals(StreamState.HEALTHY, auditd("ucp-manager-2").state());
        }
        assertEquals(Optional.empty(), mail("no audit data from wrk-10"));
        assertEquals(Optional.empty(), mail("no audit data from ucp-manager-2"));
        // The legitimate senders stop, the forgers go on: now the nodes fall silent.
        for (int i = 0; i < 4; i++) {
            String forged = pulse();
            tcp(IMPOSTOR, "wrk-10", forged);
            service.events().awaitOne(marker(forged));
            clock.advance(Duration.ofSeconds(10));
        }
        service.service().tracker().evaluate();
        assertEquals(StreamState.SILENT, auditd("wrk-10").state(), "only the legitimate sender had kept it healthy");
    }

    @Test
    void theTlsListenerRefusesSourcesOutsideItsAllowedSources() throws Exception {
        double before = service.service().registry().find(IngestMetrics.CONNECTIONS_REJECTED.name())
                .tag("transport", "tls").tag("reason", "source_not_allowed").counters().stream()
                .mapToDouble(c -> c.count()).sum();
        String marker = marker(pulse());
        assertThrows(IOException.class, () -> {
            try (Socket plain = new Socket()) {
                plain.bind(new InetSocketAddress(NOT_ALLOWED, 0));
                plain.connect(new InetSocketAddress("127.0.0.1", service.service().tlsPort()), 10_000);
                try (SSLSocket s = (SSLSocket) pki.clientContext("ca", "mgr1").getSocketFactory()
                        .createSocket(plain, "127.0.0.1", service.service().tlsPort(), true)) {
                    s.setSoTimeout(10_000);
                    s.startHandshake();
                    s.getOutputStream().write(octet("<30>1 - ucp-manager-1 web 1 - - " + marker));
                    s.getOutputStream().flush();
                    s.getInputStream().read();
                }
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> service.service().registry()
                .find(IngestMetrics.CONNECTIONS_REJECTED.name()).tag("transport", "tls")
                .tag("reason", "source_not_allowed").counters().stream().mapToDouble(c -> c.count()).sum() > before);
    }

    // ---- senders

    /** The real v=2 pulse record with a fresh audit serial, as audisp-syslog hands it to rsyslog. */
    private static String pulse() throws IOException {
        String record = Files.readAllLines(LOG, UTF_8).stream().filter(l -> l.contains("auditwatch-pulse v=2"))
                .findFirst().orElseThrow();
        return record.replace("audit(1796327355.773:400)", "audit(1796327355.773:" + serial.incrementAndGet() + ")");
    }

    private static String marker(String pulse) {
        return pulse.substring(pulse.indexOf("audit("), pulse.indexOf(')') + 1);
    }

    /** rsyslog's RSYSLOG_SyslogProtocol23Format line over TCP from {@code from}, LF-framed. */
    private static void tcp(InetAddress from, String hostname, String record) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), service.tcpPort()), 10_000);
            s.getOutputStream().write((line(hostname, record) + "\n").getBytes(UTF_8));
        }
    }

    /** Over the TLS listener with the client certificate {@code client}, octet-counted (RFC 5425). */
    private static void tls(String client, String hostname, String record) throws Exception {
        try (SSLSocket s = (SSLSocket) pki.clientContext("ca", client).getSocketFactory()
                .createSocket("127.0.0.1", service.service().tlsPort())) {
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            out.write(octet(line(hostname, record)));
            out.flush();
        }
    }

    /**
     * util-linux logger claiming {@code hostname}, over TCP from 127.0.0.1. logger 2.38 has no option
     * for the HOSTNAME (it sends gethostname()), so it runs in its own UTS namespace named {@code hostname}
     * ({@code unshare --user --map-root-user --uts}); skipped where user namespaces are not allowed.
     */
    private static void logger(String hostname, String record) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/logger")), "util-linux logger is not installed (apt-get install bsdutils)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")), "util-linux unshare is not installed");
        Process p = new ProcessBuilder("/usr/bin/unshare", "--user", "--map-root-user", "--uts", "sh", "-c",
                "hostname \"$0\" && exec /usr/bin/logger -n 127.0.0.1 -P \"$1\" -T --octet-count --rfc5424 -t audisp-syslog"
                        + " -p local6.info \"$2\"", hostname, Integer.toString(service.tcpPort()), record)
                .redirectErrorStream(true).start();
        try {
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "logger did not finish");
            String out = new String(p.getInputStream().readAllBytes(), UTF_8);
            assumeTrue(!out.contains("unshare:"), "no user namespaces here: " + out);
            assertEquals(0, p.exitValue(), out);
        } finally {
            p.destroyForcibly();
        }
    }

    private static String line(String hostname, String record) {
        return "<182>1 " + clock.instant() + " " + hostname + " audisp-syslog - - - " + record;
    }

    private static byte[] octet(String msg) {
        byte[] b = msg.getBytes(UTF_8);
        return (b.length + " " + msg).getBytes(UTF_8);
    }

    // ---- what came out

    /** The forged record: stored, flagged, attributed to the real sender, and no pulse for anyone. */
    private static JsonNode assertForgery(String pulse, String node, String source, String claimed) {
        JsonNode env = service.events().awaitOne(marker(pulse));
        assertEquals(node, env.get("node").asText(), env.toString());
        assertEquals(source, env.get("node_source").asText());
        assertTrue(env.get("flags").toString().contains("identity_mismatch"), env.toString());
        assertEquals(claimed, env.get("claimed_node").asText());
        assertTrue(env.get("pulse").asBoolean(), "still recognised as a pulse in the envelope: " + env);
        assertTrue(new String(io.auditwatch.ingest.envelope.EnvelopeCodec.raw(env), UTF_8).contains(pulse),
                "the raw bytes are kept");
        assertFalse(pulseHeader(pulse), "a forged pulse carries no liveness header");
        return env;
    }

    private static boolean pulseHeader(String pulse) {
        byte[] needle = marker(pulse).getBytes(UTF_8);
        service.events().awaitOne(marker(pulse));
        for (ConsumerRecord<byte[], byte[]> r : service.events().records()) {
            if (new String(r.value(), UTF_8).contains(new String(needle, UTF_8))) {
                return r.headers().lastHeader(EventHeaders.PULSE) != null;
            }
        }
        throw new AssertionError("record not found: " + marker(pulse));
    }

    private static NodeStatus.StreamStatus auditd(String node) {
        NodeStatus n = service.service().tracker().node(node).orElseThrow();
        return n.streams().stream().filter(s -> s.stream() == Stream.AUDITD).findFirst().orElseThrow();
    }

    private static void awaitLastSeen(String node, Instant at) {
        await().atMost(Duration.ofSeconds(60)).until(() -> service.service().tracker().node(node)
                .map(n -> n.streams().stream().anyMatch(s -> s.stream() == Stream.AUDITD && at.equals(s.lastSeen())))
                .orElse(false));
    }

    private static double count(String reason) {
        return service.service().registry().find(IngestMetrics.IDENTITY_MISMATCHES.name()).tag("reason", reason)
                .counters().stream().mapToDouble(c -> c.count()).sum();
    }

    /** Waits for a mail whose subject contains {@code text}, moving the clock past thresholds and the grouping window. */
    private static MimeMessage awaitMail(String text) {
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            clock.advance(Duration.ofMillis(500));
            return mail(text).isPresent();
        });
        return mail(text).orElseThrow();
    }

    /** The first mail that says {@code text} (alone, or in a digest with other alerts of the same moment). */
    private static Optional<MimeMessage> mail(String text) {
        return Arrays.stream(smtp.getReceivedMessages()).filter(m -> text(m).contains(text)).findFirst();
    }

    /** Subject and body, quoted-printable soft line breaks removed. */
    private static String text(MimeMessage m) {
        return TestService.subject(m) + "\n" + GreenMailUtil.getBody(m).replace("=\r\n", "").replace("=\n", "");
    }

    private static String recipients(String text) {
        List<String> to = new ArrayList<>();
        Arrays.stream(smtp.getReceivedMessages()).filter(m -> text(m).contains(text)).forEach(m -> {
            try {
                Arrays.stream(m.getRecipients(Message.RecipientType.TO)).forEach(a -> to.add(a.toString()));
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        });
        return to.stream().sorted().distinct().collect(Collectors.joining(","));
    }


    private static InetAddress loopback(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
