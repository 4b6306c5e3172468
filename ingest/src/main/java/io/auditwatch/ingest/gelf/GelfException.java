package io.auditwatch.ingest.gelf;

import java.util.Objects;

/** A GELF payload that breaks the format or a bound; the message is dropped and counted by {@link #error()}. */
public final class GelfException extends Exception {
    private static final long serialVersionUID = 1L;

    private final GelfError error;

    public GelfException(GelfError error, String detail) {
        super(error.label() + ": " + detail);
        this.error = Objects.requireNonNull(error, "error");
    }

    public GelfException(GelfError error, String detail, Throwable cause) {
        super(error.label() + ": " + detail, cause);
        this.error = Objects.requireNonNull(error, "error");
    }

    public GelfError error() {
        return error;
    }
}
