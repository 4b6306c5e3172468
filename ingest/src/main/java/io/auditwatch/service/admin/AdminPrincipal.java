package io.auditwatch.service.admin;

import java.util.Objects;

/**
 * Who made an admin request: the Basic user name, the verified client certificate's identity, or
 * {@value #ANONYMOUS} when the server requires no authentication (loopback, or
 * {@code admin.allow-unauthenticated}); the role it was granted; and the address it came from.
 * Route handlers receive it (see {@link AdminRoutes#post(String, AdminRoutes.Operation)}) to say
 * who did what.
 *
 * @param name user name or certificate identity; never a password
 * @param role the role granted
 * @param remoteAddress the client's IP address as text (no port)
 */
public record AdminPrincipal(String name, AdminRole role, String remoteAddress) {

    /** The name of every request when no authentication is configured. */
    public static final String ANONYMOUS = "anonymous";

    public AdminPrincipal {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(remoteAddress, "remoteAddress");
    }

    /** {@code name (role) from address}, for log lines and audit records. */
    @Override
    public String toString() {
        return name + " (" + role.name().toLowerCase(java.util.Locale.ROOT) + ") from " + remoteAddress;
    }
}
