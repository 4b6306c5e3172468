package io.auditwatch.alerting;

import java.util.Locale;

/** A notification was not accepted. Its message never contains a password or message content. */
public final class DeliveryException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why, as the bounded {@code reason} label of {@code auditwatch_alert_delivery_failures_total}. */
    public enum Reason {
        /** TCP connect failed or the connection broke. */
        CONNECT,
        /** TLS handshake, certificate or "STARTTLS required but not offered". */
        TLS,
        /** SMTP AUTH rejected. */
        AUTH,
        /** A connect, read or write timeout. */
        TIMEOUT,
        /** The relay refused this message or a recipient (RCPT/DATA reply); other messages may pass. */
        REJECTED,
        /** Writing the message (the .eml file, or the outbox entry) failed. */
        IO,
        OTHER;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;

    public DeliveryException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** True when only this message failed: keep delivering the others; false when the relay is unusable. */
    public boolean perMessage() {
        return reason == Reason.REJECTED;
    }
}
