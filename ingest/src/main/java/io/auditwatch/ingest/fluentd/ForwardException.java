package io.auditwatch.ingest.fluentd;

import io.netty.handler.codec.DecoderException;
import java.util.Objects;

/**
 * A Forward request that breaks the protocol or a bound. The connection carrying it is closed
 * (the protocol has no error response); a client that requested an ack sends the chunk again, so
 * nothing it wanted acknowledged is lost, and what was refused is counted by {@link #error()}.
 */
public final class ForwardException extends DecoderException {
    private static final long serialVersionUID = 1L;

    private final ForwardError error;

    public ForwardException(ForwardError error, String detail) {
        super(error.label() + ": " + detail);
        this.error = Objects.requireNonNull(error, "error");
    }

    public ForwardException(ForwardError error, String detail, Throwable cause) {
        super(error.label() + ": " + detail, cause);
        this.error = Objects.requireNonNull(error, "error");
    }

    public ForwardError error() {
        return error;
    }
}
