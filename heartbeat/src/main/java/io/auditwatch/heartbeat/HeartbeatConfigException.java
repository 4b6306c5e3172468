package io.auditwatch.heartbeat;

/**
 * An invalid heartbeat setting or inventory entry. The message names the offending key (e.g.
 * {@code heartbeat.grace-period} or {@code nodes[mgr-1].role}) so an operator can fix it at start-up.
 */
public final class HeartbeatConfigException extends IllegalArgumentException {
    private final String key;

    public HeartbeatConfigException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
    }

    /** The configuration key or inventory path that is wrong. */
    public String key() {
        return key;
    }
}
