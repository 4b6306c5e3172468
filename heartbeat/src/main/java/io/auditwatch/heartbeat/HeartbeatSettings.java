package io.auditwatch.heartbeat;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code heartbeat.*} configuration keys. Every value is given: the defaults live in the
 * service's configuration table, not here. {@link #validate()} is called by the tracker's constructor.
 *
 * @param defaultThreshold {@code heartbeat.default-threshold}: silence threshold of enrolled nodes
 * @param gracePeriod {@code heartbeat.grace-period}: how long after start-up an expected stream may
 *     stay unseen before it is NEVER_SEEN
 * @param unknownNodes {@code heartbeat.unknown-nodes}: enrol or ignore nodes missing from the inventory
 * @param enrolStreams {@code heartbeat.enrol-streams}: streams tracked for enrolled nodes; null or
 *     empty tracks every stream
 * @param eventLagThreshold {@code heartbeat.event-lag-threshold}: receive time minus sender time above
 *     which EVENT_LAG fires
 * @param consumerLagBound {@code heartbeat.consumer-lag-bound}: records behind the end of
 *     {@code audit.events} above which node alerts are held and CONSUMER_LAG fires
 * @param stateFlushInterval {@code heartbeat.state-flush-interval}: how often changed last-seen
 *     times are written to the state topic (transitions are written at once)
 * @param auditDisabledWindow {@code heartbeat.audit-disabled-window}: a silent {@code ucp-audit}
 *     stream is AUDIT_DISABLED when {@code ucp-controller} output arrived within this window
 * @param maxTrackedStreams {@code heartbeat.max-tracked-streams}: cap on tracked (node, stream) pairs,
 *     which bounds memory and the cardinality of the per-stream gauges
 */
public record HeartbeatSettings(
        Duration defaultThreshold,
        Duration gracePeriod,
        UnknownNodePolicy unknownNodes,
        Set<Stream> enrolStreams,
        Duration eventLagThreshold,
        long consumerLagBound,
        Duration stateFlushInterval,
        Duration auditDisabledWindow,
        int maxTrackedStreams) {

    /** Thresholds below the one-second evaluation tick could not be honoured. */
    public static final Duration MIN_THRESHOLD = Duration.ofSeconds(1);

    public HeartbeatSettings {
        enrolStreams = enrolStreams == null || enrolStreams.isEmpty()
                ? Collections.unmodifiableSet(EnumSet.allOf(Stream.class))
                : Collections.unmodifiableSet(EnumSet.copyOf(enrolStreams));
    }

    public HeartbeatSettings withDefaultThreshold(Duration d) {
        return new HeartbeatSettings(d, gracePeriod, unknownNodes, enrolStreams, eventLagThreshold, consumerLagBound,
                stateFlushInterval, auditDisabledWindow, maxTrackedStreams);
    }

    public HeartbeatSettings withGracePeriod(Duration d) {
        return new HeartbeatSettings(defaultThreshold, d, unknownNodes, enrolStreams, eventLagThreshold, consumerLagBound,
                stateFlushInterval, auditDisabledWindow, maxTrackedStreams);
    }

    public HeartbeatSettings withUnknownNodes(UnknownNodePolicy p) {
        return new HeartbeatSettings(defaultThreshold, gracePeriod, p, enrolStreams, eventLagThreshold, consumerLagBound,
                stateFlushInterval, auditDisabledWindow, maxTrackedStreams);
    }

    public HeartbeatSettings withConsumerLagBound(long bound) {
        return new HeartbeatSettings(defaultThreshold, gracePeriod, unknownNodes, enrolStreams, eventLagThreshold, bound,
                stateFlushInterval, auditDisabledWindow, maxTrackedStreams);
    }

    public HeartbeatSettings withMaxTrackedStreams(int max) {
        return new HeartbeatSettings(defaultThreshold, gracePeriod, unknownNodes, enrolStreams, eventLagThreshold, consumerLagBound,
                stateFlushInterval, auditDisabledWindow, max);
    }

    /**
     * @return this, for chaining
     * @throws HeartbeatConfigException naming the offending {@code heartbeat.*} key
     */
    public HeartbeatSettings validate() {
        positive("heartbeat.default-threshold", defaultThreshold, MIN_THRESHOLD);
        positive("heartbeat.grace-period", gracePeriod, Duration.ZERO);
        if (unknownNodes == null) {
            throw new HeartbeatConfigException("heartbeat.unknown-nodes", "must be 'enrol' or 'ignore'");
        }
        positive("heartbeat.event-lag-threshold", eventLagThreshold, MIN_THRESHOLD);
        if (consumerLagBound < 1) {
            throw new HeartbeatConfigException("heartbeat.consumer-lag-bound", "must be at least 1 record, not " + consumerLagBound);
        }
        positive("heartbeat.state-flush-interval", stateFlushInterval, Duration.ofMillis(100));
        positive("heartbeat.audit-disabled-window", auditDisabledWindow, MIN_THRESHOLD);
        if (maxTrackedStreams < 1) {
            throw new HeartbeatConfigException("heartbeat.max-tracked-streams", "must be at least 1, not " + maxTrackedStreams);
        }
        return this;
    }

    private static void positive(String key, Duration d, Duration min) {
        Objects.requireNonNull(key);
        if (d == null || d.compareTo(min) < 0) {
            throw new HeartbeatConfigException(key, "must be a duration of at least " + min + ", not " + d);
        }
    }
}
