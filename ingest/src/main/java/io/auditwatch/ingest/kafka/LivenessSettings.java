package io.auditwatch.ingest.kafka;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link LivenessSummaries} publishes heartbeat's evidence (ingest/DESIGN.md, Decisions, "Liveness
 * summaries"). A plain value: the defaults of the {@code kafka.liveness-*} keys live in the service's
 * configuration table.
 *
 * @param topic where summaries go; created beside the events topic with its partition count
 * @param interval how long acknowledged events are coalesced before their summaries are sent, between
 *     {@link #MIN_INTERVAL} and {@link #MAX_INTERVAL}
 * @param maxKeys most (node, stream, component, node-source) keys held at once, and most summaries in
 *     flight to Kafka; reaching it sends at once, and evidence of a new key beyond it is dropped and counted
 */
public record LivenessSettings(String topic, Duration interval, int maxKeys) {
    /** Below this the summaries cost about what the events did: no point coalescing. */
    public static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    /** Recovery and lag are seen at most one interval late; against minute thresholds 10 s is the most that is still negligible. */
    public static final Duration MAX_INTERVAL = Duration.ofSeconds(10);
    /** Fewer keys than a small estate's (node, stream) pairs would flush on nearly every event. */
    public static final int MIN_KEYS = 100;
    /** About 600 bytes per key (a 255-byte node name, the key and its entry): 10 M keys would be 6 GB. */
    public static final int MAX_KEYS = 1_000_000;

    public LivenessSettings {
        Objects.requireNonNull(topic, "topic");
        if (topic.isBlank()) {
            throw new IllegalArgumentException("topic is empty");
        }
        Objects.requireNonNull(interval, "interval");
        if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
            throw new IllegalArgumentException("interval must be between " + MIN_INTERVAL.toMillis() + " ms and "
                    + MAX_INTERVAL.toSeconds() + " s: " + interval.toMillis() + " ms");
        }
        if (maxKeys < MIN_KEYS || maxKeys > MAX_KEYS) {
            throw new IllegalArgumentException("maxKeys must be between " + MIN_KEYS + " and " + MAX_KEYS + ": " + maxKeys);
        }
    }
}
