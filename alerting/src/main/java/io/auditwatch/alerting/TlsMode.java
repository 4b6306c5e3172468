package io.auditwatch.alerting;

import java.util.Locale;

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

    /** The configuration value: {@code none}, {@code opportunistic}, {@code required}, {@code implicit}. */
    public String id() {
        return id;
    }

    /**
     * Parses a configuration value; also accepts the long forms {@code starttls-opportunistic} and
     * {@code starttls-required}, and {@code true}/{@code false} (as opportunistic/none).
     */
    public static TlsMode parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        switch (v) {
            case "none":
            case "false":
                return NONE;
            case "opportunistic":
            case "starttls-opportunistic":
            case "true":
                return STARTTLS_OPPORTUNISTIC;
            case "required":
            case "starttls-required":
                return STARTTLS_REQUIRED;
            case "implicit":
            case "smtps":
                return IMPLICIT;
            default:
                throw new AlertingConfigException("alerting.smtp.starttls",
                        "expected none, opportunistic, required or implicit, got '" + value + "'");
        }
    }
}
