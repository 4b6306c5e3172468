package io.auditwatch.ingest.envelope;

/** Which rule decided an event's node identity, strongest first (ingest/DESIGN.md, Decisions). */
public enum NodeSource {
    /** The TLS client certificate (SAN DNS name, else CN). */
    CERTIFICATE("certificate"),
    /** The inventory's mapping of the source address or CIDR to a node name. */
    INVENTORY("inventory"),
    /** The syslog HOSTNAME: spoofable by any permitted sender. */
    HOSTNAME("hostname"),
    /** The sender's IP address: Docker's default syslog format carries no HOSTNAME. */
    ADDRESS("address");

    private final String id;

    NodeSource(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }
}
