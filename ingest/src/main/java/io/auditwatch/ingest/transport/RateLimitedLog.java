package io.auditwatch.ingest.transport;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a kind of event at most once per interval, with the number suppressed since the last line,
 * so that a flood of bad input cannot flood the log while every occurrence is still counted in the
 * metrics.
 */
final class RateLimitedLog {
    private final Logger log;
    private final long intervalNanos;
    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

    private static final class State {
        final AtomicLong nextNanos = new AtomicLong(Long.MIN_VALUE);
        final AtomicLong suppressed = new AtomicLong();
    }

    RateLimitedLog(Logger log, Duration interval) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
    }

    /** Logs at WARN unless a line of the same {@code kind} was logged within the interval. */
    void warn(String kind, String format, Object... args) {
        State s = states.computeIfAbsent(kind, k -> new State());
        long now = System.nanoTime();
        long next = s.nextNanos.get();
        if ((next == Long.MIN_VALUE || now - next >= 0) && s.nextNanos.compareAndSet(next, now + intervalNanos)) {
            long n = s.suppressed.getAndSet(0);
            if (n > 0) {
                log.warn(format + " (and {} more like it since the last report)", append(args, n));
            } else {
                log.warn(format, args);
            }
        } else {
            s.suppressed.incrementAndGet();
        }
    }

    private static Object[] append(Object[] args, long n) {
        Object[] out = java.util.Arrays.copyOf(args, args.length + 1);
        out[args.length] = n;
        return out;
    }
}
