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
     * The configuration value: {@code none}, {@code opportunistic}, {@code required}, {@code implicit}
     * (the service's configuration table declares these and the other accepted spellings).
     */
    public String id() {
        return id;
    }
}
