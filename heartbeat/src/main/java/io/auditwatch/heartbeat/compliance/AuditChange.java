package io.auditwatch.heartbeat.compliance;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A change auditd itself recorded that weakens the audit trail: a rule removed, auditing switched off,
 * the failure mode or backlog changed, the daemon stopped or aborted. Header form:
 * {@code what=auditing-disabled auid=1000 detail=audit_enabled=0}, words without spaces.
 *
 * @param what the kind of change
 * @param auid the login uid of whoever made it ({@code 4294967295} when none was set, as the kernel
 *     writes "unset"); never null
 * @param detail the record's own words for the change ({@code key=docker}, {@code audit_failure=0}), or
 *     an empty string
 */
public record AuditChange(What what, String auid, String detail) implements ComplianceSignal {

    /** The {@code audit.events} record header that carries it. */
    public static final String HEADER = "aw.audit-change";
    /** The kernel's {@code AUDIT_UID_UNSET}: no login uid was set for the process. */
    public static final String AUID_UNSET = "4294967295";

    /** Kinds of change, each with the phrase alerts use. */
    public enum What {
        RULE_REMOVED("audit rule removed"),
        AUDITING_DISABLED("auditing disabled"),
        FAILURE_MODE_CHANGED("audit failure mode changed"),
        BACKLOG_LIMIT_LOWERED("audit backlog limit lowered"),
        DAEMON_END("auditd stopped"),
        DAEMON_ABORT("auditd aborted");

        private final String phrase;

        What(String phrase) {
            this.phrase = phrase;
        }

        /** {@code auditing disabled}: how an alert's summary starts. */
        public String phrase() {
            return phrase;
        }

        /** {@code auditing-disabled}: the header and alert-key form. */
        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static What fromId(String id) {
            for (What w : values()) {
                if (w.id().equals(id)) {
                    return w;
                }
            }
            return null;
        }
    }

    public AuditChange {
        auid = auid == null || auid.isEmpty() ? AUID_UNSET : auid;
        detail = detail == null ? "" : detail.replace(' ', '_');
    }

    /** {@code auid 1000}, or {@code no login uid (auid unset)}. */
    public String who() {
        return AUID_UNSET.equals(auid) ? "no login uid (auid unset)" : "auid " + auid;
    }

    /** Decodes the header value; null when it is absent or names no known change. */
    public static AuditChange decode(byte[] value) {
        if (value == null) {
            return null;
        }
        What what = null;
        String auid = null;
        String detail = null;
        for (String word : new String(value, StandardCharsets.US_ASCII).split(" ")) {
            if (word.startsWith("what=")) {
                what = What.fromId(word.substring(5));
            } else if (word.startsWith("auid=")) {
                auid = word.substring(5);
            } else if (word.startsWith("detail=")) {
                detail = word.substring(7);
            }
        }
        return what == null ? null : new AuditChange(what, auid, detail);
    }

    @Override
    public String header() {
        return HEADER;
    }

    @Override
    public byte[] encode() {
        return ("what=" + what.id() + " auid=" + auid.replace(' ', '_') + " detail=" + detail)
                .getBytes(StandardCharsets.US_ASCII);
    }
}
