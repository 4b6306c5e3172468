package io.auditwatch.ingest.kafka;


import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How {@link EventPublisher} and {@link TopicCreator} reach and use Kafka. A plain value: the
 * defaults of the {@code kafka.*} keys live in the service's configuration table, not here.
 *
 * @param bootstrapServers {@code host:port[,host:port...]} of the cluster (the embedded broker's
 *     address when none is configured)
 * @param topic the events topic
 * @param partitions partitions when {@link TopicCreator} creates the topic; ignored if it exists
 * @param replicationFactor replication factor when the topic is created; 1 for the embedded broker,
 *     3 for a production cluster
 * @param queueBytes bound, in bytes, of events accepted but not yet acknowledged by Kafka (queued
 *     plus in flight, see {@link OutboundEvent#sizeInBytes()}); {@link EventPublisher#offer} returns
 *     false beyond it
 * @param maxBlock how long the publisher thread may wait in {@code KafkaProducer.send} for metadata
 *     ({@code max.block.ms}); listeners never wait
 * @param closeDeadline how long {@link EventPublisher#close()} may take to deliver what is left
 * @param producerOverrides Kafka client properties applied last (security settings, tuning); those
 *     that are common client settings ({@code security.protocol}, {@code ssl.*}, {@code sasl.*}) also
 *     reach the Admin client of the topic check and the health probe. Null means none.
 * @param healthCheckInterval period of the reachability probe behind {@link EventPublisher#health()}
 * @param deadLetterTopic where a record the events topic refuses for good goes, with its reason
 *     (ingest/README.md, "Dead letters")
 * @param maxValueBytes the longest record value (envelope) ingest can produce; the producer's
 *     {@code max.request.size} and the topic's {@code max.message.bytes} are this plus
 *     {@link ClientConfigs#RECORD_FRAMING_BYTES}
 */
public record PublisherSettings(
        String bootstrapServers,
        String topic,
        int partitions,
        short replicationFactor,
        long queueBytes,
        Duration maxBlock,
        Duration closeDeadline,
        Map<String, String> producerOverrides,
        Duration healthCheckInterval,
        String deadLetterTopic,
        long maxValueBytes) {

    /**
     * Kafka's own default {@code max.request.size} less the record framing: what a caller that does
     * not know its largest envelope gets.
     */
    public static final long DEFAULT_MAX_VALUE_BYTES = 1024 * 1024 - ClientConfigs.RECORD_FRAMING_BYTES;

    /** Settings with the dead-letter topic {@code <topic>.dlq} and {@link #DEFAULT_MAX_VALUE_BYTES}. */
    public PublisherSettings(String bootstrapServers, String topic, int partitions, short replicationFactor,
            long queueBytes, Duration maxBlock, Duration closeDeadline, Map<String, String> producerOverrides,
            Duration healthCheckInterval) {
        this(bootstrapServers, topic, partitions, replicationFactor, queueBytes, maxBlock, closeDeadline,
                producerOverrides, healthCheckInterval, topic + ".dlq", DEFAULT_MAX_VALUE_BYTES);
    }

    public PublisherSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        if (bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers is empty");
        }
        Objects.requireNonNull(topic, "topic");
        if (topic.isBlank()) {
            throw new IllegalArgumentException("topic is empty");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replicationFactor must be at least 1: " + replicationFactor);
        }
        if (queueBytes < 64 * 1024) {
            throw new IllegalArgumentException("queueBytes must be at least 64 KiB (one maximum-size syslog message): " + queueBytes);
        }
        requirePositive(maxBlock, "maxBlock");
        requirePositive(closeDeadline, "closeDeadline");
        requirePositive(healthCheckInterval, "healthCheckInterval");
        producerOverrides = producerOverrides == null ? Map.of() : Map.copyOf(producerOverrides);
        Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
        if (deadLetterTopic.isBlank() || deadLetterTopic.equals(topic)) {
            throw new IllegalArgumentException("deadLetterTopic must be a topic other than " + topic + ": " + deadLetterTopic);
        }
        if (maxValueBytes < 1) {
            throw new IllegalArgumentException("maxValueBytes must be positive: " + maxValueBytes);
        }
    }

    /** The largest record, value plus key, headers and Kafka's framing: {@code max.request.size}. */
    public long maxRecordBytes() {
        return maxValueBytes + ClientConfigs.RECORD_FRAMING_BYTES;
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
