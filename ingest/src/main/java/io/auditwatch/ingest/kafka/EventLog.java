package io.auditwatch.ingest.kafka;

import java.util.List;

/**
 * A durable, ordered log between the listeners and Kafka: the disk spool
 * ({@code io.auditwatch.ingest.spool.Spool}). With one, {@link EventPublisher} is write-ahead: its
 * publisher thread appends what the listeners offered, and a sender thread reads the log in append
 * order and sends it, acknowledging each record when Kafka has it. Declared here so that the
 * publisher does not depend on the spool's package.
 *
 * <p>One thread appends and one thread reads; acknowledgements come from any thread (the producer's
 * I/O thread).
 */
public interface EventLog {

    /** A record handed out by {@link #next}; the handle for {@link #acknowledged} or {@link #failed}. */
    interface Entry {
        OutboundEvent event();
    }

    /**
     * Appends in order and returns when the events count as stored under the log's durability
     * policy. Waits while the log is full. Never called on a Netty event loop.
     *
     * @return how many of {@code events}, from the first, were taken (stored, or dropped and counted
     *     by the log); fewer than all only when the thread was interrupted while waiting for room, in
     *     which case its interrupt flag is set
     * @throws java.io.UncheckedIOException when the disk fails; which of this call's events were
     *     stored before the failure is unknown to the caller
     */
    int append(List<OutboundEvent> events);

    /**
     * The next record not yet handed out, in append order, waiting up to {@code timeoutMillis}.
     * After a {@link #failed} record, hands out again, in order, every record from the oldest
     * unacknowledged one on, once all records handed out are acknowledged or failed.
     *
     * @return null when none is ready in time (also while too many bytes are unacknowledged)
     */
    Entry next(long timeoutMillis) throws InterruptedException;

    /** Kafka has the record; the log may forget it. */
    void acknowledged(Entry entry);

    /** Kafka did not take the record; it will be handed out again (and what follows it). */
    void failed(Entry entry);

    /** True when every record appended is acknowledged. */
    boolean drained();

    /** Records appended and not acknowledged yet. */
    long pendingRecords();
}
