package io.auditwatch.ingest.spool;

import org.slf4j.Logger;

/**
 * A warning logged at most once per {@link #INTERVAL_NANOS}, with the count of the ones held back, so
 * that a badly damaged spool cannot flood the log.
 */
final class RateLimitedWarning {
    /** Ten seconds, as the Kafka publisher's failure log. */
    static final long INTERVAL_NANOS = 10_000_000_000L;

    private final Logger log;
    private long lastNanos;
    private boolean logged;
    private long suppressed;

    RateLimitedWarning(Logger log) {
        this.log = log;
    }

    synchronized void warn(String message) {
        long now = System.nanoTime();
        if (logged && now - lastNanos < INTERVAL_NANOS) {
            suppressed++;
            return;
        }
        logged = true;
        lastNanos = now;
        if (suppressed > 0) {
            log.warn("{} (and {} similar since the last such line)", message, suppressed);
            suppressed = 0;
        } else {
            log.warn(message);
        }
    }

    synchronized void flush() {
        if (suppressed > 0) {
            log.warn("{} more spool warnings were held back", suppressed);
            suppressed = 0;
        }
    }
}
