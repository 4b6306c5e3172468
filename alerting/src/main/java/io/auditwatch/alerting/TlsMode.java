package io.auditwatch.alerting;

/** How the connection to the SMTP relay is protected; key {@code alerting.smtp.starttls}. */
public enum TlsMode {
    /** Plain SMTP; only for a relay on the same host or a trusted segment. */
    NONE("none"),
    /** STARTTLS when the server offers it, plain otherwise (the RFC 3207 default of most MTAs). */
    STARTTLS_OPPORTUNISTIC("opportunistic"),
    /** STARTTLS or no delivery: a relay that does not offer it is a delivery failure. */
    STARTTLS_REQUIRED("required"),
    /** TLS from the first byte (SMTPS, RFC 8314 section 3.3, usually port 465). */
    IMPLICIT("implicit");

    private final String id;

    TlsMode(String id) {
        this.id = id;
    }

    /**
     * Whether every command after the greeting, AUTH included, is sent encrypted or not at all:
     * {@link #STARTTLS_REQUIRED} fails the delivery before AUTH when the relay does not offer
     * STARTTLS, {@link #IMPLICIT} is TLS from the first byte.
     */
    public boolean encrypts() {
        return this == STARTTLS_REQUIRED || this == IMPLICIT;
    }

    /**
     * The configuration value: {@code none}, {@code opportunistic}, {@code required}, {@code implicit}
     * (the service's configuration table declares these and the other accepted spellings).
     */
    public String id() {
        return id;
    }
}
