package io.auditwatch.ingest.envelope;

/** The socket a message arrived on. */
public enum Transport {
    UDP("udp"),
    TCP("tcp"),
    /** Syslog over TLS, RFC 5425. */
    TLS("tls");

    private final String id;

    Transport(String id) {
        this.id = id;
    }

    /** Lower-case name used in the envelope and metric labels. */
    public String id() {
        return id;
    }
}
