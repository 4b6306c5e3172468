package io.auditwatch.heartbeat;

/**
 * The audit streams whose liveness is tracked per node. Ingest classifies every event into exactly
 * one of them; heartbeat judges silence per (node, stream).
 */
public enum Stream {
    /** Linux audit records (auditd via audisp-syslog, rsyslog imfile, ...), including pulses. */
    AUDITD("auditd"),
    /** UCP / MKE audit lines from {@code ucp-controller}, and Kubernetes audit.k8s.io Events. */
    UCP_AUDIT("ucp-audit"),
    /** DTR / MSR events and webhook payloads. */
    DTR_AUDIT("dtr-audit"),
    /** dockerd's own log lines. */
    DOCKERD("dockerd"),
    /** Container output carried by Docker's syslog log driver. */
    CONTAINER("container"),
    /** Anything else. */
    OTHER("other");

    private final String id;

    Stream(String id) {
        this.id = id;
    }

    /** The stable wire and configuration name ({@code ucp-audit}, ...). */
    public String id() {
        return id;
    }

    /**
     * The stream for a wire or configuration name.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static Stream fromId(String id) {
        for (Stream s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown stream '" + id + "'");
    }

    @Override
    public String toString() {
        return id;
    }
}
