package io.auditwatch.ingest.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.ingest.docker.DockerCaptures;
import io.auditwatch.ingest.fluentd.ForwardCodec;
import io.auditwatch.ingest.fluentd.ForwardLimits;
import io.auditwatch.service.TestService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fluentd listener with {@code listeners.fluentd.tls: true} and the TLS listener's
 * certificates with {@code client-auth: required}, in the whole service (spool, embedded Kafka):
 * a Forward client with a client certificate gets its ack once the event is stored, and the node
 * is the certificate's identity; a client without one is refused. (Docker 20.10's fluentd driver
 * cannot use TLS; Fluent Bit and Fluentd forwarders can.)
 */
class FluentdTlsIT {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestService service;
    static int fluentdPort;

    @BeforeAll
    static void start() throws Exception {
        Path certs = Files.createDirectories(dir.resolve("pki"));
        pki = new TestPki(certs);
        pki.ca("ca");
        pki.leaf("server", "ca", "auditwatch", "IP:127.0.0.1,DNS:localhost");
        pki.leaf("node7", "ca", "node-7-cn", "DNS:node-7.example.org");
        fluentdPort = TestService.freeTcpPort();
        Map<String, String> env = new HashMap<>(TestService.tlsListener(TestService.freeTcpPort(),
                certs.resolve("server.crt"), certs.resolve("server.key"), certs.resolve("ca.crt")));
        env.put("AUDITWATCH_LISTENERS_FLUENTD_ENABLED", "true");
        env.put("AUDITWATCH_LISTENERS_FLUENTD_HOST", "127.0.0.1");
        env.put("AUDITWATCH_LISTENERS_FLUENTD_PORT", Integer.toString(fluentdPort));
        env.put("AUDITWATCH_LISTENERS_FLUENTD_TLS", "true");
        service = TestService.start(dir.resolve("data"), env);
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void aClientWithACertificateIsAcknowledgedOnceStoredAndIdentifiedByIt() throws Exception {
        byte[] request = DockerCaptures.forwardRequests("fluentd-request-ack.bin").get(0);
        String chunk = ForwardCodec.decode(request, ForwardLimits.DEFAULTS).chunk();
        SSLContext ctx = pki.clientContext("ca", "node7");
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", fluentdPort)) {
            s.setSoTimeout(60_000);
            s.startHandshake();
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            byte[] ack = ForwardCodec.ack(chunk);
            assertArrayEquals(ack, s.getInputStream().readNBytes(ack.length));
        }
        JsonNode e = service.events().awaitOne(chunk);
        assertEquals("tls", e.at("/source/transport").asText());
        assertEquals("fluentd", e.at("/source/listener").asText());
        assertEquals("node-7.example.org", e.get("node").asText());
        assertEquals("certificate", e.get("node_source").asText());
    }

    @Test
    void aClientWithoutACertificateIsRefused() throws Exception {
        SSLContext ctx = pki.clientContext("ca", null);
        assertThrows(IOException.class, () -> {
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", fluentdPort)) {
                s.setSoTimeout(10_000);
                s.startHandshake();
                s.getOutputStream().write(DockerCaptures.forwardRequests("fluentd-request-ack.bin").get(0));
                s.getOutputStream().flush();
                if (s.getInputStream().read() < 0) {
                    throw new IOException("closed without an ack");
                }
            }
        });
    }
}
