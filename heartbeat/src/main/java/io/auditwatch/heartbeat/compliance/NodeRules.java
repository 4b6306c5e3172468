package io.auditwatch.heartbeat.compliance;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One node's CIS rule state as shown to operators and assessors ({@code /api/nodes}, the report): every
 * control, {@code unknown} for a node that never reported (or a control its pulse did not name).
 *
 * @param enabled audit_enabled of the last report (0, 1, 2), -1 when unknown
 * @param reported receive time of the last report, or null when the node never reported
 * @param controls control id ({@code 1.2.3}) to {@code ok}, {@code missing}, {@code na} or {@code unknown},
 *     in benchmark order
 */
public record NodeRules(int enabled, Instant reported, Map<String, String> controls) {

    static NodeRules of(RuleState state, long reportedMs) {
        Map<String, String> all = new LinkedHashMap<>();
        for (CisControl c : CisControl.values()) {
            all.put(c.id(), (state == null ? RuleStatus.UNKNOWN : state.status(c)).id());
        }
        return new NodeRules(state == null ? -1 : state.enabled(),
                state == null ? null : Instant.ofEpochMilli(reportedMs), Collections.unmodifiableMap(all));
    }

    /** The rule state of a node that never reported: every control unknown. */
    public static NodeRules unknown() {
        return of(null, Long.MIN_VALUE);
    }

    /** The state of one control. */
    public RuleStatus status(CisControl c) {
        return RuleStatus.valueOf(controls.get(c.id()).toUpperCase(java.util.Locale.ROOT));
    }
}
