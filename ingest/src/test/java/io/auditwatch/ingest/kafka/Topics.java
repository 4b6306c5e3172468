package io.auditwatch.ingest.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/** Unique topic names and publisher settings for the broker tests. */
final class Topics {
    private Topics() {
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    static PublisherSettings settings(String bootstrap, String topic, long queueBytes) {
        return new PublisherSettings(bootstrap, topic, 3, (short) 1, queueBytes, Duration.ofSeconds(5),
                Duration.ofSeconds(10), Map.of(), Duration.ofMillis(500));
    }
}
