package io.auditwatch.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.ingest.envelope.EnvelopeCodec;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.kafka.KafkaContainer;

/**
 * IngestEndToEndIT's round trip against a Kafka broker in a container (Testcontainers,
 * {@link ContainerKafka}) instead of the embedded broker.
 */
class ContainerKafkaEndToEndIT {
    @TempDir
    static Path dataDir;

    static KafkaContainer kafka;
    static TestService service;
    static TopicReader reader;

    @BeforeAll
    static void start() {
        kafka = ContainerKafka.start();
        service = TestService.start(dataDir, Map.of("AUDITWATCH_KAFKA_BOOTSTRAP_SERVERS", kafka.getBootstrapServers()));
        reader = new TopicReader(kafka.getBootstrapServers(), "audit.events");
    }

    @AfterAll
    static void stop() {
        if (reader != null) {
            reader.close();
        }
        if (service != null) {
            service.close();
        }
        if (kafka != null) {
            kafka.stop();
        }
    }

    @Test
    void tcpAndUdpMessagesLandByteForByte() throws Exception {
        String marker = "container-" + System.nanoTime();
        String tcp = "<30>1 2026-11-23T17:00:01.5Z tc-node web 1 web - tcp " + marker;
        String udp = "<30>Nov 23 17:00:01 web/3f2a9c1d0b7e[1234]: udp " + marker;
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), service.tcpPort())) {
            byte[] b = tcp.getBytes(UTF_8);
            s.getOutputStream().write((b.length + " " + tcp).getBytes(UTF_8));
        }
        try (DatagramSocket d = new DatagramSocket()) {
            byte[] b = (udp + "\n").getBytes(UTF_8);
            d.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), service.udpPort()));
        }
        for (JsonNode env : reader.awaitEnvelopes(marker, 2)) {
            String raw = new String(EnvelopeCodec.raw(env), UTF_8);
            assertEquals(env.at("/source/transport").asText().equals("tcp") ? tcp : udp, raw);
        }
    }
}
