package io.auditwatch.heartbeat;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertKind;
import io.auditwatch.alerting.MeterDoc;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every meter of the heartbeat module, declared in {@link #METERS} and registered only through those
 * declarations. Label values are bounded: {@code node} and {@code stream} only for tracked pairs,
 * whose number {@code heartbeat.max-tracked-streams} caps (enrolment beyond it is refused and
 * counted), and of those only every inventory pair and the first {@link #MAX_LABELLED_ENROLLED_PAIRS}
 * enrolled ones; a {@code node} value is at most {@link NodeNames#MAX_LABEL_BYTES} bytes;
 * {@code state}, {@code kind}, {@code status}, {@code reason} are enums.
 */
public final class HeartbeatMetrics {
    /**
     * Enrolled (node, stream) pairs that get the per-pair gauges {@link #AGE} and {@link #LAG}. Enrolled
     * nodes are named by senders, so without this bound a sender decides the size of every scrape:
     * 1,000 pairs of 128-byte labels cost about 420 KB of {@code /metrics} (ingest/README.md, "Header hygiene",
     * measured). Inventory pairs are the operator's and always have them.
     */
    public static final int MAX_LABELLED_ENROLLED_PAIRS = 1000;
    private static final String NODE_LABEL = "a tracked node name: every inventory pair and the first "
            + MAX_LABELLED_ENROLLED_PAIRS + " enrolled pairs, at most " + NodeNames.MAX_LABEL_BYTES
            + " bytes (a longer name is cut and ends in ~ and 8 hex digits of its hash)";
    public static final MeterDoc EVENTS = MeterDoc.counter("auditwatch.heartbeat.events", "records",
            "Events judged by heartbeat (records of audit.events, or the events a liveness summary stands for), by stream, in records").tag("stream", Stream.class, Stream::id);
    public static final MeterDoc PULSES = MeterDoc.counter("auditwatch.heartbeat.pulses", "records",
            "auditwatch-pulse records counted as auditd liveness, in records");
    public static final MeterDoc IGNORED = MeterDoc.counter("auditwatch.heartbeat.ignored.events", "records",
            "Events of nodes outside the inventory under heartbeat.unknown-nodes=ignore, in records");
    public static final MeterDoc REFUSED = MeterDoc.counter("auditwatch.heartbeat.enrolments.refused", "records",
            "Events whose (node, stream) could not be tracked: heartbeat.max-tracked-streams reached, in records");
    public static final MeterDoc NAMES_REFUSED = MeterDoc.counter("auditwatch.heartbeat.node.names.refused", "records",
            "Events and restored state records of a node outside the inventory whose name is not tracked: over "
                    + NodeNames.MAX_BYTES + " bytes or holding a control character, in records");
    public static final MeterDoc UNTRUSTED_COMPLIANCE = MeterDoc.counter("auditwatch.heartbeat.compliance.untrusted",
            "records", "Compliance signals dropped because the sender did not meet the node's identity rule, in records");
    public static final MeterDoc INVALID = MeterDoc.counter("auditwatch.heartbeat.invalid.records", "records",
            "Records whose heartbeat headers are missing or unreadable, in records")
            .tag("reason", InvalidReason.class, InvalidReason::label);
    public static final MeterDoc TRANSITIONS = MeterDoc.counter("auditwatch.heartbeat.transitions", "transitions",
            "Alert transitions heartbeat raised, by alert kind and firing/resolved, in transitions")
            .tag("kind", String.join(", ", java.util.stream.Stream.of(AlertKind.NODE_SILENT, AlertKind.NODE_NEVER_SEEN,
                    AlertKind.STREAM_SILENT, AlertKind.AUDIT_DISABLED, AlertKind.EVENT_LAG, AlertKind.CONSUMER_LAG)
                    .map(AlertKind::id).toList()))
            .tag("status", AlertEvent.Status.class, MeterDoc::label);
    public static final MeterDoc NODES = MeterDoc.gauge("auditwatch.heartbeat.nodes", "nodes",
            "Tracked nodes by overall state, in nodes").tag("state", StreamState.class, MeterDoc::label);
    public static final MeterDoc TRACKED = MeterDoc.gauge("auditwatch.heartbeat.tracked.streams", "streams",
            "Tracked (node, stream) pairs, bounded by heartbeat.max-tracked-streams, in pairs");
    public static final MeterDoc UNLABELLED = MeterDoc.gauge("auditwatch.heartbeat.unlabelled.streams", "streams",
            "Tracked enrolled streams, (node, stream) pairs, without per-pair gauges beyond the first "
                    + HeartbeatMetrics.MAX_LABELLED_ENROLLED_PAIRS + " (judged and alerted all the same), in streams");
    public static final MeterDoc CONSUMER_LAG = MeterDoc.gauge("auditwatch.heartbeat.consumer.lag.records", "records",
            "Records of audit.events not yet consumed by this instance (end offset - position), in records");
    public static final MeterDoc HELD = MeterDoc.gauge("auditwatch.heartbeat.node.alerts.held", "1",
            "1 while node alerts are held back (pipeline degraded, consumer lag, catching up), else 0");
    public static final MeterDoc AGE = MeterDoc.gauge("auditwatch.heartbeat.last.seen.age", "seconds",
            "Seconds since the newest event of the (node, stream), receive time; NaN when never seen")
            .tag("node", NODE_LABEL)
            .tag("stream", Stream.class, Stream::id);
    public static final MeterDoc LAG = MeterDoc.gauge("auditwatch.heartbeat.event.lag", "seconds",
            "Receive time minus sender time of the newest event of the (node, stream), in seconds; NaN when unknown")
            .tag("node", NODE_LABEL)
            .tag("stream", Stream.class, Stream::id);

    /** Every meter this class registers. */
    public static final List<MeterDoc> METERS = List.of(EVENTS, PULSES, UNTRUSTED_COMPLIANCE, IGNORED, REFUSED, NAMES_REFUSED,
            INVALID, TRANSITIONS, NODES, TRACKED, UNLABELLED, CONSUMER_LAG, HELD, AGE, LAG);

    private final MeterRegistry registry;
    private final Clock clock;
    private final Counter[] events = new Counter[NodeEntry.STREAMS];
    private final Counter pulses;
    private final Counter untrustedCompliance;
    private final Counter ignoredEvents;
    private final Counter refusedEnrolments;
    private final Counter refusedNames;
    /** Enrolled pairs with per-pair gauges, and those without; changed under the tracker's lock. */
    private final AtomicInteger labelledEnrolled = new AtomicInteger();
    private final AtomicInteger unlabelled = new AtomicInteger();
    private final Map<InvalidReason, Counter> invalid = new EnumMap<>(InvalidReason.class);
    private final Map<StreamState, AtomicInteger> nodesByState = new EnumMap<>(StreamState.class);
    private final AtomicInteger trackedStreams = new AtomicInteger();
    private final AtomicLong consumerLag = new AtomicLong();
    private final AtomicInteger held = new AtomicInteger();

    /** Why a record's headers could not be used; each is counted, none is silently dropped. */
    public enum InvalidReason {
        MISSING_NODE, MISSING_STREAM, UNKNOWN_STREAM, MISSING_RECEIVED;

        /** The label value: {@code missing-node}. */
        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public HeartbeatMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        for (Stream s : Stream.values()) {
            events[s.ordinal()] = EVENTS.counter().tag("stream", s.id()).register(registry);
        }
        pulses = PULSES.counter().register(registry);
        ignoredEvents = IGNORED.counter().register(registry);
        refusedEnrolments = REFUSED.counter().register(registry);
        refusedNames = NAMES_REFUSED.counter().register(registry);
        untrustedCompliance = UNTRUSTED_COMPLIANCE.counter().register(registry);
        for (InvalidReason r : InvalidReason.values()) {
            invalid.put(r, INVALID.counter().tag("reason", r.label()).register(registry));
        }
        for (StreamState st : StreamState.values()) {
            AtomicInteger n = new AtomicInteger();
            nodesByState.put(st, n);
            NODES.gauge(n, AtomicInteger::get).tag("state", MeterDoc.label(st)).register(registry);
        }
        TRACKED.gauge(trackedStreams, AtomicInteger::get).register(registry);
        UNLABELLED.gauge(unlabelled, AtomicInteger::get).register(registry);
        CONSUMER_LAG.gauge(consumerLag, AtomicLong::get).register(registry);
        HELD.gauge(held, AtomicInteger::get).register(registry);
    }

    void events(Stream s, long count) {
        events[s.ordinal()].increment(count);
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

    void refusedName() {
        refusedNames.increment();
    }

    void invalid(InvalidReason r) {
        invalid.get(r).increment();
    }

    void transition(AlertEvent e) {
        TRANSITIONS.counter().tag("kind", e.kind().id()).tag("status", MeterDoc.label(e.status()))
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

    /**
     * Registers the age and lag gauges of a newly tracked pair: an inventory pair always, an enrolled
     * one while fewer than {@link #MAX_LABELLED_ENROLLED_PAIRS} have them.
     */
    void track(Slot slot) {
        trackedStreams.incrementAndGet();
        if (!slot.expected) {
            if (labelledEnrolled.get() >= MAX_LABELLED_ENROLLED_PAIRS) {
                unlabelled.incrementAndGet();
                return;
            }
            labelledEnrolled.incrementAndGet();
        }
        slot.labelled = true;
        Tags tags = tags(slot);
        AGE.gauge(slot, this::ageSeconds).tags(tags).strongReference(true).register(registry);
        LAG.gauge(slot, HeartbeatMetrics::lagSeconds).tags(tags).strongReference(true).register(registry);
    }

    /** Removes the gauges of a pair that is no longer tracked here (released or decommissioned). */
    void untrack(Slot slot) {
        trackedStreams.decrementAndGet();
        if (!slot.labelled) {
            unlabelled.decrementAndGet();
            return;
        }
        if (!slot.expected) {
            labelledEnrolled.decrementAndGet();
        }
        Tags tags = tags(slot);
        remove(registry.find(AGE.name()).tags(tags).meter());
        remove(registry.find(LAG.name()).tags(tags).meter());
    }

    private static Tags tags(Slot slot) {
        return Tags.of("node", NodeNames.label(slot.node.name), "stream", slot.stream.id());
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
