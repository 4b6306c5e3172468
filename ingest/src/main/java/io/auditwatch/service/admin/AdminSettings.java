package io.auditwatch.service.admin;

import java.time.Duration;
import java.util.Objects;

/**
 * Where and how the admin HTTP server listens (configuration keys {@code admin.host},
 * {@code admin.port}).
 *
 * @param host bind address; {@code 127.0.0.1} by default so that nothing is exposed unasked
 * @param port TCP port; 0 picks a free one (tests), see {@link AdminServer#port()}
 * @param credentials HTTP Basic credentials required on every path but {@code /health}, or null for
 *     none
 * @param maxRequestBytes largest request body accepted; larger ones get 413
 * @param idleTimeout an admin connection with no traffic for this long is closed
 */
public record AdminSettings(
        String host, int port, BasicCredentials credentials, int maxRequestBytes, Duration idleTimeout) {

    /**
     * The admin API takes small JSON commands (maintenance windows, decommissions); 64 KiB leaves
     * two orders of magnitude of headroom and keeps a hostile client from making the server buffer
     * megabytes.
     */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 64 * 1024;

    /**
     * Prometheus keeps scrape connections alive between scrapes (15 s to 1 min intervals are
     * usual); two minutes keeps those and still frees the sockets of clients that went away. Admin
     * clients are not syslog senders, so closing idle ones loses nothing (ingest/DESIGN.md, "Respect the
     * sender", applies to the listeners only).
     */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(2);

    public AdminSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("admin.port out of range: " + port);
        }
        if (maxRequestBytes <= 0) {
            throw new IllegalArgumentException("maxRequestBytes must be positive: " + maxRequestBytes);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout must be positive: " + idleTimeout);
        }
    }

    /** {@code host:port} with the default limits and no authentication. */
    public static AdminSettings of(String host, int port) {
        return new AdminSettings(host, port, null, DEFAULT_MAX_REQUEST_BYTES, DEFAULT_IDLE_TIMEOUT);
    }

    /** A copy that requires {@code credentials} (null removes the requirement). */
    public AdminSettings withCredentials(BasicCredentials credentials) {
        return new AdminSettings(host, port, credentials, maxRequestBytes, idleTimeout);
    }

    /** A copy with another idle timeout. */
    public AdminSettings withIdleTimeout(Duration idleTimeout) {
        return new AdminSettings(host, port, credentials, maxRequestBytes, idleTimeout);
    }

    /** A copy with another body limit. */
    public AdminSettings withMaxRequestBytes(int maxRequestBytes) {
        return new AdminSettings(host, port, credentials, maxRequestBytes, idleTimeout);
    }
}
