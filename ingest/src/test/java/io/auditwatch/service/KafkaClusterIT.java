package io.auditwatch.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import io.auditwatch.ingest.docker.DockerEngine;
import io.auditwatch.ingest.docker.LocalImages;
import io.auditwatch.ingest.envelope.EnvelopeCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.lifecycle.Startables;

/**
 * auditwatch against three Kafka brokers (KRaft, each broker and controller) in containers on a
 * Testcontainers network: replication factor 3, {@code min.insync.replicas=2}, the publisher's
 * {@code acks=all}. Under load from three nodes one broker is killed and then another paused
 * ({@code docker pause}: the process stops without closing a connection, like a host that hangs),
 * leaving one broker and no controller quorum until it is unpaused. Every event arrives, in order
 * per node.
 */
class KafkaClusterIT {
    static final int BROKERS = 3;
    static final int NODES = 3;
    /** Events each node sends between two steps of the fault sequence. */
    static final int EVENTS_PER_STEP = 150;
    /** Unacknowledged records that show a fault stalled delivery: two seconds of the load. */
    static final int STALLED_RECORDS = 300;
    /** A broker's session times out after 9 s and partitions move; a few times that on a loaded machine. */
    static final Duration STEP_TIMEOUT = Duration.ofSeconds(120);
    static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(180);
    static final String CLUSTER_ID = "q1Sh-9_ISia_zwGINzRvyQ";

    @TempDir
    static Path dataDir;

    static Network network;
    static final List<GenericContainer<?>> brokers = new ArrayList<>();
    static String bootstrap;
    static TestService service;

    @BeforeAll
    static void start() throws java.io.IOException {
        DockerEngine docker = LocalImages.engine();
        network = Network.newNetwork();
        String voters = String.join(",", IntStream.rangeClosed(1, BROKERS).mapToObj(i -> i + "@kafka-" + i + ":9094").toList());
        List<String> addresses = new ArrayList<>();
        for (int i = 1; i <= BROKERS; i++) {
            // A fixed host port, chosen free now: the broker must advertise the address the host
            // reaches it on before it starts.
            int port = LocalImages.freePublishPort();
            addresses.add("127.0.0.1:" + port);
            GenericContainer<?> broker = new GenericContainer<>(LocalImages.kafkaImage())
                    .withNetwork(network).withNetworkAliases("kafka-" + i)
                    .withEnv(Map.ofEntries(
                            Map.entry("CLUSTER_ID", CLUSTER_ID),
                            Map.entry("KAFKA_NODE_ID", Integer.toString(i)),
                            Map.entry("KAFKA_PROCESS_ROLES", "broker,controller"),
                            Map.entry("KAFKA_LISTENERS", "PLAINTEXT://:9092,BROKER://:9093,CONTROLLER://:9094"),
                            Map.entry("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://127.0.0.1:" + port + ",BROKER://kafka-" + i + ":9093"),
                            Map.entry("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "PLAINTEXT:PLAINTEXT,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT"),
                            Map.entry("KAFKA_INTER_BROKER_LISTENER_NAME", "BROKER"),
                            Map.entry("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER"),
                            Map.entry("KAFKA_CONTROLLER_QUORUM_VOTERS", voters),
                            Map.entry("KAFKA_DEFAULT_REPLICATION_FACTOR", "3"),
                            Map.entry("KAFKA_MIN_INSYNC_REPLICAS", "2"),
                            Map.entry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "3"),
                            Map.entry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "3"),
                            Map.entry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "2"),
                            Map.entry("KAFKA_HEAP_OPTS", "-Xmx384m -Xms128m")))
                    .withExposedPorts(9092)
                    .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withPortBindings(
                            new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", port), ExposedPort.tcp(9092))))
                    .waitingFor(Wait.forLogMessage(".*Transitioning from RECOVERY to RUNNING.*", 1)
                            .withStartupTimeout(Duration.ofMinutes(3)));
            brokers.add(broker);
        }
        // Each waits for a controller quorum: start them together.
        Startables.deepStart(brokers).join();
        bootstrap = String.join(",", addresses);
        service = TestService.start(dataDir, Map.of(
                "AUDITWATCH_KAFKA_BOOTSTRAP_SERVERS", bootstrap,
                "AUDITWATCH_KAFKA_REPLICATION_FACTOR", "3"));
        System.out.println("three brokers at " + bootstrap + " on engine " + docker.host());
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        brokers.forEach(GenericContainer::stop);
        if (network != null) {
            network.close();
        }
    }

    @Test
    void oneBrokerKilledAndAnotherPausedUnderLoadLosesNothingAndKeepsOrderPerNode() throws Exception {
        assertTopicIsReplicatedWithMinInsyncTwo();
        DockerEngine docker = LocalImages.engine();
        String run = "cluster-" + System.nanoTime();
        List<PacedSender> senders = new ArrayList<>();
        for (int n = 0; n < NODES; n++) {
            senders.add(new PacedSender("127.0.0.1", service.tcpPort(), "cluster-node-" + n, run));
        }
        GenericContainer<?> killed = brokers.get(1);
        GenericContainer<?> paused = brokers.get(2);
        try {
            awaitMoreSent(senders);
            docker.docker("kill", killed.getContainerId());
            awaitStalled();
            awaitMoreSent(senders);
            docker.docker("pause", paused.getContainerId());
            // acks=all waits for the paused follower (until the leader drops it from the ISR, and
            // then min.insync.replicas=2 refuses): records wait unacknowledged meanwhile.
            awaitStalled();
            awaitMoreSent(senders);
            docker.docker("unpause", paused.getContainerId());
            awaitMoreSent(senders);
        } finally {
            senders.forEach(PacedSender::close);
        }

        int total = senders.stream().mapToInt(PacedSender::sent).sum();
        Map<String, List<Integer>> received = new TreeMap<>();
        try (TopicReader reader = new TopicReader(bootstrap, "audit.events")) {
            await().atMost(DELIVERY_TIMEOUT).until(() -> {
                received.clear();
                for (ConsumerRecord<byte[], byte[]> r : reader.poll()) {
                    if (new String(r.value(), UTF_8).contains(run)) {
                        JsonNode e = EnvelopeCodec.read(r.value());
                        received.computeIfAbsent(e.at("/syslog/hostname").asText(), k -> new ArrayList<>())
                                .add(PacedSender.sequence(e));
                    }
                }
                return received.values().stream().mapToInt(List::size).sum() >= total;
            });
        }
        System.out.printf("%d events from %d nodes through a broker kill and a pause, all in Kafka%n", total, NODES);
        for (int n = 0; n < NODES; n++) {
            List<Integer> expected = IntStream.range(0, senders.get(n).sent()).boxed().toList();
            assertEquals(expected, received.get("cluster-node-" + n), "cluster-node-" + n + ": every event, in order, once");
        }
    }

    private static void assertTopicIsReplicatedWithMinInsyncTwo() throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            TopicDescription topic = admin.describeTopics(List.of("audit.events")).allTopicNames().get().get("audit.events");
            topic.partitions().forEach(partition -> assertEquals(BROKERS, partition.replicas().size(), partition.toString()));
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "audit.events");
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertEquals("2", config.get("min.insync.replicas").value());
        }
    }

    /** Waits until the fault shows: at least {@link #STALLED_RECORDS} records sent to Kafka and not yet acknowledged. */
    private static void awaitStalled() {
        await().atMost(STEP_TIMEOUT).until(() -> service.service().registry().find("auditwatch.kafka.inflight.records")
                .gauges().stream().mapToDouble(g -> g.value()).sum() >= STALLED_RECORDS);
    }

    /** Waits until each node sent {@link #EVENTS_PER_STEP} more events. */
    private static void awaitMoreSent(List<PacedSender> senders) {
        senders.forEach(s -> s.awaitMoreSent(EVENTS_PER_STEP, STEP_TIMEOUT));
    }
}
