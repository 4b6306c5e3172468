package io.auditwatch.heartbeat.compliance;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * One node's CIS rule state as shown to operators and assessors: every control, {@link RuleStatus#UNKNOWN}
 * for a node that never reported (or a control it did not name).
 *
 * @param node node identity
 * @param enabled audit_enabled of the last report, -1 when unknown
 * @param reported receive time of the last report, or null when the node never reported
 * @param controls every {@link CisControl}, in benchmark order
 */
public record NodeRules(String node, int enabled, Instant reported, Map<CisControl, RuleStatus> controls) {

    static NodeRules of(String node, RuleState state, long reportedMs) {
        Map<CisControl, RuleStatus> all = new EnumMap<>(CisControl.class);
        for (CisControl c : CisControl.values()) {
            all.put(c, state == null ? RuleStatus.UNKNOWN : state.status(c));
        }
        return new NodeRules(node, state == null ? -1 : state.enabled(),
                state == null ? null : Instant.ofEpochMilli(reportedMs), java.util.Collections.unmodifiableMap(all));
    }
}
