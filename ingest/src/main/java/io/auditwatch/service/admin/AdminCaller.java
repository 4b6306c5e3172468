package io.auditwatch.service.admin;

import java.util.Objects;

/**
 * Who sent an admin request and from where, for the operator audit record.
 *
 * @param principal the authenticated user, or {@value #ANONYMOUS} when the admin server has no
 *     authentication configured
 * @param remoteAddress the peer's {@code address:port} as the server saw it (no proxy header is trusted)
 */
public record AdminCaller(String principal, String remoteAddress) {
    /** The principal of a request to an admin server without authentication. */
    public static final String ANONYMOUS = "anonymous";

    public AdminCaller {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(remoteAddress, "remoteAddress");
    }
}
