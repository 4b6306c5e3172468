package io.auditwatch.heartbeat.bench;

import io.auditwatch.heartbeat.HeartbeatMetrics;
import io.auditwatch.heartbeat.HeartbeatSettings;
import io.auditwatch.heartbeat.TestHeartbeatSettings;
import io.auditwatch.heartbeat.HeartbeatTracker;
import io.auditwatch.heartbeat.Inventory;
import io.auditwatch.heartbeat.Stream;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** A tracker filled with {@code nodes} enrolled nodes x {@link #STREAMS} streams, the shape of the benchmarks. */
final class Estate {
    static final Stream[] STREAMS = {Stream.AUDITD, Stream.UCP_AUDIT, Stream.DOCKERD, Stream.CONTAINER};
    static final long START = Instant.parse("2026-11-23T10:00:00Z").toEpochMilli();

    final HeartbeatTracker tracker;
    final byte[][] names;

    Estate(int nodes, MeterRegistry registry) {
        // 100,000 "enrolled node" lines would time the console, not the tracker.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.auditwatch"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        Clock clock = Clock.fixed(Instant.ofEpochMilli(START), ZoneOffset.UTC);
        HeartbeatSettings settings = TestHeartbeatSettings.standard().withMaxTrackedStreams(nodes * STREAMS.length);
        tracker = new HeartbeatTracker(settings, Inventory.empty(), clock, e -> { }, new HeartbeatMetrics(registry, clock));
        names = new byte[nodes][];
        for (int i = 0; i < nodes; i++) {
            // Realistic host names, 20-odd bytes: "docker-prod-0001234.dc1".
            names[i] = String.format("docker-prod-%07d.dc1", i).getBytes(StandardCharsets.UTF_8);
            for (Stream s : STREAMS) {
                tracker.onEvent(names[i], s, START, START - 100, false, false, i % 12);
            }
        }
        tracker.evaluate();
    }
}
