package io.auditwatch.service.admin;

import io.netty.util.NetUtil;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where and how the admin HTTP server listens and whom it answers (configuration keys
 * {@code admin.*}; deploy/README.md, "Admin access").
 *
 * @param host bind address; {@code 127.0.0.1} by default so that nothing is exposed unasked
 * @param port TCP port; 0 picks a free one (tests), see {@link AdminServer#port()}
 * @param credentials HTTP Basic credentials of the {@link AdminRole#OPERATOR} role, or null
 * @param maxRequestBytes largest request body accepted; larger ones get 413
 * @param idleTimeout an admin connection with no traffic for this long is closed
 * @param readCredentials HTTP Basic credentials of the {@link AdminRole#READ} role, or null
 * @param tls HTTPS (and mutual TLS), or null for plain HTTP
 * @param allowedHosts {@code Host} names answered (port ignored); empty means {@link #DEFAULT_ALLOWED_HOSTS}
 *     and {@code host}
 * @param allowUnauthenticated the operator's explicit consent to a non-loopback {@code host} without
 *     authentication (see {@link #openToTheNetwork()})
 */
public record AdminSettings(
        String host, int port, BasicCredentials credentials, int maxRequestBytes, Duration idleTimeout,
        BasicCredentials readCredentials, AdminTls tls, List<String> allowedHosts, boolean allowUnauthenticated) {

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

    /** The loopback names a local client uses; a page on another site can only reach them by DNS rebinding. */
    public static final List<String> DEFAULT_ALLOWED_HOSTS = List.of("localhost", "127.0.0.1", "[::1]");

    public AdminSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        allowedHosts = allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
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

    /** {@code host:port} with the default limits, plain HTTP and no authentication. */
    public static AdminSettings of(String host, int port) {
        return new AdminSettings(host, port, null, DEFAULT_MAX_REQUEST_BYTES, DEFAULT_IDLE_TIMEOUT, null, null,
                List.of(), false);
    }

    /** A copy whose operator role requires {@code credentials} (null removes them). */
    public AdminSettings withCredentials(BasicCredentials credentials) {
        return new AdminSettings(host, port, credentials, maxRequestBytes, idleTimeout, readCredentials, tls,
                allowedHosts, allowUnauthenticated);
    }

    /** A copy whose read role requires {@code readCredentials} (null removes them). */
    public AdminSettings withReadCredentials(BasicCredentials readCredentials) {
        return new AdminSettings(host, port, credentials, maxRequestBytes, idleTimeout, readCredentials, tls,
                allowedHosts, allowUnauthenticated);
    }

    /** A copy served over {@code tls} (null: plain HTTP). */
    public AdminSettings withTls(AdminTls tls) {
        return new AdminSettings(host, port, credentials, maxRequestBytes, idleTimeout, readCredentials, tls,
                allowedHosts, allowUnauthenticated);
    }

    /** A copy answering only these {@code Host} names. */
    public AdminSettings withAllowedHosts(List<String> allowedHosts) {
        return new AdminSettings(host, port, credentials, maxRequestBytes, idleTimeout, readCredentials, tls,
                allowedHosts, allowUnauthenticated);
    }

    /** A copy with the operator's consent to no authentication on a non-loopback address. */
    public AdminSettings withAllowUnauthenticated(boolean allowUnauthenticated) {
        return new AdminSettings(host, port, credentials, maxRequestBytes, idleTimeout, readCredentials, tls,
                allowedHosts, allowUnauthenticated);
    }

    /** A copy with another idle timeout. */
    public AdminSettings withIdleTimeout(Duration idleTimeout) {
        return new AdminSettings(host, port, credentials, maxRequestBytes, idleTimeout, readCredentials, tls,
                allowedHosts, allowUnauthenticated);
    }

    /** A copy with another body limit. */
    public AdminSettings withMaxRequestBytes(int maxRequestBytes) {
        return new AdminSettings(host, port, credentials, maxRequestBytes, idleTimeout, readCredentials, tls,
                allowedHosts, allowUnauthenticated);
    }

    /** Whether any request must authenticate: credentials of either role, or client certificates. */
    public boolean authenticates() {
        return credentials != null || readCredentials != null || (tls != null && tls.mutual());
    }

    /** Whether {@code host} is a loopback address or {@code localhost}; a name that needs DNS counts as not. */
    public boolean loopback() {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!NetUtil.isValidIpV4Address(h) && !NetUtil.isValidIpV6Address(h)) {
            return false;
        }
        java.net.InetAddress a = NetUtil.createInetAddressFromIpAddressString(h);
        return a != null && a.isLoopbackAddress();
    }

    /**
     * Served with neither authentication nor loopback-only reach: allowed only with
     * {@link #allowUnauthenticated}, and then logged at every start and shown on {@code /status}.
     */
    public boolean openToTheNetwork() {
        return !loopback() && !authenticates();
    }

    /** The {@code Host} names answered: {@link #allowedHosts}, or the defaults and {@code host}. */
    List<String> hostNames() {
        if (!allowedHosts.isEmpty()) {
            return allowedHosts;
        }
        String own = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        java.util.Set<String> names = new java.util.LinkedHashSet<>(DEFAULT_ALLOWED_HOSTS);
        names.add(own.toLowerCase(Locale.ROOT));
        return List.copyOf(names);
    }

    @Override
    public String toString() {
        return "AdminSettings[" + host + ":" + port + ", tls " + (tls != null) + ", operator credentials "
                + (credentials != null) + ", read credentials " + (readCredentials != null) + "]";
    }
}
