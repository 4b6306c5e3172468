package io.auditwatch.alerting;

import io.auditwatch.alerting.Notification;

/** Where the outbox hands notifications: an SMTP relay or the {@code .eml} folder. */
public interface Delivery {
    /** For logs and health: {@code smtp relay.example.org:587 (starttls required)}; never a secret. */
    String describe();

    /** Opens a batch (one SMTP connection for every due notification). */
    Batch open() throws DeliveryException;

    /**
     * What the relay answered when it accepted a message.
     *
     * @param code the SMTP reply code (250), or 0 for a delivery that is not SMTP (the {@code .eml} folder)
     * @param reply the reply text as the relay sent it, one line, or where the message was written
     */
    record Receipt(int code, String reply) {
    }

    interface Batch extends AutoCloseable {
        /**
         * Returns only once the relay accepted the message for every recipient, with the relay's
         * reply to the end of the message data (RFC 5321 section 4.2).
         */
        Receipt send(Notification n) throws DeliveryException;

        @Override
        void close();
    }
}
