package io.auditwatch.service.admin;

import io.auditwatch.ingest.transport.TlsIdentityHandler;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.ssl.SslHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Who may ask what of the admin server (deploy/README.md, "Admin access"): the {@code Host} and
 * {@code Origin} checks against DNS rebinding and cross-site requests, the JSON-only rule for POST,
 * and authentication to an {@link AdminPrincipal}. Pure decisions on one request's headers; the
 * handler answers and counts the refusals.
 */
final class AdminAccess {

    /**
     * The media type every POST must declare. A browser sends a cross-site request without a CORS
     * preflight only with {@code text/plain}, {@code multipart/form-data} or
     * {@code application/x-www-form-urlencoded}, or none at all ({@code navigator.sendBeacon} of a
     * Blob); requiring this one makes every cross-site POST either refused here or preflighted,
     * and the preflight fails because the server sends no CORS headers (Fetch standard, "CORS-safelisted
     * request-header").
     */
    static final String JSON_MEDIA_TYPE = "application/json";

    private final BasicCredentials operator;
    private final BasicCredentials read;
    private final Set<String> operatorSubjects;
    private final Set<String> hostNames;
    private final boolean authenticates;

    AdminAccess(AdminSettings settings) {
        this.operator = settings.credentials();
        this.read = settings.readCredentials();
        this.operatorSubjects = settings.tls() == null ? Set.of() : Set.copyOf(settings.tls().operatorSubjects());
        this.hostNames = Set.copyOf(settings.hostNames());
        this.authenticates = settings.authenticates();
    }

    /** Whether {@code contentType} (null when absent) is {@code application/json}, with any parameters. */
    static boolean json(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semi = contentType.indexOf(';');
        String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
        return type.equalsIgnoreCase(JSON_MEDIA_TYPE);
    }

    /**
     * Whether the {@code Host} header names this server: one of the allowed names, or the IP
     * address the connection arrived on (what Prometheus and Kubernetes probes send when they
     * address a pod by IP; a rebinding page always uses a name). The port is ignored.
     */
    boolean hostAllowed(String host, InetSocketAddress local) {
        if (host == null) {
            return false;
        }
        String name = stripPort(host.trim()).toLowerCase(Locale.ROOT);
        if (hostNames.contains(name)) {
            return true;
        }
        return local != null && name.equals(literal(local.getAddress()));
    }

    /**
     * Whether a POST's {@code Origin} is acceptable: absent (not a browser, or a same-origin form
     * older browsers send without it), or {@code http(s)://<allowed host>[:port]}. {@code null}
     * (sandboxed frames, redirects) and every other site are refused.
     */
    boolean originAllowed(HttpHeaders headers, InetSocketAddress local) {
        String origin = headers.get(HttpHeaderNames.ORIGIN);
        if (origin == null) {
            return true;
        }
        try {
            URI uri = new URI(origin.trim());
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    || uri.getHost() == null || uri.getRawPath() != null && !uri.getRawPath().isEmpty()) {
                return false;
            }
            return hostAllowed(uri.getHost(), local);
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /**
     * The principal of a request, or null when it must authenticate and did not. A verified client
     * certificate comes first, then Basic credentials (operator, then read); with no
     * authentication configured every request is {@link AdminPrincipal#ANONYMOUS} operator.
     */
    AdminPrincipal authenticate(String authorization, SslHandler ssl, String remote) {
        if (!authenticates) {
            return new AdminPrincipal(AdminPrincipal.ANONYMOUS, AdminRole.OPERATOR, remote);
        }
        String identity = TlsIdentityHandler.identity(ssl);
        if (identity != null) {
            AdminRole role = operatorSubjects.contains(identity) ? AdminRole.OPERATOR : AdminRole.READ;
            return new AdminPrincipal(identity, role, remote);
        }
        if (operator != null && operator.matches(authorization)) {
            return new AdminPrincipal(operator.username(), AdminRole.OPERATOR, remote);
        }
        if (read != null && read.matches(authorization)) {
            return new AdminPrincipal(read.username(), AdminRole.READ, remote);
        }
        return null;
    }

    /** {@code host} without {@code :port}; IPv6 literals keep their brackets. */
    static String stripPort(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.indexOf(':');
        return colon >= 0 && colon == host.lastIndexOf(':') ? host.substring(0, colon) : host;
    }

    /** An address as a Host header writes it: dotted IPv4, or bracketed IPv6. */
    static String literal(InetAddress a) {
        String text = a.getHostAddress();
        int zone = text.indexOf('%');
        if (zone >= 0) {
            text = text.substring(0, zone);
        }
        return a instanceof java.net.Inet6Address ? "[" + io.netty.util.NetUtil.toAddressString(a) + "]" : text;
    }

    /** The configured names, for the start-up log. */
    List<String> hostNames() {
        return hostNames.stream().sorted().toList();
    }
}
