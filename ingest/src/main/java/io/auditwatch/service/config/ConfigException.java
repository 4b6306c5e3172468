package io.auditwatch.service.config;

/**
 * Invalid configuration: names where the value came from (file or environment variable), the key,
 * and what was expected. The service prints the message and exits non-zero.
 */
public final class ConfigException extends RuntimeException {
    private final String origin;
    private final String key;

    public ConfigException(String origin, String key, String problem) {
        super(origin + ": " + key + ": " + problem);
        this.origin = origin;
        this.key = key;
    }

    /** The file path or {@code environment AUDITWATCH_...} the bad value came from. */
    public String origin() {
        return origin;
    }

    /** The configuration key, e.g. {@code listeners.tcp.port}. */
    public String key() {
        return key;
    }
}
