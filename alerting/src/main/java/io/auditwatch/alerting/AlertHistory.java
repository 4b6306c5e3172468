package io.auditwatch.alerting;

/**
 * Where every queued notification is also recorded (ingest implements it with a Kafka producer to
 * {@code auditwatch.alerts}). Called on the alerting thread: must not block; failures are logged
 * and never stop delivery by email.
 */
@FunctionalInterface
public interface AlertHistory {
    AlertHistory NONE = n -> { };

    void record(Notification n);

    /**
     * The relay accepted {@code n} for every recipient at {@code at}, answering {@code receipt}. Called
     * on the delivering thread: must not block.
     */
    default void delivered(Notification n, Delivery.Receipt receipt, java.time.Instant at) {
    }
}
