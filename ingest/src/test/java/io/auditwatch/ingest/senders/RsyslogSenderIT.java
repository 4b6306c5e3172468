package io.auditwatch.ingest.senders;

import io.auditwatch.ingest.envelope.EnvelopeCodec;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditwatch.service.TestService;
import io.auditwatch.ingest.transport.TestPki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * rsyslog (Debian's rsyslogd 8.2302, rsyslog-gnutls) as a real sender, forwarding auditd records
 * that it reads with imfile: the shipped {@code deploy/rsyslog/auditwatch.conf} as it is (only the
 * target, port and spool directory replaced), LF-framed RFC 3164 forwarding, UDP, and the TLS
 * variant with a client certificate. Skipped when rsyslogd is absent; {@code .ci/run} installs it.
 */
class RsyslogSenderIT {
    static final Path SHIPPED = Path.of("..", "deploy", "rsyslog", "auditwatch.conf");

    static TestPki pki;
    static int tlsPort;

    @RegisterExtension
    static final TestService service = TestService.configuredBy(dir -> {
        assumeTrue(SenderProcess.rsyslogInstalled(), "rsyslogd is not installed (apt-get install rsyslog rsyslog-gnutls)");
        pki = new TestPki(dir);
        pki.ca("ca");
        pki.leaf("server", "ca", "auditwatch.test", "DNS:auditwatch.test,IP:127.0.0.1");
        pki.leaf("client", "ca", "rsyslog-tls", "DNS:rsyslog-tls.example.org");
        tlsPort = TestService.freeTcpPort();
        return TestService.tlsListener(tlsPort, pki.file("server.crt"), pki.file("server.key"), pki.file("ca.crt"));
    });

    @Test
    void shippedSnippetForwardsAudispRecordsAndThePulseKeepsTheStreamAlive() throws Exception {
        service.awaitHeartbeatReading();
        String marker = "shipped" + System.nanoTime();
        Path work = Files.createDirectories(service.dir().resolve("shipped"));
        String shipped = Files.readString(SHIPPED, UTF_8)
                .replace("auditwatch.example.org", "127.0.0.1")
                .replace("port=\"5514\"", "port=\"" + service.tcpPort() + "\"")
                .replace("/var/spool/rsyslog", Files.createDirectories(work.resolve("spool")).toString());
        Files.writeString(work.resolve("60-auditwatch.conf"), shipped);
        // audisp-syslog's records, as the audisp route delivers them: programname audisp-syslog, local6.
        Path auditLog = work.resolve("audit.log");
        Files.writeString(auditLog, String.join("\n",
                "type=SYSCALL msg=audit(1700758801.123:4567): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4"
                        + " items=1 ppid=1 pid=4242 auid=1000 uid=0 gid=0 euid=0 comm=\"docker\" exe=\"/usr/bin/docker\" key=\"" + marker + "\"",
                "type=PATH msg=audit(1700758801.123:4567): item=0 name=\"/usr/bin/docker\" inode=1 dev=08:01 mode=0100755 nametype=NORMAL"
                        + " cap_fp=0 marker=" + marker,
                "type=USER msg=audit(1700758802.000:4568): pid=10993 uid=0 auid=4294967295 ses=4294967295"
                        + " msg='text=auditwatch-pulse " + marker + " exe=\"/usr/sbin/auditctl\" hostname=? addr=? terminal=? res=success'",
                ""));
        String conf = """
                global(workDirectory="%s" localHostname="rsyslog-node-1")
                module(load="imfile")
                input(type="imfile" File="%s" Tag="audisp-syslog:" Facility="local6" Severity="info")
                include(file="%s")
                """.formatted(work, auditLog, work.resolve("60-auditwatch.conf"));
        try (SenderProcess rsyslog = rsyslogd(work, conf)) {
            List<JsonNode> got = service.events().awaitEnvelopes(marker, 3);
            for (JsonNode e : got) {
                assertEquals("auditd", e.get("stream").asText(), e.toString());
                assertEquals("rfc5424", e.get("format").asText());
                assertEquals("octet_counting", e.get("framing").asText());
                assertEquals("audisp-syslog", e.at("/syslog/app_name").asText());
                assertEquals("rsyslog-node-1", e.get("node").asText());
                assertEquals("hostname", e.get("node_source").asText());
                assertTrue(e.get("raw").asText().endsWith(EnvelopeCodec.message(e)), e.toString());
            }
            JsonNode syscall = got.stream().filter(e -> e.get("raw").asText().contains("type=SYSCALL")).findFirst().orElseThrow();
            assertEquals("1700758801.123:4567", syscall.at("/fields/auditEventId").asText(), syscall.toString());
            assertEquals(marker, syscall.at("/fields/key").asText());
            JsonNode pulse = got.stream().filter(e -> e.get("raw").asText().contains("auditwatch-pulse")).findFirst().orElseThrow();
            assertTrue(pulse.get("pulse").asBoolean(), pulse.toString());
            // The heartbeat saw the node's auditd stream through the real rsyslog path.
            await().atMost(Duration.ofSeconds(60)).until(() -> nodeState("rsyslog-node-1", "auditd").equals("HEALTHY"));
            assertTrue(rsyslog.isAlive(), rsyslog.output());
        }
    }

    @Test
    void forwardFormatOverTcpIsLfFramedRfc3164() throws Exception {
        String marker = "fwd" + System.nanoTime();
        Path work = Files.createDirectories(service.dir().resolve("forward"));
        List<JsonNode> got = forwardFile(work, marker, """
                action(type="omfwd" target="127.0.0.1" port="%d" protocol="tcp" template="RSYSLOG_ForwardFormat")
                """.formatted(service.tcpPort()));
        assertEquals("lf", got.get(0).get("framing").asText());
        assertEquals("rfc3164", got.get(0).get("format").asText(), got.get(0).toString());
        assertEquals("auditd", got.get(0).get("stream").asText());
        assertEquals("rsyslog-node-2", got.get(0).get("node").asText());
    }

    @Test
    void udp() throws Exception {
        String marker = "udp" + System.nanoTime();
        Path work = Files.createDirectories(service.dir().resolve("udp"));
        List<JsonNode> got = forwardFile(work, marker, """
                action(type="omfwd" target="127.0.0.1" port="%d" protocol="udp" template="RSYSLOG_SyslogProtocol23Format")
                """.formatted(service.udpPort()));
        assertEquals("datagram", got.get(0).get("framing").asText());
        assertEquals("rfc5424", got.get(0).get("format").asText());
    }

    @Test
    void tlsWithClientCertificateAsTheDeployKitDescribes() throws Exception {
        String marker = "tls" + System.nanoTime();
        Path work = Files.createDirectories(service.dir().resolve("tls"));
        // The TLS variant of deploy/rsyslog/auditwatch.conf: gtls, x509/name against the server's DNS name.
        List<JsonNode> got = forwardFile(work, marker, """
                global(DefaultNetstreamDriverCAFile="%s" DefaultNetstreamDriverCertFile="%s" DefaultNetstreamDriverKeyFile="%s")
                action(type="omfwd" target="127.0.0.1" port="%d" protocol="tcp" TCP_Framing="octet-counted"
                       template="RSYSLOG_SyslogProtocol23Format" StreamDriver="gtls" StreamDriverMode="1"
                       StreamDriverAuthMode="x509/name" StreamDriverPermittedPeers="auditwatch.test")
                """.formatted(pki.file("ca.crt"), pki.file("client.crt"), pki.file("client.key"), tlsPort));
        JsonNode e = got.get(0);
        assertEquals("tls", e.at("/source/transport").asText());
        assertEquals("octet_counting", e.get("framing").asText());
        assertEquals("rsyslog-tls.example.org", e.get("node").asText());
        assertEquals("certificate", e.get("node_source").asText());
        // HOSTNAME rsyslog-node-2 is another host than the certificate's: kept, flagged.
        assertTrue(e.get("flags").toString().contains("identity_mismatch"), e.toString());
    }

    /** rsyslogd reading two auditd lines carrying {@code marker} from a file and forwarding them with {@code action}. */
    private static List<JsonNode> forwardFile(Path work, String marker, String action) throws Exception {
        Path auditLog = work.resolve("audit.log");
        Files.writeString(auditLog,
                "type=SYSCALL msg=audit(1700758801.123:1): arch=c000003e syscall=59 success=yes exit=0 key=\"" + marker + "\"\n"
                + "type=CWD msg=audit(1700758801.123:1): cwd=\"/" + marker + "\"\n");
        String conf = """
                global(workDirectory="%s" localHostname="rsyslog-node-2")
                module(load="imfile")
                input(type="imfile" File="%s" Tag="auditd:" Facility="local6" Severity="info")
                %s
                """.formatted(work, auditLog, action);
        try (SenderProcess rsyslog = rsyslogd(work, conf)) {
            List<JsonNode> got = service.events().awaitEnvelopes(marker, 2);
            for (JsonNode e : got) {
                assertEquals("auditd", e.get("stream").asText(), e.toString());
                assertEquals("auditd", e.at("/syslog/app_name").asText(), e.toString());
            }
            assertTrue(rsyslog.isAlive(), rsyslog.output());
            return got;
        }
    }

    /** Checks {@code conf} with {@code rsyslogd -N1}, then runs rsyslogd in the foreground with it. */
    private static SenderProcess rsyslogd(Path work, String conf) throws Exception {
        Path file = work.resolve("rsyslog.conf");
        Files.writeString(file, conf);
        try (SenderProcess check = SenderProcess.start(List.of(SenderProcess.RSYSLOGD.toString(), "-N1", "-f", file.toString()),
                work.resolve("check.log"))) {
            assertEquals(0, check.await(60), check.output());
            assertFalse(check.output().contains("error"), check.output());
        }
        return SenderProcess.start(List.of(SenderProcess.RSYSLOGD.toString(), "-n", "-f", file.toString(),
                "-i", work.resolve("rsyslogd.pid").toString()), work.resolve("rsyslogd.log"));
    }

    private static String nodeState(String node, String stream) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + service.service().adminPort() + "/api/nodes")).build(),
                HttpResponse.BodyHandlers.ofString());
        for (JsonNode n : new ObjectMapper().readTree(r.body()).get("nodes")) {
            if (n.get("node").asText().equals(node) && n.get("stream").asText().equals(stream)) {
                return n.get("state").asText();
            }
        }
        return "absent";
    }
}
