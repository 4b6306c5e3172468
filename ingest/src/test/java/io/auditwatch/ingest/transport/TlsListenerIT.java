package io.auditwatch.ingest.transport;

import io.auditwatch.ingest.pipeline.IngestMetrics;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.service.TestService;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Syslog over TLS with mutual authentication, real handshakes with certificates made by openssl:
 * a sender without a valid client certificate cannot get a single event into Kafka, a valid one is
 * identified by its certificate, renewed server certificates apply without a restart (and never as
 * a mismatched pair), and only the TLS policy's versions and cipher suites are accepted.
 */
class TlsListenerIT {
    static final String REMOVED_SUITE = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    static TestPki pki;

    @RegisterExtension
    static final TestService service = TestService.configuredBy(dir -> {
        Path certs = Files.createDirectories(dir.resolve("pki"));
        pki = new TestPki(certs);
        pki.ca("ca");
        pki.ca("rogue-ca");
        pki.leaf("server", "ca", "auditwatch", "IP:127.0.0.1,DNS:localhost");
        pki.leaf("node7", "ca", "node-7-cn", "DNS:node-7.example.org");
        pki.leaf("cnonly", "ca", "node-cn-only", null);
        pki.leaf("rogue", "rogue-ca", "node-7-forged", "DNS:node-7.example.org");
        Files.copy(certs.resolve("server.crt"), certs.resolve("live.crt"));
        Files.copy(certs.resolve("server.key"), certs.resolve("live.key"));
        Map<String, String> env = new java.util.HashMap<>(TestService.tlsListener(TestService.freeTcpPort(),
                certs.resolve("live.crt"), certs.resolve("live.key"), certs.resolve("ca.crt")));
        env.put("AUDITWATCH_LISTENERS_TLS_RELOAD_INTERVAL", "200ms");
        // The intermediate list without one suite every JDK and Netty offer: proves tls.cipher-suites applies.
        env.put("AUDITWATCH_TLS_CIPHER_SUITES", String.join(",", TlsPolicy.INTERMEDIATE.cipherSuites().stream()
                .filter(c -> !c.equals(REMOVED_SUITE)).toList()));
        return env;
    });

    @Test
    void validClientCertificateDecidesTheNode() throws Exception {
        String marker = "mtls-ok-" + System.nanoTime();
        // Docker tcp+tls with rfc5424micro: octet counting, the count includes the trailing LF.
        send("node7", octet("<30>1 2026-11-23T17:00:01.5Z node-7 web 1234 web - " + marker + "\n"));
        JsonNode env = service.events().awaitOne(marker);
        assertEquals("node-7.example.org", env.get("node").asText());
        assertEquals("certificate", env.get("node_source").asText());
        assertEquals("tls", env.at("/source/transport").asText());
        assertEquals("node-7.example.org", env.at("/source/certificate_identity").asText());
        assertFalse(env.has("flags") && env.get("flags").toString().contains("identity_mismatch"));
    }

    @Test
    void commonNameIsTheIdentityWithoutSan() throws Exception {
        String marker = "mtls-cn-" + System.nanoTime();
        send("cnonly", ("<30>Nov 23 17:00:01 web/3f2a9c1d0b7e[1234]: " + marker + "\n").getBytes(UTF_8));
        JsonNode env = service.events().awaitOne(marker);
        assertEquals("node-cn-only", env.get("node").asText());
    }

    @Test
    void hostnameThatDisagreesWithTheCertificateIsKeptAndFlagged() throws Exception {
        String marker = "mtls-mismatch-" + System.nanoTime();
        send("node7", octet("<30>1 2026-11-23T17:00:01Z node-9 web 1234 web - " + marker));
        JsonNode env = service.events().awaitOne(marker);
        assertEquals("node-7.example.org", env.get("node").asText());
        assertTrue(env.get("flags").toString().contains("identity_mismatch"), env.toString());
        double mismatches = service.service().registry().get(IngestMetrics.IDENTITY_MISMATCHES.name())
                .tag("reason", "certificate_differs").counter().count();
        assertTrue(mismatches >= 1);
    }

    @Test
    void clientWithoutCertificateGetsNothingIn() throws Exception {
        assertRejected(null, "mtls-nocert-");
    }

    @Test
    void clientWithCertificateFromAnotherCaGetsNothingIn() throws Exception {
        assertRejected("rogue", "mtls-rogue-");
    }

    @Test
    void opensslClientIsASecondRealSender() throws Exception {
        String marker = "openssl-" + System.nanoTime();
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + service.service().tlsPort(),
                "-cert", pki.file("node7.crt").toString(), "-key", pki.file("node7.key").toString(),
                "-CAfile", pki.file("ca.crt").toString(), "-quiet", "-no_ign_eof", "-verify_return_error")
                .redirectErrorStream(true).start();
        try {
            OutputStream in = p.getOutputStream();
            in.write(("<30>1 2026-11-23T17:00:01Z node-7 openssl - - - " + marker + "\n").getBytes(UTF_8));
            in.flush();
            JsonNode env = service.events().awaitOne(marker);
            assertEquals("node-7.example.org", env.get("node").asText());
            assertEquals("lf", env.get("framing").asText());
            in.close();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void noTls13SessionTicketIsLeftUnreadInAWriteOnlySender() throws Exception {
        // A ticket sent after the handshake sits unread in a sender that only writes, and its close
        // then resets the connection, dropping what this side had not read yet (TlsContextSource).
        String marker = "ticket-" + System.nanoTime();
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + service.service().tlsPort(),
                "-tls1_3", "-msg", "-cert", pki.file("node7.crt").toString(), "-key", pki.file("node7.key").toString(),
                "-CAfile", pki.file("ca.crt").toString(), "-no_ign_eof", "-verify_return_error")
                .redirectErrorStream(true).redirectOutput(service.dir().resolve("s_client-ticket.log").toFile()).start();
        try {
            OutputStream in = p.getOutputStream();
            in.write(("<30>1 2026-11-23T17:00:01Z node-7 openssl - - - " + marker + "\n").getBytes(UTF_8));
            in.flush();
            // The server answers the client's Finished (with a ticket, if any) before it reads the line.
            service.events().awaitOne(marker);
            in.close();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            String out = Files.readString(service.dir().resolve("s_client-ticket.log"));
            assertTrue(out.contains("TLS 1.3, Handshake") && out.contains("ServerHello"), out);
            assertFalse(out.contains("NewSessionTicket"), out);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void renewedServerCertificateAppliesWithoutRestart() throws Exception {
        BigInteger before = serverSerial();
        pki.leaf("renewed", "ca", "auditwatch-renewed", "IP:127.0.0.1");
        Path certs = pki.dir;
        Files.copy(certs.resolve("renewed.key"), certs.resolve("live.key.tmp"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(certs.resolve("renewed.crt"), certs.resolve("live.crt.tmp"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(certs.resolve("live.key.tmp"), certs.resolve("live.key"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        Files.move(certs.resolve("live.crt.tmp"), certs.resolve("live.crt"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        // mtime resolution can hide a change made within the same tick: make it visible.
        Files.setLastModifiedTime(certs.resolve("live.crt"), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        await().atMost(Duration.ofSeconds(30)).until(() -> !serverSerial().equals(before));
        String marker = "after-reload-" + System.nanoTime();
        send("node7", octet("<30>1 2026-11-23T17:00:01Z node-7 web 1 web - " + marker));
        service.events().awaitOne(marker);
    }

    @Test
    void aClientOfferingOnlyCipherSuitesOutsideThePolicyIsRefused() throws Exception {
        // JDK clients enable both by default; Mozilla's intermediate list has neither (CBC with SHA-1, and
        // a key exchange without forward secrecy). Netty's default list lacks them for an EC key too:
        // aSuiteLeftOutOfTheConfiguredCipherSuitesIsRefused proves that the configured list applies.
        SSLContext ctx = pki.clientContext("ca", "node7");
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", service.service().tlsPort())) {
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            s.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_128_GCM_SHA256"});
            assertThrows(SSLHandshakeException.class, s::startHandshake);
        }
    }

    @Test
    void aSuiteLeftOutOfTheConfiguredCipherSuitesIsRefused() throws Exception {
        SSLContext ctx = pki.clientContext("ca", "node7");
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", service.service().tlsPort())) {
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            s.setEnabledCipherSuites(new String[] {REMOVED_SUITE});
            assertThrows(SSLHandshakeException.class, s::startHandshake);
        }
    }

    @Test
    void aTls11ClientIsRefused() throws Exception {
        // SECLEVEL=0: OpenSSL 3 would otherwise refuse TLS 1.1 itself, before the server is asked.
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + service.service().tlsPort(),
                "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0", "-cert", pki.file("node7.crt").toString(),
                "-key", pki.file("node7.key").toString(), "-CAfile", pki.file("ca.crt").toString(), "-brief")
                .redirectErrorStream(true).redirectOutput(service.dir().resolve("s_client-tls11.log").toFile()).start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String out = Files.readString(service.dir().resolve("s_client-tls11.log"));
        assertTrue(p.exitValue() != 0, out);
        assertFalse(out.contains("CONNECTION ESTABLISHED"), out);
    }

    @Test
    void anIntermediateClientNegotiatesTls12AndTls13() throws Exception {
        SSLContext ctx = pki.clientContext("ca", "node7");
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", service.service().tlsPort())) {
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            s.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"});
            s.startHandshake();
            assertEquals("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", s.getSession().getCipherSuite());
        }
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", service.service().tlsPort())) {
            s.setEnabledProtocols(new String[] {"TLSv1.3"});
            s.startHandshake();
            assertEquals("TLSv1.3", s.getSession().getProtocol());
        }
    }

    @Test
    void reloadingANewPairMidTrafficNeverServesAMismatchedPair() throws Exception {
        pki.leaf("midway", "ca", "auditwatch-midway", "IP:127.0.0.1");
        BigInteger before = serverSerial();
        double reloadFailures = reloadFailures();
        AtomicInteger handshakes = new AtomicInteger();
        List<Throwable> failed = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        SSLContext ctx = pki.clientContext("ca", "node7");
        Thread traffic = new Thread(() -> {
            while (!stop.get()) {
                // Full verification: a certificate served with another key fails CertificateVerify.
                try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", service.service().tlsPort())) {
                    s.startHandshake();
                    handshakes.incrementAndGet();
                } catch (IOException e) {
                    failed.add(e);
                }
            }
        }, "mid-traffic-handshakes");
        traffic.start();
        try {
            Path certs = pki.dir;
            // The certificate first, the key later, as a careless renewal script does.
            Files.copy(certs.resolve("midway.crt"), certs.resolve("live.crt"), StandardCopyOption.REPLACE_EXISTING);
            Files.setLastModifiedTime(certs.resolve("live.crt"), FileTime.fromMillis(System.currentTimeMillis() + 5_000));
            await().atMost(Duration.ofSeconds(30)).until(() -> reloadFailures() > reloadFailures);
            int duringMismatch = handshakes.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> handshakes.get() > duringMismatch + 5);
            assertEquals(before, serverSerial(), "the old pair is served while the files disagree");
            Files.copy(certs.resolve("midway.key"), certs.resolve("live.key"), StandardCopyOption.REPLACE_EXISTING);
            Files.setLastModifiedTime(certs.resolve("live.key"), FileTime.fromMillis(System.currentTimeMillis() + 10_000));
            await().atMost(Duration.ofSeconds(30)).until(() -> !serverSerial().equals(before));
            int afterSwap = handshakes.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> handshakes.get() > afterSwap + 5);
        } finally {
            stop.set(true);
            traffic.join(30_000);
        }
        assertEquals(List.of(), failed, "every handshake saw a matching certificate and key");
    }

    private static double reloadFailures() {
        return service.service().registry().find(IngestMetrics.TLS_RELOAD_FAILURES.name()).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    private static BigInteger serverSerial() throws Exception {
        SSLContext ctx = pki.clientContext("ca", "node7");
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", service.service().tlsPort())) {
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    private void assertRejected(String client, String prefix) throws Exception {
        String marker = prefix + System.nanoTime();
        double before = handshakeFailures();
        SSLContext ctx = pki.clientContext("ca", client);
        // TLS 1.3 reports a refused client certificate after the client's handshake completes, on
        // the first read or write; either way the connection must not carry a single event.
        assertThrows(IOException.class, () -> {
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", service.service().tlsPort())) {
                s.setSoTimeout(10_000);
                s.startHandshake();
                OutputStream out = s.getOutputStream();
                for (int i = 0; i < 50; i++) {
                    out.write(octet("<30>1 2026-11-23T17:00:01Z node-7 web 1 web - " + marker + " " + i));
                    out.flush();
                }
                s.getInputStream().read();
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> handshakeFailures() > before);
        // Everything valid sent after this marker lands, so nothing of the rejected client is in flight.
        String after = "after-" + marker;
        send("node7", octet("<30>1 2026-11-23T17:00:01Z node-7 web 1 web - " + after));
        service.events().awaitOne(after);
        for (ConsumerRecord<byte[], byte[]> r : service.events().records()) {
            assertFalse(new String(r.value(), UTF_8).contains(marker + " "), "a rejected client's event reached Kafka");
        }
    }

    private static double handshakeFailures() {
        return service.service().registry().find(IngestMetrics.TLS_HANDSHAKE_FAILURES.name()).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    private static void send(String client, byte[] bytes) throws Exception {
        SSLContext ctx = pki.clientContext("ca", client);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", service.service().tlsPort())) {
            s.startHandshake();
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
        }
    }

    private static byte[] octet(String message) {
        byte[] b = message.getBytes(UTF_8);
        byte[] prefix = (b.length + " ").getBytes(UTF_8);
        byte[] out = new byte[prefix.length + b.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(b, 0, out, prefix.length, b.length);
        return out;
    }

}
