package io.auditwatch.ingest.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates the events topic and its dead-letter topic at start-up when they are missing, with a
 * {@code max.message.bytes} that holds the largest record ingest produces; an existing events topic
 * whose {@code max.message.bytes} is smaller is refused ({@link TopicTooSmallException}), since
 * Kafka would refuse the largest events.
 */
public final class TopicCreator {
    private static final Logger log = LoggerFactory.getLogger(TopicCreator.class);

    /** Long enough for a cluster that is still starting (the embedded broker starts in about a second). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** Closing only releases sockets and threads; nothing is left to wait for. */
    static final Duration ADMIN_CLOSE_TIMEOUT = Duration.ofSeconds(1);

    /**
     * Retention of the liveness topic: heartbeat reads it within seconds; a day covers a heartbeat that
     * was down over a night (its state topic holds everything older).
     */
    public static final Duration LIVENESS_RETENTION = Duration.ofDays(1);

    /** Leader election on a new topic takes tens of milliseconds on one node. */
    static final long LEADER_POLL_MILLIS = 50;

    private TopicCreator() {
    }

    /**
     * Makes sure {@link PublisherSettings#topic()} exists, creating it with the settings' partitions and
     * replication factor if not. A topic created at the same time by another replica counts as existing.
     *
     * @param timeout how long to wait for the cluster, all calls together
     * @return true when this call created the events topic, false when it existed
     * @throws TopicTooSmallException when the events topic exists with a {@code max.message.bytes}
     *     below {@link PublisherSettings#maxRecordBytes()}
     * @throws KafkaUnreachableException when the cluster did not answer within {@code timeout}, or
     *     refused the creation (authorization, replication factor above the broker count, ...)
     */
    public static boolean ensureTopic(PublisherSettings settings, Duration timeout) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        Admin admin = Admin.create(ClientConfigs.admin(settings, timeout));
        try {
            String clusterId = admin.describeCluster().clusterId().get(remaining(deadline), TimeUnit.NANOSECONDS);
            boolean created = ensure(admin, settings, settings.topic(), settings.maxRecordBytes(), clusterId, deadline);
            if (!created) {
                long actual = maxMessageBytes(admin, settings.topic(), deadline);
                if (actual < settings.maxRecordBytes()) {
                    throw new TopicTooSmallException(settings.topic(), actual, settings.maxRecordBytes());
                }
            }
            ensure(admin, settings, settings.deadLetterTopic(), ClientConfigs.deadLetterMaxBytes(settings), clusterId,
                    deadline);
            return created;
        } catch (TimeoutException e) {
            throw new KafkaUnreachableException("Kafka at " + settings.bootstrapServers() + " did not answer within "
                    + timeout.toMillis() + " ms while checking topic " + settings.topic(), e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw new KafkaUnreachableException("Kafka at " + settings.bootstrapServers() + " did not answer within "
                        + timeout.toMillis() + " ms while checking topic " + settings.topic(), cause);
            }
            throw new KafkaUnreachableException("Kafka at " + settings.bootstrapServers() + " could not provide topic "
                    + settings.topic() + ": " + cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnreachableException("interrupted while checking topic " + settings.topic(), e);
        } finally {
            // Pending calls have timed out by now; do not wait for them again.
            admin.close(ADMIN_CLOSE_TIMEOUT);
        }
    }

    /** Creates {@code name} unless it exists; true when this call created it. */
    private static boolean ensure(Admin admin, PublisherSettings settings, String name, long maxMessageBytes,
            String clusterId, long deadline) throws ExecutionException, InterruptedException, TimeoutException {
        return ensure(admin, settings, name, settings.partitions(),
                Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Long.toString(maxMessageBytes)), clusterId, deadline);
    }

    /**
     * Makes sure the liveness topic exists with the events topic's partition count, so that a node's
     * summaries (keyed by node, Kafka's default partitioner) land on the partition number of its events:
     * created with {@code cleanup.policy=delete} and {@link #LIVENESS_RETENTION}, grown when it has
     * fewer partitions than the events topic (which must exist: call after {@link #ensureTopic}).
     *
     * @throws KafkaUnreachableException as {@link #ensureTopic}
     */
    public static void ensureLivenessTopic(PublisherSettings settings, String livenessTopic, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Admin admin = Admin.create(ClientConfigs.admin(settings, timeout));
        try {
            String clusterId = admin.describeCluster().clusterId().get(remaining(deadline), TimeUnit.NANOSECONDS);
            int partitions = describe(admin, settings.topic(), deadline).partitions().size();
            boolean created = ensure(admin, settings, livenessTopic, partitions, Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                    TopicConfig.RETENTION_MS_CONFIG, Long.toString(LIVENESS_RETENTION.toMillis())), clusterId, deadline);
            int has = created ? partitions : describe(admin, livenessTopic, deadline).partitions().size();
            if (has < partitions) {
                log.warn("Kafka topic {} has {} partitions, {} has {}: adding partitions", livenessTopic, has,
                        settings.topic(), partitions);
                admin.createPartitions(Map.of(livenessTopic, NewPartitions.increaseTo(partitions))).all()
                        .get(remaining(deadline), TimeUnit.NANOSECONDS);
            } else if (has > partitions) {
                log.warn("Kafka topic {} has {} partitions, more than the {} of {}: heartbeat owns nodes by the"
                        + " liveness topic's partitions, which no longer match the events' partition numbers",
                        livenessTopic, has, partitions, settings.topic());
            }
        } catch (TimeoutException e) {
            throw new KafkaUnreachableException("Kafka at " + settings.bootstrapServers() + " did not answer within "
                    + timeout.toMillis() + " ms while checking topic " + livenessTopic, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new KafkaUnreachableException("Kafka at " + settings.bootstrapServers() + " could not provide topic "
                    + livenessTopic + ": " + cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnreachableException("interrupted while checking topic " + livenessTopic, e);
        } finally {
            admin.close(ADMIN_CLOSE_TIMEOUT);
        }
    }

    private static TopicDescription describe(Admin admin, String topic, long deadline)
            throws ExecutionException, InterruptedException, TimeoutException {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(remaining(deadline), TimeUnit.NANOSECONDS)
                .get(topic);
    }

    /** Creates {@code name} with {@code partitions} and {@code configs} unless it exists; true when this call created it. */
    private static boolean ensure(Admin admin, PublisherSettings settings, String name, int partitions,
            Map<String, String> configs, String clusterId, long deadline)
            throws ExecutionException, InterruptedException, TimeoutException {
        if (admin.listTopics().names().get(remaining(deadline), TimeUnit.NANOSECONDS).contains(name)) {
            log.info("Kafka topic {} exists on cluster {} at {}", name, clusterId, settings.bootstrapServers());
            return false;
        }
        NewTopic topic = new NewTopic(name, partitions, settings.replicationFactor()).configs(configs);
        try {
            admin.createTopics(List.of(topic)).all().get(remaining(deadline), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                log.info("Kafka topic {} was created concurrently by another client", name);
                return false;
            }
            throw e;
        }
        awaitLeaders(admin, name, deadline);
        log.info("Created Kafka topic {} ({} partitions, replication factor {}, {}) on cluster {} at {}",
                name, partitions, settings.replicationFactor(), configs, clusterId, settings.bootstrapServers());
        return true;
    }

    /** The topic's effective {@code max.message.bytes} (its own, else the broker's {@code message.max.bytes}). */
    static long maxMessageBytes(Admin admin, String topic, long deadline)
            throws ExecutionException, InterruptedException, TimeoutException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(List.of(resource)).all()
                .get(remaining(deadline), TimeUnit.NANOSECONDS).get(resource);
        ConfigEntry entry = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        return Long.parseLong(entry.value());
    }

    /**
     * A new topic's partitions get their leaders a moment after creation; waiting for them here spares
     * the first sends a round of NOT_LEADER_OR_FOLLOWER retries and warnings. Gives up quietly at the
     * deadline: the producer's retries cover the rest.
     */
    private static void awaitLeaders(Admin admin, String topic, long deadlineNanos) throws InterruptedException {
        while (remaining(deadlineNanos) > 0) {
            try {
                TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(remaining(deadlineNanos), TimeUnit.NANOSECONDS).get(topic);
                if (d != null && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                // Not visible yet (UnknownTopicOrPartition) or slow: look again until the deadline.
            }
            Thread.sleep(LEADER_POLL_MILLIS);
        }
    }

    private static long remaining(long deadlineNanos) {
        return Math.max(0, deadlineNanos - System.nanoTime());
    }
}
