package io.auditwatch.service.admin;

import java.util.Locale;

/**
 * How bad a heartbeat state name is, for sorting ({@code /status} puts the worst first) and
 * colouring. Heartbeat owns the names; unknown ones sit between the failures and the healthy
 * states, so a new state is noticed rather than hidden at the bottom.
 */
enum StateRank {
    /** Audit data stopped arriving: the condition DKER-EE-001590 requires an alert for. */
    FAILED("bad"),
    /**
     * An expected node never delivered: as red as a silence, listed after it because a node that
     * stopped is more often an incident, one that never started more often a sender misconfiguration.
     */
    NEVER_SEEN("bad"),
    /** Late, degraded, or a state this page does not know. */
    ATTENTION("warn"),
    /** Deliberately not watched right now (maintenance, decommissioned). */
    PAUSED("paused"),
    HEALTHY("ok");

    private final String cssClass;

    StateRank(String cssClass) {
        this.cssClass = cssClass;
    }

    /** Whether the row counts as "not reporting" in the page header. */
    boolean failing() {
        return this == FAILED || this == NEVER_SEEN;
    }

    /** A fixed CSS class name, never derived from input. */
    String cssClass() {
        return cssClass;
    }

    static StateRank of(String state) {
        return switch (state.toUpperCase(Locale.ROOT)) {
            case "SILENT", "AUDIT_DISABLED", "DOWN", "FAILING" -> FAILED;
            case "NEVER_SEEN" -> NEVER_SEEN;
            case "MAINTENANCE", "DECOMMISSIONED" -> PAUSED;
            case "OK", "UP", "ALIVE", "HEALTHY", "RECOVERED" -> HEALTHY;
            default -> ATTENTION;
        };
    }
}
