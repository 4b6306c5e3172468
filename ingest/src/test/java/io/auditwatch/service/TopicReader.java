package io.auditwatch.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.ingest.envelope.EnvelopeCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assertions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** A real Kafka consumer reading a topic from the beginning, for end-to-end assertions. */
public final class TopicReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();

    public TopicReader(String bootstrapServers, String topic) {
        Properties p = new Properties();
        p.putAll(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000"));
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
    }

    /** Polls once and returns everything read so far. */
    public List<ConsumerRecord<byte[], byte[]>> poll() {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            records.add(r);
        }
        return records;
    }

    public List<ConsumerRecord<byte[], byte[]>> records() {
        return records;
    }

    /** Reads until exactly {@code count} records contain {@code marker}; returns them as envelopes. */
    public List<JsonNode> awaitEnvelopes(String marker, int count) {
        byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
        List<JsonNode> found = new ArrayList<>();
        Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> {
            found.clear();
            for (ConsumerRecord<byte[], byte[]> r : poll()) {
                if (indexOf(r.value(), needle) >= 0) {
                    found.add(EnvelopeCodec.read(r.value()));
                }
            }
            return found.size() >= count;
        });
        Assertions.assertEquals(count, found.size(), "records carrying " + marker);
        return found;
    }

    /** The one envelope whose record contains {@code marker}. */
    public JsonNode awaitOne(String marker) {
        return awaitEnvelopes(marker, 1).get(0);
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
