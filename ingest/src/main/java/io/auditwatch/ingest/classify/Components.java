package io.auditwatch.ingest.classify;

import java.util.Set;

/**
 * The bounded set of component names a {@link Classification} may carry. Bounded because the
 * component travels as a Kafka header that heartbeat groups by; message content must never widen
 * it.
 */
final class Components {
    static final String UCP_CONTROLLER = "ucp-controller";
    static final String UCP_KUBE_APISERVER = "ucp-kube-apiserver";
    static final String DOCKERD = "dockerd";
    static final String CONTAINERD = "containerd";
    static final String AUDISP_SYSLOG = "audisp-syslog";
    static final String AUDISPD = "audispd";
    /** A DTR/MSR container whose component part is not in {@link #DTR_PARTS}. */
    static final String DTR_UNKNOWN = "dtr";

    /**
     * The component parts of DTR/MSR 2.x container names {@code dtr-<part>-<replicaID>}
     * (ingest/README.md, "DTR / MSR events"; MSR 2.9 installs exactly these containers per replica).
     */
    static final Set<String> DTR_PARTS = Set.of(
            "api", "garant", "jobrunner", "nginx", "notary-server", "notary-signer", "registry",
            "rethinkdb", "scanningstore");

    private Components() {
    }

    /** {@code dtr-<part>} for a known part, else {@link #DTR_UNKNOWN}. */
    static String dtr(String part) {
        return part != null && DTR_PARTS.contains(part) ? "dtr-" + part : DTR_UNKNOWN;
    }
}
