package io.auditwatch.ingest.classify;

import io.auditwatch.heartbeat.compliance.AuditChange;
import io.auditwatch.heartbeat.compliance.ComplianceSignal;
import io.auditwatch.heartbeat.compliance.RuleState;
import java.util.Map;

/**
 * Finds the compliance signal of one parsed audit record (ingest/README.md, "Compliance signals"): the
 * rule state of a v=2 pulse, or a change auditd recorded that weakens the trail. Only records that
 * say the change took effect count ({@code res=1} / {@code res=success}); a refused change is not one.
 */
final class AuditSignals {

    private AuditSignals() {
    }

    /**
     * @param type the record type ({@code CONFIG_CHANGE}, {@code DAEMON_END}, ...)
     * @param record the record's raw fields, values without quotes
     * @param key the record's first audit key, decoded, or null
     * @param msgFields the words of a USER record's {@code msg='...'}, or null
     * @param pulse the record is an auditwatch pulse
     * @return the signal, or null when the record carries none
     */
    static ComplianceSignal of(String type, Map<String, String> record, String key, Map<String, String> msgFields,
            boolean pulse) {
        if (pulse) {
            return msgFields == null ? null
                    : RuleState.fromPulse(msgFields.get("v"), msgFields.get("enabled"), msgFields.get("cis"));
        }
        String auid = record.get("auid");
        switch (type) {
            case "DAEMON_END":
                return new AuditChange(AuditChange.What.DAEMON_END, auid, "op=" + record.getOrDefault("op", "?"));
            case "DAEMON_ABORT":
                return new AuditChange(AuditChange.What.DAEMON_ABORT, auid, "op=" + record.getOrDefault("op", "?"));
            case "CONFIG_CHANGE":
                return succeeded(record) ? configChange(record, key, auid) : null;
            default:
                return null;
        }
    }

    private static ComplianceSignal configChange(Map<String, String> record, String key, String auid) {
        if ("remove_rule".equals(record.get("op"))) {
            return new AuditChange(AuditChange.What.RULE_REMOVED, auid, "key=" + (key == null ? "(none)" : key));
        }
        String old = record.get("old");
        String enabled = record.get("audit_enabled");
        if ("0".equals(enabled)) {
            return new AuditChange(AuditChange.What.AUDITING_DISABLED, auid, "audit_enabled=0,old=" + old);
        }
        String failure = record.get("audit_failure");
        if (failure != null && !failure.equals(old)) {
            return new AuditChange(AuditChange.What.FAILURE_MODE_CHANGED, auid, "audit_failure=" + failure + ",old=" + old);
        }
        String backlog = record.get("audit_backlog_limit");
        if (backlog != null && old != null) {
            long now = AuditRecordParser.digits(backlog, 0, backlog.length());
            long before = AuditRecordParser.digits(old, 0, old.length());
            if (now >= 0 && before >= 0 && now < before) {
                return new AuditChange(AuditChange.What.BACKLOG_LIMIT_LOWERED, auid,
                        "audit_backlog_limit=" + backlog + ",old=" + old);
            }
        }
        return null;
    }

    /** {@code res=1} (kernel records) or {@code res=success} (auditd's own). */
    private static boolean succeeded(Map<String, String> record) {
        String res = record.get("res");
        return "1".equals(res) || "success".equals(res);
    }
}
