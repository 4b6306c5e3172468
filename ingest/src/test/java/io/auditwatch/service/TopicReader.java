package io.auditwatch.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.ingest.envelope.EnvelopeCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Assertions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
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

    /**
     * Polls until {@code quiet} passed without a new record (checked throughout, not once at the end),
     * at most {@code atMost}: what arrives with or just after the last awaited record (duplicates,
     * stragglers) is read too. Returns everything read so far, also when records kept coming.
     */
    public List<ConsumerRecord<byte[], byte[]>> pollUntilQuiet(Duration quiet, Duration atMost) {
        try {
            Awaitility.await().during(quiet).atMost(atMost).pollInSameThread().pollInterval(Duration.ZERO)
                    .until(() -> {
                        int before = records.size();
                        return poll().size() == before;
                    });
        } catch (ConditionTimeoutException e) {
            // Still arriving after atMost: the caller's assertions say what that means.
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
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInSameThread().until(() -> {
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

    /**
     * Every record of every partition of {@code topic} from the beginning, once {@code expected}
     * arrived and two more polls brought nothing (so that too many records are seen, not hidden);
     * what arrived so far when 60 s pass first, for the caller's assertion to count.
     */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrapServers, String topic, int expected) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            AtomicInteger quietPolls = new AtomicInteger();
            awaitOrGiveUp(Duration.ofSeconds(60), () -> {
                var batch = consumer.poll(Duration.ofMillis(250));
                batch.forEach(records::add);
                if (records.size() >= expected && batch.isEmpty()) {
                    quietPolls.incrementAndGet();
                }
                return quietPolls.get() >= 2;
            });
        }
        return records;
    }

    /**
     * Evaluates {@code condition} on this thread (a Kafka consumer is not thread-safe) with no pause
     * between evaluations (each one polls, which waits by itself) until it holds or {@code atMost}
     * passed. A timeout is not an error here: the caller asserts on what was read and says what is missing.
     */
    public static void awaitOrGiveUp(Duration atMost, Callable<Boolean> condition) {
        try {
            Awaitility.await().atMost(atMost).pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ZERO)
                    .until(condition);
        } catch (ConditionTimeoutException e) {
            // The caller's assertions report what is missing, more precisely than a timeout would.
        }
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
