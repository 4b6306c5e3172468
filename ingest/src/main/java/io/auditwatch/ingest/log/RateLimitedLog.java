package io.auditwatch.ingest.log;

import org.slf4j.Logger;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One log line per interval at most for a repeating condition, carrying how many times it happened
 * since the previous line and the latest detail: a failing Kafka, a damaged spool or a flood of bad
 * connections must be visible in the log without writing a line per event (every occurrence is
 * still counted in the metrics). The first occurrence is logged at once. The one rate-limited log
 * of ingest: the publisher, the spool and the listeners share it.
 */
public final class RateLimitedLog {
    /** Ten seconds: a failure shows within one scrape interval, and an outage costs 6 lines a minute per reason. */
    public static final long DEFAULT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Logger log;
    private final String what;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong lastLineNanos;
    private volatile String latest;

    /** A log of {@code what} at most every {@link #DEFAULT_INTERVAL_NANOS}. */
    public RateLimitedLog(Logger log, String what) {
        this(log, what, DEFAULT_INTERVAL_NANOS, System::nanoTime);
    }

    public RateLimitedLog(Logger log, String what, long intervalNanos, LongSupplier nanoTime) {
        this.log = log;
        this.what = what;
        this.intervalNanos = intervalNanos;
        this.nanoTime = nanoTime;
        this.lastLineNanos = new AtomicLong(nanoTime.getAsLong() - intervalNanos);
    }

    /** Counts one occurrence; logs a line if the last one is at least an interval old. */
    public void record(String detail) {
        latest = detail;
        count.incrementAndGet();
        long now = nanoTime.getAsLong();
        long last = lastLineNanos.get();
        if (now - last >= intervalNanos && lastLineNanos.compareAndSet(last, now)) {
            emit();
        }
    }

    /** Logs what was counted since the last line, if anything (at close, so nothing goes unreported). */
    public void flush() {
        if (count.get() > 0) {
            emit();
        }
    }

    /**
     * A sender-chosen value (a HOSTNAME, a certificate name) as it may appear in a log line or an
     * alert: at most {@code maxChars} characters; every one outside printable US-ASCII, and the
     * backslash and quotes, written as a hex escape, so a sender can neither forge a log line nor
     * make one long; "..." marks a cut.
     */
    public static String escape(String value, int maxChars) {
        if (value == null) {
            return "null";
        }
        StringBuilder s = new StringBuilder(Math.min(value.length(), maxChars) + 8);
        int shown = Math.min(value.length(), maxChars);
        for (int i = 0; i < shown; i++) {
            char ch = value.charAt(i);
            if (ch >= 0x20 && ch < 0x7f && ch != '\\' && ch != '"' && ch != '\'') {
                s.append(ch);
            } else if (ch < 0x100) {
                s.append(String.format("\\x%02x", (int) ch));
            } else {
                s.append(String.format("\\u%04x", (int) ch));
            }
        }
        return value.length() > shown ? s.append("...").toString() : s.toString();
    }

    private void emit() {
        long n = count.getAndSet(0);
        if (n > 0) {
            log.warn("{}: {} since the previous report; latest: {}", what, n, latest);
        }
    }
}
