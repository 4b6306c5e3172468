package io.auditwatch.ingest.docker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.ingest.docker.DriverCase.Transport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Trust on Docker's {@code tcp+tls} with the real engine: a Docker host without a client
 * certificate auditwatch trusts gets no line into Kafka, and {@code syslog-tls-skip-verify=false}
 * really does turn off the verification of auditwatch's certificate (moby's {@code parseTLSConfig}
 * checks only that the key is present).
 */
class DockerTlsTrustIT {
    @TempDir
    static Path dir;

    static DockerHarness h;
    static String runId;

    @BeforeAll
    static void start() throws Exception {
        h = DockerHarness.start(dir);
        runId = Long.toString(System.nanoTime(), 36);
    }

    @AfterAll
    static void stop() {
        if (h != null) {
            h.close();
        }
    }

    @ParameterizedTest(name = "client certificate: {0}")
    @ValueSource(strings = {"none", DockerHarness.ROGUE_CLIENT})
    void dockerWithoutATrustedClientCertificateGetsNothingIn(String client) throws Exception {
        String refused = "out aw-refused-" + client + "-" + runId;
        double before = h.handshakeFailures();
        // TLS 1.3: Docker's handshake completes before auditwatch refuses the certificate, so the
        // container starts and its line is lost (what a misconfigured host looks like: it runs,
        // and only auditwatch_tls_handshake_failures_total and the node's silence tell).
        String output = h.runContainer(Transport.TLS, h.tlsOptions(client.equals("none") ? null : client),
                "echo '" + refused + "'");
        assertEquals(refused, output.strip(), "the container ran");
        await().atMost(DockerHarness.DELIVERY_TIMEOUT).until(() -> h.handshakeFailures() > before);
        // A trusted host's line sent afterwards lands, so nothing of the refused one is in flight.
        String after = "out aw-after-" + client + "-" + runId;
        h.runContainer(Transport.TLS, h.tlsOptions(DockerHarness.CLIENT), "echo '" + after + "'");
        h.awaitMessage(after);
        for (ConsumerRecord<byte[], byte[]> r : h.reader.records()) {
            assertFalse(new String(r.value(), UTF_8).contains(refused), "a refused host's line reached Kafka");
        }
    }

    @Test
    void untrustedServerCertificateKeepsTheContainerFromStarting() {
        // Control for the trap below: the CA given does not sign auditwatch's certificate.
        IOException e = assertThrows(IOException.class, () -> h.runContainer(Transport.TLS,
                h.tlsOptions("rogue-ca", DockerHarness.CLIENT), "echo 'out aw-never-" + runId + "'"));
        assertTrue(e.getMessage().contains("x509"), e.getMessage());
    }

    @Test
    void skipVerifyFalseStillTurnsVerificationOff() throws Exception {
        String line = "out aw-skip-verify-false-" + runId;
        List<String> options = new ArrayList<>(h.tlsOptions("rogue-ca", DockerHarness.CLIENT));
        options.addAll(List.of("--log-opt", "syslog-tls-skip-verify=false"));
        h.runContainer(Transport.TLS, options, "echo '" + line + "'");
        JsonNode e = h.awaitMessage(line);
        // It landed although the CA Docker was given did not sign auditwatch's certificate.
        assertEquals(h.certificateIdentity, e.get("node").asText());
    }
}
