package io.auditwatch.alerting;

/**
 * What went wrong. Node and stream kinds are raised by heartbeat; pipeline kinds by ingest and
 * heartbeat directly (not through Kafka, which may be the thing that failed). "Recovered" and
 * "still silent" are not kinds: they are the resolve and repeat notices of an open alert.
 */
public enum AlertKind {
    NODE_SILENT(Category.NODE),
    STREAM_SILENT(Category.NODE),
    NODE_NEVER_SEEN(Category.NODE),
    AUDIT_DISABLED(Category.NODE),
    EVENT_LAG(Category.NODE),
    /** A CIS Docker audit rule a node reported in place is no longer loaded (heartbeat/README.md). */
    AUDIT_RULE_MISSING(Category.NODE),
    /** auditd recorded a change that weakens the trail: rule removed, auditing off, daemon stopped. */
    AUDIT_CONFIG_CHANGED(Category.NODE),
    /**
     * Events kept claiming a node without meeting its identity rule (heartbeat/README.md, "Identity
     * rules"): another host may be standing in for a dead or tampered node.
     */
    SPOOFING_ATTEMPT(Category.NODE),

    KAFKA_UNREACHABLE(Category.PIPELINE),
    PUBLISH_FAILING(Category.PIPELINE),
    /**
     * The events topic refused events for good (too large, not authorized, invalid): they are in the
     * dead-letter topic, or held in the spool when that refuses them too.
     */
    EVENTS_DEAD_LETTERED(Category.PIPELINE),
    LISTENER_DOWN(Category.PIPELINE),
    PARSE_FAILURES(Category.PIPELINE),
    CONSUMER_LAG(Category.PIPELINE),
    DISK_NEARLY_FULL(Category.PIPELINE),
    SPOOL_FULL(Category.PIPELINE),
    /**
     * The heartbeat consumer of one instance failed and has not run again since: silences of the
     * nodes it owned go unreported until it does (heartbeat/README.md, "Supervision").
     */
    HEARTBEAT_CONSUMER_DOWN(Category.PIPELINE),

    /** {@code auditwatch send-test-alert}: proves the delivery path to every recipient. */
    TEST(Category.TEST);

    /** Node-level audit failures, failures of auditwatch itself, and test alerts. */
    public enum Category {
        NODE,
        PIPELINE,
        TEST
    }

    private final Category category;

    AlertKind(Category category) {
        this.category = category;
    }

    public Category category() {
        return category;
    }

    /** Lower-case, dash-separated name used in metrics labels, alert keys and configuration. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
