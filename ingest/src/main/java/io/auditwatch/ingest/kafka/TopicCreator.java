package io.auditwatch.ingest.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Creates the events topic at start-up when it is missing; an existing topic is left as it is. */
public final class TopicCreator {
    private static final Logger log = LoggerFactory.getLogger(TopicCreator.class);

    /** Long enough for a cluster that is still starting (the embedded broker starts in about a second). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** Closing only releases sockets and threads; nothing is left to wait for. */
    static final Duration ADMIN_CLOSE_TIMEOUT = Duration.ofSeconds(1);

    /** Leader election on a new topic takes tens of milliseconds on one node. */
    static final long LEADER_POLL_MILLIS = 50;

    private TopicCreator() {
    }

    /**
     * Makes sure {@link PublisherSettings#topic()} exists, creating it with the settings' partitions and
     * replication factor if not. A topic created at the same time by another replica counts as existing.
     *
     * @param timeout how long to wait for the cluster, all calls together
     * @return true when this call created the topic, false when it existed
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
            if (admin.listTopics().names().get(remaining(deadline), TimeUnit.NANOSECONDS).contains(settings.topic())) {
                log.info("Kafka topic {} exists on cluster {} at {}", settings.topic(), clusterId, settings.bootstrapServers());
                return false;
            }
            NewTopic topic = new NewTopic(settings.topic(), settings.partitions(), settings.replicationFactor());
            try {
                admin.createTopics(List.of(topic)).all().get(remaining(deadline), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    log.info("Kafka topic {} was created concurrently by another client", settings.topic());
                    return false;
                }
                throw e;
            }
            awaitLeaders(admin, settings.topic(), deadline);
            log.info("Created Kafka topic {} ({} partitions, replication factor {}) on cluster {} at {}",
                    settings.topic(), settings.partitions(), settings.replicationFactor(), clusterId,
                    settings.bootstrapServers());
            return true;
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
