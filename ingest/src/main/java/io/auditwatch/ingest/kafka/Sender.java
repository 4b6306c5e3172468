package io.auditwatch.ingest.kafka;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * How {@link EventPublisher} moves events from its memory bound to the producer: {@link DirectSender}
 * sends from memory, {@link SpoolingSender} writes ahead through the spool. What both need (the
 * hand-over to the producer, the close flags, giving an event up) is here; {@link EventPublisher#close}
 * drives either through the same shutdown, asking it only for what differs.
 */
abstract sealed class Sender permits DirectSender, SpoolingSender {
    /** One logger name for the whole publisher, whichever way it sends. */
    static final Logger log = LoggerFactory.getLogger(EventPublisher.class);

    /** How often an idle publisher thread looks whether close() started. */
    static final long POLL_MILLIS = 50;

    /** First wait before retrying a send that failed for want of metadata; doubles up to the max. */
    static final long RETRY_BACKOFF_MIN_MILLIS = 100;

    /** Retries of a failed metadata wait need not be more frequent than Kafka's reconnect backoff cap. */
    static final long RETRY_BACKOFF_MAX_MILLIS = 2_000;

    /** After close() interrupts a publisher thread, how long it may take to notice. */
    static final long JOIN_AFTER_INTERRUPT_MILLIS = 1_000;

    final PublisherSettings settings;
    final Producer<byte[], byte[]> producer;
    final BoundedEventQueue queue;
    final AtomicInteger inflight;
    final PublishOutcomes outcomes;
    final LongSupplier nanoTime;
    final DeadLetters deadLetters;

    /** False once close() started: offers are refused and the threads finish what is queued. */
    volatile boolean accepting = true;
    /** True once close() stopped the threads: failures from now on are the close's doing. */
    volatile boolean closing;

    // Touched only by the thread that sends: tells a failure reported synchronously from inside
    // producer.send (the event never reached the producer's buffer) from a delivery failure.
    private boolean inSend;
    private Exception syncFailure;

    Sender(PublisherSettings settings, Producer<byte[], byte[]> producer, BoundedEventQueue queue,
           AtomicInteger inflight, PublishOutcomes outcomes, LongSupplier nanoTime, DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
        this.settings = settings;
        this.producer = producer;
        this.queue = queue;
        this.inflight = inflight;
        this.outcomes = outcomes;
        this.nanoTime = nanoTime;
    }

    /** Starts the threads. */
    abstract void start();

    /**
     * Lets the threads finish until {@code endNanos}, then interrupts them; returns when they have
     * stopped or were given {@link #JOIN_AFTER_INTERRUPT_MILLIS} to notice.
     */
    abstract void stopThreads(long endNanos) throws InterruptedException;

    /** Why an event still in the memory bound once the threads stopped is lost. */
    abstract String unsentDetail();

    /** After the producer closed: settles what it still counted in flight. */
    abstract void abandonInflight();

    /** The last log line of a close. */
    abstract void logClosed(CloseSummary summary);

    /** What a close observed, for its last log line. */
    record CloseSummary(int queuedAtClose, int inflightAtClose, long acknowledgedDuringClose, long lost,
                        Duration deadline) {
    }

    static Thread daemon(Runnable body, String name) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    /** Waits for {@code thread} until {@code endNanos}; then runs {@code beforeInterrupt} and interrupts it. */
    final void join(Thread thread, long endNanos, Runnable beforeInterrupt) throws InterruptedException {
        thread.join(Math.max(1, remainingMillis(endNanos)));
        if (thread.isAlive()) {
            beforeInterrupt.run();
            thread.interrupt();
            thread.join(JOIN_AFTER_INTERRUPT_MILLIS);
        }
    }

    final long remainingMillis(long endNanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(endNanos - nanoTime.getAsLong()));
    }

    final ProducerRecord<byte[], byte[]> record(OutboundEvent event) {
        return new ProducerRecord<>(settings.topic(), null, event.key(), event.value(), event.headers());
    }

    /**
     * Hands one record to the producer, counting it in flight. A failure the producer reports
     * synchronously (on {@code caller}'s own thread, inside {@code send}: no metadata in time, a
     * closed producer) is returned instead of reaching {@code completion}; every other outcome
     * reaches {@code completion} on the producer's I/O thread.
     *
     * @return the synchronous failure (then no longer counted in flight), or null when the record
     *     is on its way
     */
    final Exception trySend(ProducerRecord<byte[], byte[]> record, Thread caller, Consumer<Exception> completion) {
        inflight.incrementAndGet();
        inSend = true;
        syncFailure = null;
        Exception failure;
        try {
            producer.send(record, (metadata, exception) -> {
                if (exception != null && inSend && Thread.currentThread() == caller) {
                    syncFailure = exception;
                } else {
                    completion.accept(exception);
                }
            });
            failure = syncFailure;
        } catch (RuntimeException e) {
            // InterruptException (close() interrupted a metadata wait), or a closed producer.
            failure = e;
        } finally {
            inSend = false;
        }
        if (failure != null) {
            inflight.decrementAndGet();
        }
        return failure;
    }

    /**
     * Sends an event the events topic refused for good to the dead-letter topic, counted in flight
     * until it settles; {@code done} gets null when it is stored there, else the refusal.
     */
    final void deadLetter(OutboundEvent event, FailureReason reason, Throwable cause, Consumer<Exception> done) {
        inflight.incrementAndGet();
        deadLetters.send(event, reason, cause, exception -> {
            inflight.decrementAndGet();
            done.accept(exception);
        });
    }

    /** An event Kafka will not get from us and that no log holds: counted as lost, logged, its bytes released. */
    final void giveUp(OutboundEvent event, FailureReason reason, Throwable cause) {
        event.durability().lost();
        outcomes.lost(reason, "event lost: " + EventPublisher.describe(cause));
        queue.release(event);
    }
}
