package io.auditwatch.heartbeat;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertSink;
import io.auditwatch.testing.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** A tracker on a manual clock with a recording sink: one second per evaluate tick, like production. */
final class Harness {
    static final Duration SECOND = Duration.ofSeconds(1);

    /** manager: ucp-audit 5m, auditd 15m (the example); worker: auditd 15m; host: auditd + dockerd 15m. */
    static Inventory inventory(NodeSpec... nodes) {
        return new Inventory(Map.of(
                "manager", new Role("manager", Map.of(Stream.UCP_AUDIT, Duration.ofMinutes(5), Stream.AUDITD, Duration.ofMinutes(15))),
                "worker", new Role("worker", Map.of(Stream.AUDITD, Duration.ofMinutes(15))),
                "host", new Role("host", Map.of(Stream.AUDITD, Duration.ofMinutes(15), Stream.DOCKERD, Duration.ofMinutes(15)))),
                List.of(nodes));
    }

    static NodeSpec node(String name, String role) {
        return new NodeSpec(name, role, Map.of(), List.of());
    }

    final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
    final List<AlertEvent> alerts = new CopyOnWriteArrayList<>();
    final AlertSink sink = alerts::add;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final HeartbeatTracker tracker;

    Harness(HeartbeatSettings settings, Inventory inventory) {
        tracker = new HeartbeatTracker(settings, inventory, clock, sink, new HeartbeatMetrics(registry, clock));
    }

    Harness(Inventory inventory) {
        this(TestHeartbeatSettings.standard(), inventory);
    }

    Instant now() {
        return clock.instant();
    }

    void send(String node, Stream stream) {
        tracker.onEvent(node, stream, now(), now());
    }

    void sendHeaders(String node, String stream, Instant sent, String component, boolean pulse) {
        tracker.onHeaders(node.getBytes(StandardCharsets.UTF_8), stream.getBytes(StandardCharsets.US_ASCII),
                EventHeaders.encodeMillis(now().toEpochMilli()), sent == null ? null : EventHeaders.encodeMillis(sent.toEpochMilli()),
                component == null ? null : component.getBytes(StandardCharsets.US_ASCII), pulse ? new byte[] {'1'} : null, -1);
    }

    /** Advances {@code d} one second at a time, evaluating after each second. */
    void tick(Duration d) {
        for (long s = 0; s < d.toSeconds(); s++) {
            clock.advance(SECOND);
            tracker.evaluate();
        }
    }

    /** Advances {@code d}, sending on the given streams of a node once a minute. */
    void keepSending(String node, Duration d, Stream... streams) {
        for (long m = 0; m < d.toMinutes(); m++) {
            for (Stream s : streams) {
                send(node, s);
            }
            tick(Duration.ofMinutes(1));
        }
    }

    List<AlertEvent> withKey(String key) {
        return alerts.stream().filter(a -> a.key().equals(key)).toList();
    }

    double counter(String name) {
        return registry.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
