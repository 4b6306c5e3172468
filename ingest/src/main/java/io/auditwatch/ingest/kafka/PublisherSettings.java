package io.auditwatch.ingest.kafka;


import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How {@link EventPublisher} and {@link TopicCreator} reach and use Kafka.
 *
 * @param bootstrapServers {@code host:port[,host:port...]} of the cluster (the embedded broker's
 *     address when none is configured)
 * @param topic the events topic, {@code audit.events} by default
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
        Duration healthCheckInterval) {

    public static final String DEFAULT_TOPIC = "audit.events";

    /** Six partitions let six heartbeat replicas share the nodes; a topic can grow later, never shrink. */
    public static final int DEFAULT_PARTITIONS = 6;

    /**
     * 32 MiB: about 130,000 events of 250 bytes, a few seconds of a busy estate's traffic, enough to
     * ride out a partition leader election (seconds) without pausing senders.
     */
    public static final long DEFAULT_QUEUE_BYTES = 32L * 1024 * 1024;

    /** Kafka's own {@code max.block.ms} default; only the publisher thread ever waits this long. */
    public static final Duration DEFAULT_MAX_BLOCK = Duration.ofSeconds(60);

    /** Leaves room inside {@code docker stop}'s default 10 s grace period before SIGKILL. */
    public static final Duration DEFAULT_CLOSE_DEADLINE = Duration.ofSeconds(8);

    /** Often enough that {@code /health} and the pipeline alert follow an outage within seconds. */
    public static final Duration DEFAULT_HEALTH_CHECK_INTERVAL = Duration.ofSeconds(10);

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
    }

    /** All settings but the health probe's period, which takes its default. */
    public PublisherSettings(String bootstrapServers, String topic, int partitions, short replicationFactor,
                             long queueBytes, Duration maxBlock, Duration closeDeadline,
                             Map<String, String> producerOverrides) {
        this(bootstrapServers, topic, partitions, replicationFactor, queueBytes, maxBlock, closeDeadline,
                producerOverrides, DEFAULT_HEALTH_CHECK_INTERVAL);
    }

    /** The defaults above for the given cluster and topic, replication factor 1 (embedded broker). */
    public static PublisherSettings defaults(String bootstrapServers, String topic) {
        return new PublisherSettings(bootstrapServers, topic, DEFAULT_PARTITIONS, (short) 1, DEFAULT_QUEUE_BYTES,
                DEFAULT_MAX_BLOCK, DEFAULT_CLOSE_DEADLINE, Map.of(), DEFAULT_HEALTH_CHECK_INTERVAL);
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
