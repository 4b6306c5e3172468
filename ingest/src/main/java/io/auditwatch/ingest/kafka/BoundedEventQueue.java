package io.auditwatch.ingest.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The publisher's memory bound: events wait here for the publisher thread, and their bytes stay
 * counted after it hands them to the producer, until Kafka acknowledges or fails them
 * ({@link #release}). So the bound covers queued plus in-flight bytes, and the producer's own buffer
 * never fills (its {@code buffer.memory} is larger).
 *
 * <p>{@link #offer} never waits: it reserves bytes with a compare-and-set and appends to an
 * unbounded linked queue; it is safe from any number of Netty event loops at once.
 */
final class BoundedEventQueue {
    /** Pause readers when 80% of the bound is held: leaves 20% for what is already on the wire. */
    static final double HIGH_WATERMARK = 0.8;

    /** Resume at 50%: far enough below the high mark that readers do not flap. */
    static final double LOW_WATERMARK = 0.5;

    private final long capacityBytes;
    private final LinkedBlockingQueue<OutboundEvent> queue = new LinkedBlockingQueue<>();
    private final AtomicLong heldBytes = new AtomicLong();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final PressureGate gate;

    BoundedEventQueue(long capacityBytes, LongSupplier nanoTime) {
        if (capacityBytes <= 0) {
            throw new IllegalArgumentException("capacityBytes must be positive: " + capacityBytes);
        }
        this.capacityBytes = capacityBytes;
        this.gate = new PressureGate(heldBytes::get, (long) (capacityBytes * HIGH_WATERMARK),
                (long) (capacityBytes * LOW_WATERMARK), nanoTime);
    }

    /** @return false, without waiting, when the event does not fit in what is left of the bound */
    boolean offer(OutboundEvent event) {
        long size = event.sizeInBytes();
        long held;
        do {
            held = heldBytes.get();
            if (held + size > capacityBytes) {
                return false;
            }
        } while (!heldBytes.compareAndSet(held, held + size));
        queuedBytes.addAndGet(size);
        queue.add(event);
        gate.check();
        return true;
    }

    /**
     * Takes the oldest event for sending; its bytes stay held until {@link #release}.
     *
     * @return null when none arrived within the timeout
     */
    OutboundEvent poll(long timeout, TimeUnit unit) throws InterruptedException {
        OutboundEvent event = queue.poll(timeout, unit);
        if (event != null) {
            queuedBytes.addAndGet(-event.sizeInBytes());
        }
        return event;
    }

    /** Frees the bytes of an event Kafka acknowledged or that was given up. */
    void release(OutboundEvent event) {
        heldBytes.addAndGet(-event.sizeInBytes());
        gate.check();
    }

    /** Removes and releases every queued event (at close, when the deadline has passed). */
    List<OutboundEvent> drainAndRelease() {
        List<OutboundEvent> left = new ArrayList<>();
        queue.drainTo(left);
        for (OutboundEvent e : left) {
            queuedBytes.addAndGet(-e.sizeInBytes());
            release(e);
        }
        return left;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    int queuedEvents() {
        return queue.size();
    }

    /** Bytes of events waiting for the publisher thread. */
    long queuedBytes() {
        return queuedBytes.get();
    }

    /** Bytes held: queued plus handed to the producer and not yet acknowledged or failed. */
    long heldBytes() {
        return heldBytes.get();
    }

    long capacityBytes() {
        return capacityBytes;
    }

    PressureGate gate() {
        return gate;
    }
}
