package io.auditwatch.ingest.kafka;

import java.time.Instant;

/**
 * What the publisher knows about its connection to Kafka, for {@code /health} and pipeline alerts.
 *
 * @param kafkaReachable the last cluster probe ({@code Admin.describeCluster}, every
 *     {@link PublisherSettings#healthCheckInterval()}) answered, or a record was acknowledged since
 * @param lastSuccess when Kafka last acknowledged an event; null before the first
 * @param consecutiveFailures failed probes, send attempts and deliveries since the last
 *     acknowledged event
 * @param lastError the last failure as {@code ExceptionClass: message}, or null if none yet
 */
public record PublisherHealth(boolean kafkaReachable, Instant lastSuccess, long consecutiveFailures, String lastError) {
}
