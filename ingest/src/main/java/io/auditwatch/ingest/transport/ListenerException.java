package io.auditwatch.ingest.transport;

/** A listener could not start (port in use, address not local, bad TLS material). */
public final class ListenerException extends RuntimeException {
    public ListenerException(String message, Throwable cause) {
        super(message, cause);
    }
}
