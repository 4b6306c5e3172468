package io.auditwatch.ingest.kafka;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Kafka answers, as {@code /ready}, the status page and the kafka-unreachable alert see it:
 * set by every acknowledgement and every failure of the publisher, and by a periodic probe that
 * keeps it true while nothing is sent.
 */
final class KafkaReachability {
    /** The publisher's logger: "Kafka at ... is reachable / does not answer" keep the name they always had. */
    private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);

    /** Probe timeout: a healthy cluster answers describeCluster in milliseconds. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

    private final String bootstrapServers;
    private final Clock clock;
    private volatile boolean reachable;
    private boolean probed; // prober thread only: the first failed probe is logged even though never reachable
    private volatile Instant lastSuccess;
    private final AtomicLong consecutiveFailures = new AtomicLong();
    private volatile String lastError;

    KafkaReachability(String bootstrapServers, Clock clock) {
        this.bootstrapServers = bootstrapServers;
        this.clock = clock;
    }

    boolean reachable() {
        return reachable;
    }

    /** Kafka acknowledged a record. */
    void succeeded() {
        lastSuccess = clock.instant();
        reachable = true;
        consecutiveFailures.set(0);
    }

    /** A send or an acknowledgement failed; {@code detail} becomes the last error. */
    void failed(String detail) {
        consecutiveFailures.incrementAndGet();
        lastError = detail;
    }

    PublisherHealth health() {
        return new PublisherHealth(reachable, lastSuccess, consecutiveFailures.get(), lastError);
    }

    /** One probe with {@code admin}; logs the change when Kafka starts or stops answering. */
    void probe(Admin admin) {
        boolean probedBefore = probed;
        probed = true;
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) PROBE_TIMEOUT.toMillis()))
                    .nodes().get(PROBE_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS);
            if (!reachable) {
                log.info("Kafka at {} is reachable", bootstrapServers);
            }
            reachable = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (reachable || !probedBefore) {
                log.warn("Kafka at {} does not answer: {}", bootstrapServers, EventPublisher.describe(cause));
            }
            reachable = false;
            failed("probe: " + EventPublisher.describe(cause));
        }
    }
}
