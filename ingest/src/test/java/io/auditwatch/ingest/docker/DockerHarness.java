package io.auditwatch.ingest.docker;

import io.auditwatch.ingest.pipeline.IngestMetrics;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.service.TestService;
import io.auditwatch.service.TopicReader;
import io.auditwatch.ingest.docker.DriverCase.Transport;
import io.auditwatch.ingest.envelope.EnvelopeCodec;
import io.auditwatch.ingest.transport.TestPki;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a Docker driver test needs, started in order and stopped in reverse: the private engine
 * ({@link DockerEngine}, first, so a machine that cannot run it skips before Kafka starts), a PKI
 * (CA, auditwatch's server certificate for 127.0.0.1, a client certificate for the Docker host and
 * one from a rogue CA), auditwatch with UDP, TCP and mutual-TLS listeners, and a reader of
 * {@code audit.events}.
 */
final class DockerHarness implements AutoCloseable {
    /** Everything is on loopback; 60 s covers a loaded CI machine. */
    static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(60);
    /** The Docker host's client certificate, signed by the CA auditwatch trusts. */
    static final String CLIENT = "dockerhost";
    /** A client certificate with the same identity from a CA auditwatch does not trust. */
    static final String ROGUE_CLIENT = "rogue";

    final DockerEngine docker;
    final TestPki pki;
    final TestService service;
    final TopicReader reader;
    /** Go's os.Hostname(), which Docker writes as HOSTNAME: the kernel's host name. */
    final String hostname;
    /** The client certificate's SAN DNS name, which mTLS makes the node. */
    final String certificateIdentity;

    private DockerHarness(DockerEngine docker, TestPki pki, TestService service, TopicReader reader, String hostname,
            String certificateIdentity) {
        this.docker = docker;
        this.pki = pki;
        this.service = service;
        this.reader = reader;
        this.hostname = hostname;
        this.certificateIdentity = certificateIdentity;
    }

    static DockerHarness start(Path dir) throws Exception {
        DockerEngine docker = DockerEngine.start(Files.createDirectories(dir.resolve("e")));
        TestService service = null;
        try {
            String hostname = Files.readString(Path.of("/proc/sys/kernel/hostname"), UTF_8).strip();
            // Differs from the HOSTNAME (so the node visibly comes from the certificate) but agrees on
            // the first label, as an FQDN certificate for a host with a short host name does.
            String identity = hostname.contains(".") ? hostname : hostname + ".docker-it.example";
            TestPki pki = new TestPki(Files.createDirectories(dir.resolve("pki")));
            pki.ca("ca");
            pki.leaf("server", "ca", "auditwatch", "IP:127.0.0.1");
            pki.leaf(CLIENT, "ca", "dockerhost-cn", "DNS:" + identity);
            pki.ca("rogue-ca");
            pki.leaf(ROGUE_CLIENT, "rogue-ca", "dockerhost-cn", "DNS:" + identity);
            service = TestService.start(dir.resolve("data"), TestService.tlsListener(TestService.freeTcpPort(),
                    pki.file("server.crt"), pki.file("server.key"), pki.file("ca.crt")));
            TopicReader reader = new TopicReader(service.bootstrapServers(), "audit.events");
            return new DockerHarness(docker, pki, service, reader, hostname, identity);
        } catch (Exception | Error e) {
            if (service != null) {
                service.close();
            }
            docker.close();
            throw e;
        }
    }

    /**
     * {@code docker run --rm --network none} with the syslog driver pointed at auditwatch's
     * {@code transport} listener; the CLI's output, or an IOException when the run failed.
     */
    String runContainer(Transport transport, List<String> options, String script) throws IOException {
        List<String> args = new ArrayList<>(List.of("run", "--rm", "--network", "none", "--log-driver", "syslog",
                "--log-opt", "syslog-address=" + transport.scheme + "://127.0.0.1:" + port(transport)));
        args.addAll(options);
        args.addAll(List.of(DockerEngine.IMAGE, "/bin/sh", "-c", script));
        return docker.docker(args.toArray(String[]::new));
    }

    /**
     * The {@code syslog-tls-*} options with auditwatch's CA and {@code client}'s certificate (none
     * when null). Never {@code syslog-tls-skip-verify}: any value of it, even "false", turns
     * verification off.
     */
    List<String> tlsOptions(String client) {
        return tlsOptions("ca", client);
    }

    List<String> tlsOptions(String ca, String client) {
        List<String> options = new ArrayList<>(List.of("--log-opt", "syslog-tls-ca-cert=" + pki.file(ca + ".crt")));
        if (client != null) {
            options.addAll(List.of("--log-opt", "syslog-tls-cert=" + pki.file(client + ".crt"),
                    "--log-opt", "syslog-tls-key=" + pki.file(client + ".key")));
        }
        return options;
    }

    int port(Transport t) {
        return switch (t) {
            case UDP -> service.udpPort();
            case TCP -> service.tcpPort();
            case TLS -> service.service().tlsPort();
        };
    }

    double handshakeFailures() {
        return service.service().registry().find(IngestMetrics.TLS_HANDSHAKE_FAILURES.name()).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    /** Waits for the one event whose message is exactly {@code message}. */
    JsonNode awaitMessage(String message) {
        AtomicReference<JsonNode> found = new AtomicReference<>();
        await().atMost(DELIVERY_TIMEOUT).until(() -> {
            for (ConsumerRecord<byte[], byte[]> r : reader.poll()) {
                if (new String(r.value(), UTF_8).contains(message)) {
                    JsonNode e = EnvelopeCodec.read(r.value());
                    if (message.equals(EnvelopeCodec.message(e))) {
                        found.set(e);
                    }
                }
            }
            return found.get() != null;
        });
        return found.get();
    }

    /** Stops the reader, auditwatch, then the engine; fails when a process of the engine is left. */
    @Override
    public void close() {
        try {
            reader.close();
            service.close();
        } finally {
            docker.close(); // throws when a process of the engine survived kill -9
            assertEquals(List.of(), docker.processes(), "processes of the engine left after close");
        }
    }
}
