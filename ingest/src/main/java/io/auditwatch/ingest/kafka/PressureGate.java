package io.auditwatch.ingest.kafka;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * Turns a level in bytes into pause and resume signals with hysteresis: pause at or above the high
 * watermark, resume at or below the low one, so listeners do not flap around a single threshold.
 *
 * <p>{@link #check()} is called after every change of the level, from any thread. The common case
 * (no crossing) reads two volatile values and takes no lock. A crossing is decided under a lock that
 * re-reads the level after each transition, so the last caller always leaves the state matching the
 * latest level even when an increase and a decrease race.
 */
final class PressureGate {
    private static final Logger log = LoggerFactory.getLogger(PressureGate.class);

    private final LongSupplier level;
    private final long highBytes;
    private final long lowBytes;
    private final LongSupplier nanoTime;
    private final List<PressureListener> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();

    private volatile boolean paused;
    private long pausedSinceNanos;
    private long pausedNanosBefore;
    private long pauses;

    /**
     * @param level the current level in bytes
     * @param highBytes pause at or above this level
     * @param lowBytes resume at or below this level; below {@code highBytes}
     * @param nanoTime monotonic clock for the time spent paused
     */
    PressureGate(LongSupplier level, long highBytes, long lowBytes, LongSupplier nanoTime) {
        if (lowBytes < 0 || lowBytes >= highBytes) {
            throw new IllegalArgumentException("need 0 <= low < high, got low=" + lowBytes + " high=" + highBytes);
        }
        this.level = Objects.requireNonNull(level, "level");
        this.highBytes = highBytes;
        this.lowBytes = lowBytes;
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    void addListener(PressureListener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (lock) {
            listeners.add(listener);
            if (paused) {
                notify(listener, true);
            }
        }
    }

    void check() {
        boolean p = paused;
        long now = level.getAsLong();
        if (p ? now > lowBytes : now < highBytes) {
            return;
        }
        synchronized (lock) {
            while (true) {
                long current = level.getAsLong();
                if (!paused && current >= highBytes) {
                    paused = true;
                    pauses++;
                    pausedSinceNanos = nanoTime.getAsLong();
                    log.warn("Kafka publisher holds {} bytes, at or above its high watermark of {}: pausing TCP reads"
                            + " until it drains to {}", current, highBytes, lowBytes);
                    listeners.forEach(l -> notify(l, true));
                } else if (paused && current <= lowBytes) {
                    paused = false;
                    long pausedFor = nanoTime.getAsLong() - pausedSinceNanos;
                    pausedNanosBefore += pausedFor;
                    log.info("Kafka publisher drained to {} bytes: resuming TCP reads after {} ms",
                            current, pausedFor / 1_000_000);
                    listeners.forEach(l -> notify(l, false));
                } else {
                    return;
                }
            }
        }
    }

    boolean paused() {
        return paused;
    }

    /** Times paused so far. */
    long pauses() {
        synchronized (lock) {
            return pauses;
        }
    }

    /** Total time spent paused, including the pause in progress, in nanoseconds. */
    long pausedNanos() {
        synchronized (lock) {
            return pausedNanosBefore + (paused ? nanoTime.getAsLong() - pausedSinceNanos : 0);
        }
    }

    private static void notify(PressureListener listener, boolean pause) {
        try {
            if (pause) {
                listener.pause();
            } else {
                listener.resume();
            }
        } catch (RuntimeException e) {
            // A broken listener must not stop the others nor the publisher; it is a bug to see in the log.
            log.error("Pressure listener {} failed on {}", listener, pause ? "pause" : "resume", e);
        }
    }
}
