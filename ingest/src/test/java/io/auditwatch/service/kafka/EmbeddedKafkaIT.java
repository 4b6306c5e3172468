package io.auditwatch.service.kafka;

import io.auditwatch.service.BrokerExtension;
import io.auditwatch.service.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded broker is a real broker: clients produce, consume and find their data after a restart. */
class EmbeddedKafkaIT {
    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();

    /** For the brokers a test starts by itself. */
    @TempDir
    Path dataDir;

    @Test
    void portZeroPicksAFreePortAndAdvertisesIt() {
        assertNotEquals(0, broker.kafka().port());
        assertEquals("127.0.0.1:" + broker.kafka().port(), broker.kafka().bootstrapServers());
    }

    @Test
    void storesDataUnderTheGivenDirectory() {
        assertTrue(Files.exists(broker.dataDir().resolve(EmbeddedKafka.META_PROPERTIES)));
    }

    @Test
    void aRealConsumerReadsWhatARealProducerWrote() throws Exception {
        String topic = topic();
        broker.createTopic(topic, 1);
        produce(broker.kafka(), topic, List.of("a", "b", "c"));
        assertEquals(List.of("a", "b", "c"), consume(broker.kafka(), topic, 3));
    }

    @Test
    void restartOnTheSameDirectoryAndPortKeepsTheData() throws Exception {
        String topic = topic();
        broker.createTopic(topic, 1);
        produce(broker.kafka(), topic, List.of("before-restart"));
        int port = broker.kafka().port();
        String clusterId = broker.kafka().clusterId();
        broker.stop(); // closes the EmbeddedKafka; start() makes a new one on the same directory and port
        broker.start();
        produce(broker.kafka(), topic, List.of("after-restart"));
        assertEquals(List.of("before-restart", "after-restart"), consume(broker.kafka(), topic, 2));
        assertEquals(clusterId, broker.kafka().clusterId());
        assertEquals(port, broker.kafka().port());
    }

    @Test
    void closeIsIdempotent() {
        EmbeddedKafka other = EmbeddedKafka.start(dataDir.resolve("other"), "127.0.0.1", 0);
        other.close();
        other.close();
    }

    @Test
    void aPortInUseFailsTheStartWithTheAddressInTheMessage() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> EmbeddedKafka.start(dataDir.resolve("taken"), "127.0.0.1", taken.getLocalPort()));
            assertTrue(e.getMessage().contains("127.0.0.1:" + taken.getLocalPort()), e.getMessage());
        }
    }

    static String topic() {
        return "t-" + UUID.randomUUID();
    }

    static void produce(EmbeddedKafka kafka, String topic, List<String> values) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            for (String v : values) {
                producer.send(new ProducerRecord<>(topic, "k", v)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    static List<String> consume(EmbeddedKafka kafka, String topic, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "g-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            TopicReader.awaitOrGiveUp(Duration.ofSeconds(60), () -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                return values.size() >= expected;
            });
        }
        return values;
    }
}
