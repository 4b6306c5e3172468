package io.auditwatch.alerting;

import java.util.Collection;

/**
 * The sink of alerts that belong to a node's partition (heartbeat's): with an {@link AlertStore}
 * they are shared through it, and the partition's owner reconciles them after taking it.
 */
public interface OwnedAlertSink extends AlertSink {
    /**
     * After the caller took {@code partitions} and judged their nodes once: {@code open} is every
     * alert it holds open there. Alerting opens the ones it lacks (a FIRING the old owner had not
     * stored yet) and closes, with a recovery notice, the ones the caller no longer holds (a
     * RESOLVED the old owner had not stored yet).
     */
    void reconcile(Collection<Integer> partitions, Collection<AlertEvent> open);
}
