package io.auditwatch.alerting;

/** Where heartbeat and ingest hand their transitions. Implementations must not block for long. */
@FunctionalInterface
public interface AlertSink {
    void accept(AlertEvent event);
}
