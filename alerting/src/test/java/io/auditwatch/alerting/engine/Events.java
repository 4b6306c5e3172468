package io.auditwatch.alerting.engine;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertKind;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** AlertEvents as heartbeat and ingest raise them (keys per the AlertEvent javadoc). */
final class Events {
    private Events() {
    }

    static AlertEvent streamSilent(String node, String stream, Instant at, Instant lastSeen) {
        return new AlertEvent(AlertKind.STREAM_SILENT, "stream-silent/" + node + "/" + stream, AlertEvent.Status.FIRING, at,
                node, stream, lastSeen, Duration.ofMinutes(10), "no " + stream + " audit data from " + node, Map.of());
    }

    static AlertEvent nodeSilent(String node, Instant at, Instant lastSeen) {
        return new AlertEvent(AlertKind.NODE_SILENT, "node-silent/" + node, AlertEvent.Status.FIRING, at,
                node, null, lastSeen, Duration.ofMinutes(15), "no audit data from " + node, Map.of());
    }

    static AlertEvent resolved(AlertEvent firing, Instant at) {
        return new AlertEvent(firing.kind(), firing.key(), AlertEvent.Status.RESOLVED, at, firing.node(), firing.stream(),
                firing.lastSeen(), firing.threshold(), firing.summary(), firing.details());
    }

    static AlertEvent kafkaUnreachable(Instant at, Instant lastSuccess) {
        return new AlertEvent(AlertKind.KAFKA_UNREACHABLE, "kafka-unreachable", AlertEvent.Status.FIRING, at, null, null,
                lastSuccess, Duration.ofSeconds(30), "Kafka unreachable", Map.of("bootstrap-servers", "kafka-1:9092"));
    }
}
