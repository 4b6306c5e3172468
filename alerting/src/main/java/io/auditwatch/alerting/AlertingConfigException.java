package io.auditwatch.alerting;

/**
 * The alerting configuration is unusable; the service must not start. The message names the
 * configuration key and what it expects, e.g. {@code alerting.recipients.isso: at least one address
 * is required}. Never carries a secret.
 */
public final class AlertingConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String key;

    public AlertingConfigException(String key, String expected) {
        super(key + ": " + expected);
        this.key = key;
    }

    public AlertingConfigException(String key, String expected, Throwable cause) {
        super(key + ": " + expected, cause);
        this.key = key;
    }

    /** The configuration key at fault, e.g. {@code alerting.smtp.port}. */
    public String key() {
        return key;
    }
}
