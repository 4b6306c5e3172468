package io.auditwatch.service.admin;

/**
 * What an authenticated admin client may do (deploy/README.md, "Admin access").
 * {@link #READ} is for scrapers and dashboards, {@link #OPERATOR} for people who change what is
 * alerted.
 */
public enum AdminRole {
    /** {@code /metrics}, {@code /health}, {@code /ready}, {@code /status} and every GET under {@code /api}; never POST. */
    READ,
    /** Every route, POST included. */
    OPERATOR;

    /** Whether this role may use {@code method} (GET, HEAD, POST...). */
    boolean allows(io.netty.handler.codec.http.HttpMethod method) {
        return this == OPERATOR || method.equals(io.netty.handler.codec.http.HttpMethod.GET)
                || method.equals(io.netty.handler.codec.http.HttpMethod.HEAD);
    }
}
