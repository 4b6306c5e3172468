package io.auditwatch.heartbeat;

import java.util.Locale;

/** What heartbeat does with events from a node that the inventory does not list. */
public enum UnknownNodePolicy {
    /** Track it from its first event with the default threshold (DKER-EE-001590: any audit source counts). */
    ENROL,
    /** Do not track it; its events are counted in {@code auditwatch_heartbeat_ignored_events_total}. */
    IGNORE;

    /** The configuration spelling: {@code enrol} or {@code ignore}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
