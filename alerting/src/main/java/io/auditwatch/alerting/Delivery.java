package io.auditwatch.alerting;

import io.auditwatch.alerting.Notification;

/** Where the outbox hands notifications: an SMTP relay or the {@code .eml} folder. */
public interface Delivery {
    /** For logs and health: {@code smtp relay.example.org:587 (starttls required)}; never a secret. */
    String describe();

    /** Opens a batch (one SMTP connection for every due notification). */
    Batch open() throws DeliveryException;

    interface Batch extends AutoCloseable {
        /** Returns only once the relay accepted the message for every recipient. */
        void send(Notification n) throws DeliveryException;

        @Override
        void close();
    }
}
