package io.auditwatch.heartbeat;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Mutable state of one tracked (node, stream). The event path writes {@link #lastSeenMs},
 * {@link #lagMs}, {@link #peakLagMs} and the gap/recovery marks; everything else belongs to the
 * tracker's lock. {@code lastSeenMs} and {@code state} are volatile on purpose: the event path writes
 * last-seen then reads state, evaluation writes state then reads last-seen, so one of them always
 * sees the other and a recovery racing a silence is never lost.
 */
final class Slot {
    static final long NONE = NodeSnapshot.NONE;
    private static final VarHandle ATTENTION;

    static {
        try {
            ATTENTION = MethodHandles.lookup().findVarHandle(Slot.class, "attention", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final NodeEntry node;
    final Stream stream;
    final long thresholdMs;
    final boolean expected;

    volatile long lastSeenMs = NONE;
    volatile StreamState state;
    /** Newest event-time lag; racy max in {@link #peakLagMs} is reset by evaluation. */
    volatile long lagMs = NONE;
    long peakLagMs = NONE;
    /** Receive time of the first event after the stream left HEALTHY (outage end), or NONE. */
    volatile long recoveredAtMs = NONE;
    /** A receive-time gap the event path saw while evaluation still said HEALTHY. */
    volatile long gapFromMs = NONE;
    volatile long gapToMs = NONE;
    @SuppressWarnings("unused") // via ATTENTION
    private volatile int attention;

    // Owned by the tracker's lock.
    long silentSinceMs = NONE;
    boolean auditDisabled;
    boolean lagHigh;
    long armedAtMs;
    boolean armed;
    /** Whether the pair has its per-pair gauges (HeartbeatMetrics bounds how many enrolled pairs do). */
    boolean labelled;
    long flushedLastSeenMs = NONE;
    /** Receive time that ended the latest silence: the RESOLVED notice's {@code at}. */
    long lastRecoveryMs = NONE;

    Slot(NodeEntry node, Stream stream, long thresholdMs, boolean expected, StreamState initial) {
        this.node = node;
        this.stream = stream;
        this.thresholdMs = thresholdMs;
        this.expected = expected;
        this.state = initial;
    }

    /** True for the caller that must enqueue this slot; false when it is already queued. */
    boolean claimAttention() {
        return ATTENTION.compareAndSet(this, 0, 1);
    }

    void clearAttention() {
        ATTENTION.setVolatile(this, 0);
    }

    String key(String prefix) {
        return prefix + "/" + node.name + "/" + stream.id();
    }
}
