package io.auditwatch.heartbeat;

import io.auditwatch.alerting.AlertEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every meter of the heartbeat module. Label values are bounded: {@code node} and {@code stream}
 * only for tracked pairs, whose number {@code heartbeat.max-tracked-streams} caps (enrolment beyond
 * it is refused and counted); {@code state}, {@code kind}, {@code status}, {@code reason} are enums.
 */
public final class HeartbeatMetrics {
    private static final String AGE = "auditwatch_heartbeat_last_seen_age_seconds";
    private static final String LAG = "auditwatch_heartbeat_event_lag_seconds";

    private final MeterRegistry registry;
    private final Clock clock;
    private final Counter[] events = new Counter[NodeEntry.STREAMS];
    private final Counter pulses;
    private final Counter untrustedCompliance;
    private final Counter ignoredEvents;
    private final Counter refusedEnrolments;
    private final Map<InvalidReason, Counter> invalid = new EnumMap<>(InvalidReason.class);
    private final Map<StreamState, AtomicInteger> nodesByState = new EnumMap<>(StreamState.class);
    private final AtomicInteger trackedStreams = new AtomicInteger();
    private final AtomicLong consumerLag = new AtomicLong();
    private final AtomicInteger held = new AtomicInteger();

    /** Why a record's headers could not be used; each is counted, none is silently dropped. */
    public enum InvalidReason {
        MISSING_NODE, MISSING_STREAM, UNKNOWN_STREAM, MISSING_RECEIVED
    }

    public HeartbeatMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        for (Stream s : Stream.values()) {
            events[s.ordinal()] = Counter.builder("auditwatch_heartbeat_events_total")
                    .description("Records of audit.events seen by heartbeat, by stream")
                    .tag("stream", s.id()).register(registry);
        }
        pulses = Counter.builder("auditwatch_heartbeat_pulses_total")
                .description("auditwatch-pulse records counted as auditd liveness").register(registry);
        untrustedCompliance = Counter.builder("auditwatch_heartbeat_compliance_untrusted_total")
                .description("Compliance signals dropped: the sender did not meet the node's identity rule").register(registry);
        ignoredEvents = Counter.builder("auditwatch_heartbeat_ignored_events_total")
                .description("Events of nodes outside the inventory under heartbeat.unknown-nodes=ignore").register(registry);
        refusedEnrolments = Counter.builder("auditwatch_heartbeat_enrolments_refused_total")
                .description("Events whose (node, stream) could not be tracked: heartbeat.max-tracked-streams reached")
                .register(registry);
        for (InvalidReason r : InvalidReason.values()) {
            invalid.put(r, Counter.builder("auditwatch_heartbeat_invalid_records_total")
                    .description("Records whose heartbeat headers are missing or unreadable")
                    .tag("reason", r.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')).register(registry));
        }
        for (StreamState st : StreamState.values()) {
            AtomicInteger n = new AtomicInteger();
            nodesByState.put(st, n);
            Gauge.builder("auditwatch_heartbeat_nodes", n, AtomicInteger::get)
                    .description("Tracked nodes by overall state").tag("state", st.name().toLowerCase(java.util.Locale.ROOT))
                    .register(registry);
        }
        Gauge.builder("auditwatch_heartbeat_tracked_streams", trackedStreams, AtomicInteger::get)
                .description("Tracked (node, stream) pairs; bounded by heartbeat.max-tracked-streams").register(registry);
        Gauge.builder("auditwatch_heartbeat_consumer_lag_records", consumerLag, AtomicLong::get)
                .description("Records of audit.events not yet consumed by this instance (end offset - position)")
                .baseUnit("records").register(registry);
        Gauge.builder("auditwatch_heartbeat_node_alerts_held", held, AtomicInteger::get)
                .description("1 while node alerts are held back (pipeline degraded, consumer lag, catching up)")
                .register(registry);
    }

    void event(Stream s) {
        events[s.ordinal()].increment();
    }

    void pulse() {
        pulses.increment();
    }

    void untrustedCompliance() {
        untrustedCompliance.increment();
    }

    void ignored() {
        ignoredEvents.increment();
    }

    void refused() {
        refusedEnrolments.increment();
    }

    void invalid(InvalidReason r) {
        invalid.get(r).increment();
    }

    void transition(AlertEvent e) {
        io.micrometer.core.instrument.Counter.builder("auditwatch_heartbeat_transitions")
                .description("Alert transitions heartbeat raised, by alert kind and firing/resolved")
                .tag("kind", e.kind().id()).tag("status", e.status().name().toLowerCase(java.util.Locale.ROOT))
                .register(registry).increment();
    }

    void nodeState(StreamState from, StreamState to) {
        if (from != null) {
            nodesByState.get(from).decrementAndGet();
        }
        if (to != null) {
            nodesByState.get(to).incrementAndGet();
        }
    }

    void consumerLag(long records) {
        consumerLag.set(records);
    }

    void held(boolean h) {
        held.set(h ? 1 : 0);
    }

    /** Registers the age and lag gauges of a newly tracked pair. */
    void track(Slot slot) {
        trackedStreams.incrementAndGet();
        Tags tags = Tags.of("node", slot.node.name, "stream", slot.stream.id());
        Gauge.builder(AGE, slot, this::ageSeconds).tags(tags).strongReference(true)
                .description("Seconds since the newest event of the (node, stream), receive time; NaN when never seen")
                .baseUnit("seconds").register(registry);
        Gauge.builder(LAG, slot, HeartbeatMetrics::lagSeconds).tags(tags).strongReference(true)
                .description("Receive time minus sender time of the newest event of the (node, stream); NaN when unknown")
                .baseUnit("seconds").register(registry);
    }

    /** Removes the gauges of a pair that is no longer tracked here (released or decommissioned). */
    void untrack(Slot slot) {
        trackedStreams.decrementAndGet();
        Tags tags = Tags.of("node", slot.node.name, "stream", slot.stream.id());
        remove(registry.find(AGE).tags(tags).meter());
        remove(registry.find(LAG).tags(tags).meter());
    }

    private void remove(Meter m) {
        if (m != null) {
            registry.remove(m);
        }
    }

    private double ageSeconds(Slot s) {
        long seen = s.lastSeenMs;
        return seen == Slot.NONE ? Double.NaN : (clock.millis() - seen) / 1000.0;
    }

    private static double lagSeconds(Slot s) {
        long lag = s.lagMs;
        return lag == Slot.NONE ? Double.NaN : lag / 1000.0;
    }
}
