package io.auditwatch.ingest.kafka;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RetriableException;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Sends from memory only ({@code spool.enabled: false}): one publisher thread takes events from the
 * bound and hands them to the producer; an event leaves the bound when Kafka acknowledges it or when
 * it is given up. A send that fails before reaching the producer's buffer with a retriable error is
 * retried with backoff, keeping the event and its place; a record the topic refuses for good goes to
 * the dead-letter topic; any other failure loses the event.
 */
final class DirectSender extends Sender {
    private final Thread thread;

    DirectSender(PublisherSettings settings, Producer<byte[], byte[]> producer, BoundedEventQueue queue,
                 AtomicInteger inflight, PublishOutcomes outcomes, LongSupplier nanoTime, DeadLetters deadLetters) {
        super(settings, producer, queue, inflight, outcomes, nanoTime, deadLetters);
        this.thread = daemon(this::run, "auditwatch-kafka-publisher");
    }

    @Override
    void start() {
        thread.start();
    }

    @Override
    void stopThreads(long endNanos) throws InterruptedException {
        join(thread, endNanos, () -> { });
    }

    @Override
    String unsentDetail() {
        return "never sent: close deadline passed";
    }

    @Override
    void abandonInflight() {
        // A producer fails what it still holds on a forced close; anything it did not report is lost too.
        for (int i = inflight.getAndSet(0); i > 0; i--) {
            outcomes.lost(FailureReason.SHUTDOWN, "in flight at the close deadline, never acknowledged");
        }
    }

    @Override
    void logClosed(CloseSummary s) {
        if (s.lost() == 0) {
            log.info("Kafka publisher closed: nothing left undelivered ({} queued and {} in flight at close, {} acknowledged"
                    + " during close)", s.queuedAtClose(), s.inflightAtClose(), s.acknowledgedDuringClose());
        } else {
            log.error("Kafka publisher closed with {} events NOT delivered to topic {} within the {} ms deadline"
                            + " ({} acknowledged during close). They are lost: spool.enabled is false.",
                    s.lost(), settings.topic(), s.deadline().toMillis(), s.acknowledgedDuringClose());
        }
    }

    private void run() {
        try {
            while (true) {
                OutboundEvent event = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (event != null) {
                    dispatch(event);
                } else if (!accepting && queue.isEmpty()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            // close() passed its deadline; it accounts for what is left in the queue.
        }
    }

    /**
     * Retriable synchronous failures are retried with backoff, the rest is given up and counted.
     * Runs on the publisher thread only.
     */
    private void dispatch(OutboundEvent event) throws InterruptedException {
        ProducerRecord<byte[], byte[]> record = record(event);
        long backoff = RETRY_BACKOFF_MIN_MILLIS;
        while (true) {
            Exception failure = trySend(record, thread, exception -> completed(event, exception));
            if (failure == null) {
                return;
            }
            FailureReason reason = FailureReason.of(failure);
            if (failure instanceof InterruptException) {
                giveUp(event, FailureReason.SHUTDOWN, failure);
                throw new InterruptedException("close deadline passed during send");
            }
            if (reason.refusedForGood()) {
                toDeadLetters(event, reason, failure);
                return;
            }
            if (!(failure instanceof RetriableException) || closing) {
                giveUp(event, reason, failure);
                return;
            }
            outcomes.failedAttempt(reason, failure, "retrying in " + backoff + " ms");
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                giveUp(event, FailureReason.SHUTDOWN, e);
                throw e;
            }
            backoff = Math.min(backoff * 2, RETRY_BACKOFF_MAX_MILLIS);
        }
    }

    /** The producer's verdict on an event that reached its buffer; on the producer's I/O thread. */
    private void completed(OutboundEvent event, Exception exception) {
        inflight.decrementAndGet();
        if (exception == null) {
            outcomes.acknowledged(event);
            event.durability().durable();
            queue.release(event);
            return;
        }
        FailureReason reason = FailureReason.of(exception);
        if (reason.refusedForGood()) {
            toDeadLetters(event, reason, exception);
            return;
        }
        if (closing && reason == FailureReason.OTHER) {
            // The producer fails what it still holds when close() forces it at the deadline.
            reason = FailureReason.SHUTDOWN;
        }
        giveUp(event, reason, exception);
    }

    /** Stored in the dead-letter topic it is durable; refused there too it is lost (no spool holds it). */
    private void toDeadLetters(OutboundEvent event, FailureReason reason, Throwable cause) {
        deadLetter(event, reason, cause, refusal -> {
            if (refusal == null) {
                event.durability().durable();
                queue.release(event);
            } else {
                giveUp(event, reason, refusal);
            }
        });
    }
}
