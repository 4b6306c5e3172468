/**
 * What heartbeat and ingest see of alerting: the alert model ({@link io.auditwatch.alerting.AlertEvent},
 * {@link io.auditwatch.alerting.AlertKind}, {@link io.auditwatch.alerting.Notification}), the ports
 * ({@link io.auditwatch.alerting.AlertSink} in, {@link io.auditwatch.alerting.AlertHistory} and
 * {@link io.auditwatch.alerting.Delivery} out), the settings, the meters, and
 * {@link io.auditwatch.alerting.PrivateFiles}, the owner-only mode of everything kept on disk.
 *
 * <p>Dependencies run one way: {@code engine} (the front {@link io.auditwatch.alerting.engine.Alerting}:
 * open alerts, grouping, repeats, escalation, silences and the wording of notifications) wires
 * {@code mail} (SMTP relay or {@code .eml} folder) and {@code outbox} (the persistent queue with
 * retries); {@code mail} uses {@code outbox}'s atomic file writes; all three use this package, which
 * uses none of them.
 */
package io.auditwatch.alerting;
