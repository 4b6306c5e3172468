package io.auditwatch.heartbeat.compliance;

/**
 * What ingest found in an auditd record that heartbeat's compliance tracking needs: a v=2 pulse's
 * rule state, or a change auditd itself reported. Travels as one record header of
 * {@code audit.events} (heartbeat/README.md, "Compliance: CIS rule state and audit changes"), so
 * heartbeat still never parses the record body.
 */
public sealed interface ComplianceSignal permits RuleState, AuditChange {

    /** The header this signal travels in. */
    String header();

    /** The header's value, US-ASCII. */
    byte[] encode();
}
