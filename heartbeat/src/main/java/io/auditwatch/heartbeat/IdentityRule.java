package io.auditwatch.heartbeat;

import java.util.Locale;

/**
 * How a node of the inventory must be recognised ({@code identity:} in {@code config/nodes.yaml};
 * heartbeat/README.md, "Identity rules"). An event that names a node without meeting its rule is
 * stored but attributed to what its sender really is, and never counts as that node's liveness.
 */
public enum IdentityRule {
    /** Only a verified TLS client certificate naming the node (SAN DNS name, else CN). */
    CERTIFICATE,
    /** Only a sender whose source address lies in the node's {@code addresses:}. */
    ADDRESS,
    /** Also the syslog HOSTNAME, which any permitted sender can write (the default). */
    HOSTNAME;

    /** The inventory spelling: {@code certificate}, {@code address} or {@code hostname}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The rule spelled {@code id}, or null when there is none. */
    public static IdentityRule byId(String id) {
        for (IdentityRule r : values()) {
            if (r.id().equals(id)) {
                return r;
            }
        }
        return null;
    }
}
