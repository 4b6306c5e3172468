package io.auditwatch.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.auditwatch.ingest.docker.DockerEngine;
import io.auditwatch.ingest.docker.LocalImages;
import io.auditwatch.ingest.envelope.EnvelopeCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A network partition between auditwatch and Kafka: the auditwatch image and a broker on a
 * Testcontainers network of their own, the senders reaching auditwatch through a second network.
 * Under load, auditwatch is disconnected from the brokers' network, so its senders still reach it
 * while it cannot reach Kafka, then reconnected: every event arrives, in order.
 */
class KafkaPartitionIT {
    static final int EVENTS_PER_STEP = 150;
    /** Unacknowledged records that show the partition stalled delivery: six seconds of the load. */
    static final int STALLED_RECORDS = 300;
    static final Duration STEP_TIMEOUT = Duration.ofSeconds(120);
    /** The producer notices dead connections after its request timeout (30 s), then reconnects. */
    static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(180);
    static final String NODE = "partition-node";

    static Network kafkaNet;
    static Network senderNet;
    static KafkaContainer kafka;
    static GenericContainer<?> auditwatch;
    /** auditwatch's address on the senders' network. */
    static String address;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws IOException {
        LocalImages.engine();
        String image = LocalImages.auditwatchImage();
        kafkaNet = Network.newNetwork();
        senderNet = Network.newNetwork();
        kafka = new KafkaContainer(LocalImages.kafkaImage()).withNetwork(kafkaNet).withListener("kafka:19092");
        kafka.start();
        auditwatch = new GenericContainer<>(DockerImageName.parse(image)).withNetwork(kafkaNet)
                .withEnv("AUDITWATCH_KAFKA_BOOTSTRAP_SERVERS", "kafka:19092")
                // The image keeps the admin API on loopback; this private test network reads it without
                // credentials, which the service allows only when told so explicitly.
                .withEnv("AUDITWATCH_ADMIN_HOST", "0.0.0.0")
                .withEnv("AUDITWATCH_ADMIN_ALLOW_UNAUTHENTICATED", "true")
                .withExposedPorts(9464)
                // Not /ready through the published port: its Host (the engine's gateway) is no name of the
                // service, which refuses it (admin.allowed-hosts); /ready is awaited on the container's address below.
                .waitingFor(Wait.forListeningPort().withStartupTimeout(Duration.ofMinutes(3)));
        auditwatch.start();
        // The senders' network: the host reaches auditwatch on its address there (the host is that
        // bridge's gateway), which stays when auditwatch leaves the brokers' network.
        network("connect", senderNet);
        address = LocalImages.engine().docker("inspect", "--format",
                        "{{range .NetworkSettings.Networks}}{{.NetworkID}} {{.IPAddress}}\n{{end}}", auditwatch.getContainerId())
                .lines().filter(l -> l.startsWith(senderNet.getId())).map(l -> l.split(" ")[1]).findFirst().orElseThrow();
        await().atMost(STEP_TIMEOUT).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> get("/ready").statusCode() == 200);
    }

    @AfterAll
    static void stop() {
        if (auditwatch != null) {
            auditwatch.stop();
        }
        if (kafka != null) {
            kafka.stop();
        }
        for (Network n : new Network[] {kafkaNet, senderNet}) {
            if (n != null) {
                n.close();
            }
        }
    }

    @Test
    void aPartitionFromKafkaUnderLoadLosesNothingAndKeepsOrder() throws Exception {
        String run = "partition-" + System.nanoTime();
        PacedSender sender = new PacedSender(address, 5514, NODE, run);
        try (sender) {
            sender.awaitMoreSent(EVENTS_PER_STEP, STEP_TIMEOUT);
            network("disconnect", kafkaNet);
            await().atMost(STEP_TIMEOUT).until(() -> inflight() >= STALLED_RECORDS);
            sender.awaitMoreSent(EVENTS_PER_STEP, STEP_TIMEOUT);
            network("connect", kafkaNet);
            sender.awaitMoreSent(EVENTS_PER_STEP, STEP_TIMEOUT);
        }
        int sent = sender.sent();

        List<Integer> received = new ArrayList<>();
        try (TopicReader reader = new TopicReader(kafka.getBootstrapServers(), "audit.events")) {
            await().atMost(DELIVERY_TIMEOUT).until(() -> {
                received.clear();
                for (ConsumerRecord<byte[], byte[]> r : reader.poll()) {
                    if (new String(r.value(), UTF_8).contains(run)) {
                        received.add(PacedSender.sequence(EnvelopeCodec.read(r.value())));
                    }
                }
                return received.size() >= sent;
            });
        }
        System.out.printf("%d events through a partition between auditwatch and Kafka, all in Kafka%n", sent);
        assertEquals(IntStream.range(0, sent).boxed().toList(), received, "every event, in order, once");
    }

    /** {@code docker network connect|disconnect} of the auditwatch container. */
    private static void network(String action, Network network) throws IOException {
        DockerEngine docker = LocalImages.engine();
        docker.docker("network", action, network.getId(), auditwatch.getContainerId());
    }

    private static double inflight() throws IOException, InterruptedException {
        return get("/metrics").body().lines().filter(l -> l.startsWith("auditwatch_kafka_inflight_records"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        URI uri = URI.create("http://" + address + ":9464" + path);
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
