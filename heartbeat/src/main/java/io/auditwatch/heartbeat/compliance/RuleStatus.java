package io.auditwatch.heartbeat.compliance;

import java.util.Locale;

/** The state of one CIS control's audit rule on a node, as the pulse reports it. */
public enum RuleStatus {
    /** Every path of the control that exists on the node is watched. */
    OK,
    /** A path of the control exists on the node and no rule watches it. */
    MISSING,
    /** None of the control's paths exists on the node: not applicable, as the benchmark says. */
    NA,
    /** The node never reported its rule state (or not since the control was added). */
    UNKNOWN;

    /** {@code ok}, {@code missing}, {@code na}, {@code unknown}: the wire and display form. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status with this wire form, or null; {@code unknown} is never sent by a node. */
    static RuleStatus fromWire(String s) {
        return switch (s) {
            case "ok" -> OK;
            case "missing" -> MISSING;
            case "na" -> NA;
            default -> null;
        };
    }
}
