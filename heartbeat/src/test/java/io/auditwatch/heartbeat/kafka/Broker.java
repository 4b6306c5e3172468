package io.auditwatch.heartbeat.kafka;

import io.auditwatch.heartbeat.EventHeaders;
import io.auditwatch.heartbeat.Stream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/** A real single-node KRaft broker in-process (Kafka's own test kit), on loopback, data under a temp dir. */
final class Broker implements AutoCloseable {
    private final KafkaClusterTestKit cluster;
    private KafkaProducer<byte[], byte[]> producer;

    Broker(Path dir) throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBaseDirectory(dir)
                .build();
        // Single node: every internal topic at replication 1 or groups hang.
        cluster = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
    }

    String bootstrap() {
        return cluster.bootstrapServers();
    }

    Map<String, Object> clientConfig() {
        return Map.of("bootstrap.servers", bootstrap());
    }

    void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = Admin.create(clientConfig())) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Publishes one record as ingest does: keyed by node, with the headers heartbeat reads (sent a
     * quarter second before {@code receivedMs}) and a value it never reads; returns once acknowledged.
     */
    synchronized void send(String topic, String node, Stream stream, long receivedMs) throws Exception {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap(), "acks", "all"),
                    new ByteArraySerializer(), new ByteArraySerializer());
        }
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, node.getBytes(StandardCharsets.UTF_8),
                "{\"envelope\":\"not read by heartbeat\"}".getBytes(StandardCharsets.UTF_8));
        r.headers().add(EventHeaders.NODE, node.getBytes(StandardCharsets.UTF_8));
        r.headers().add(EventHeaders.STREAM, stream.id().getBytes(StandardCharsets.US_ASCII));
        r.headers().add(EventHeaders.RECEIVED, EventHeaders.encodeMillis(receivedMs));
        r.headers().add(EventHeaders.SENT, EventHeaders.encodeMillis(receivedMs - 250));
        producer.send(r).get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        synchronized (this) {
            if (producer != null) {
                producer.close();
            }
        }
        cluster.close();
    }
}
