package io.auditwatch.ingest.kafka;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Turns a level in bytes into pause and resume signals with hysteresis: pause at or above the high
 * watermark, resume at or below the low one, so listeners do not flap around a single threshold.
 *
 * <p>{@link #check()} is called after every change of the level, from any thread. The common case
 * (no crossing) reads two volatile values and takes no lock. A crossing is decided under a lock that
 * re-reads the level after each transition, so the last caller always leaves the state matching the
 * latest level even when an increase and a decrease race. Listeners are told after the lock is
 * released, in decision order, by one thread at a time.
 */
final class PressureGate {
    private static final Logger log = LoggerFactory.getLogger(PressureGate.class);

    private final LongSupplier level;
    private final long highBytes;
    private final long lowBytes;
    private final LongSupplier nanoTime;
    private final List<PressureListener> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private final ConcurrentLinkedQueue<Boolean> notes = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean delivering = new AtomicBoolean();

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
                    notes.add(Boolean.TRUE);
                } else if (paused && current <= lowBytes) {
                    paused = false;
                    long pausedFor = nanoTime.getAsLong() - pausedSinceNanos;
                    pausedNanosBefore += pausedFor;
                    log.info("Kafka publisher drained to {} bytes: resuming TCP reads after {} ms",
                            current, pausedFor / 1_000_000);
                    notes.add(Boolean.FALSE);
                } else {
                    break;
                }
            }
        }
        deliver();
    }

    /**
     * Tells the listeners, outside {@link #lock}, in the order the transitions were decided. A
     * listener may call back into the gate while holding its own lock (ReadGate offers held events
     * under its monitor, and an offer checks the gate): calling listeners under the gate's lock
     * deadlocked the publisher thread against ReadGate's drainer (found by the spool-full test).
     * Whoever finds notes waiting and nobody delivering delivers them; the others return at once.
     */
    private void deliver() {
        while (!notes.isEmpty() && delivering.compareAndSet(false, true)) {
            try {
                Boolean pause;
                while ((pause = notes.poll()) != null) {
                    boolean p = pause;
                    listeners.forEach(l -> notify(l, p));
                }
            } finally {
                delivering.set(false);
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
