package io.auditwatch.ingest.kafka;

/** Kafka did not answer within the allowed time: at start-up, this stops the service with a clear message. */
public final class KafkaUnreachableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KafkaUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
