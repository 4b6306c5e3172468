package io.auditwatch.service.report;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The assessor's report: what {@code auditwatch report} and {@code GET /api/report} render as JSON, HTML or
 * CSV. Its JSON form is the schema ingest/README.md documents ("Assessor report"): these records with
 * snake_case names, times as ISO-8601 UTC, absent values as null, lists always present.
 *
 * @param schema {@link #SCHEMA}
 * @param generated when it was made (the only field that differs between two reports of the same data)
 * @param period the reporting period
 * @param controls the controls the report is evidence for
 * @param sources each Kafka topic read, and whether it was read to its end
 * @param nodes one entry per node, by name
 * @param pipelineOutages outages of auditwatch itself (Kafka, listeners, delivery) in the period
 * @param operatorActions operator actions recorded in the period
 * @param testAlert the last test alert the relay accepted up to the end of the period, or null
 */
public record AssessorReport(String schema, Instant generated, Period period, List<Control> controls,
        List<Source> sources, List<NodeReport> nodes, List<Outage> pipelineOutages, OperatorActions operatorActions,
        TestAlert testAlert) {

    /** Changes only when a field is removed or changes meaning; additions keep it. */
    public static final String SCHEMA = "auditwatch-assessor-report/1";

    /** @param from inclusive @param to exclusive */
    public record Period(Instant from, Instant to) {
    }

    /**
     * @param id {@code CIS Docker Benchmark v1.2.0 1.2.3}, {@code DISA STIG DKER-EE-001590}, ...
     * @param title the control's title
     * @param evidence which part of the report answers it
     */
    public record Control(String id, String title, String evidence) {
    }

    /**
     * @param topic topic name
     * @param content what auditwatch keeps there
     * @param exists false when the topic does not exist
     * @param records records read
     * @param complete read to the end offsets captured at the start of the read
     * @param note why not complete, or why absent; empty otherwise
     */
    public record Source(String topic, String content, boolean exists, long records, boolean complete, String note) {
    }

    /**
     * @param node node name
     * @param cis its CIS Docker audit rules as last reported
     * @param streams last audit data per stream, as heartbeat last recorded it
     * @param maintenanceUntil end of the maintenance window heartbeat has for it, or null
     * @param maintenanceReason that window's reason, or null
     * @param outages its outages that overlap the period, oldest first
     * @param windows maintenance and silence actions on it in the period, oldest first
     */
    public record NodeReport(String node, Cis cis, List<StreamData> streams, Instant maintenanceUntil,
            String maintenanceReason, List<Outage> outages, List<OperatorAction> windows) {
    }

    /**
     * @param auditing {@code on}, {@code off} or {@code unknown} (audit_enabled of the last report)
     * @param reported when the node last reported its rules, or null when it never did
     * @param controls every control 1.2.3 to 1.2.12 in benchmark order
     */
    public record Cis(String auditing, Instant reported, List<ControlState> controls) {
    }

    /** @param state {@code ok}, {@code missing}, {@code na} or {@code unknown} */
    public record ControlState(String id, String title, String state) {
    }

    /**
     * @param stream stream id
     * @param state heartbeat's judgement when it last recorded the node
     * @param lastSeen receive time of the newest event, or null when never
     */
    public record StreamData(String stream, String state, Instant lastSeen) {
    }

    /**
     * One alert from firing to resolution.
     *
     * @param node the node, or null for auditwatch's own alerts
     * @param key the alert key
     * @param kind the alert kind ({@code node-silent}, ...)
     * @param stream the stream, or null
     * @param summary the alert's one-line summary
     * @param lastSeen the last event before the gap, or null
     * @param detected when auditwatch detected it
     * @param alerted when its first notification was queued
     * @param alertDelivered when the relay accepted that notification, or null when it has no record of it
     * @param mailed every address a notification about it (first, repeat, escalation, recovery) went to
     * @param resolved when it ended, or null while still open at the end of the history
     * @param recoveryAlerted when the recovery notice was queued, or null
     */
    public record Outage(String node, String key, String kind, String stream, String summary, Instant lastSeen,
            Instant detected, Instant alerted, Instant alertDelivered, List<String> mailed, Instant resolved,
            Instant recoveryAlerted) {
    }

    /**
     * @param topic the operator-audit topic
     * @param recorded whether the topic exists (false: no operator actions recorded)
     * @param actions the actions in the period, oldest first
     */
    public record OperatorActions(String topic, boolean recorded, List<OperatorAction> actions) {
    }

    /**
     * One operator action as the operator-audit topic records it.
     *
     * @param time when it was done
     * @param principal who did it (the admin user)
     * @param remote from where
     * @param action {@code maintenance-start}, {@code silence-create}, {@code test-alert}, ...
     * @param node the node it concerned ({@code parameters.node}), or null
     * @param parameters every other parameter, as text
     * @param reason the reason given, or null
     * @param outcome the outcome recorded
     */
    public record OperatorAction(Instant time, String principal, String remote, String action, String node,
            Map<String, String> parameters, String reason, String outcome) {
    }

    /**
     * The proof that the audit-failure alert path reaches the ISSO and the SA (DKER-EE-001590).
     *
     * @param id the notification id (Message-ID {@code <id@auditwatch>})
     * @param queued when it was sent
     * @param delivered when the relay accepted it
     * @param recipients every address it went to
     * @param isso the configured ISSO addresses among them
     * @param sa the configured SA addresses among them
     * @param smtpCode the relay's reply code (250), 0 when written to the .eml folder
     * @param smtpReply the relay's reply text
     */
    public record TestAlert(String id, Instant queued, Instant delivered, List<String> recipients, List<String> isso,
            List<String> sa, int smtpCode, String smtpReply) {
    }
}
