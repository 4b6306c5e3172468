package io.auditwatch.ingest.kafka;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Sends write-ahead through an {@link EventLog} (the disk spool). The publisher thread appends what
 * {@link EventPublisher#offer} queued to the log (group commit: everything queued since the last
 * append in one write and one fsync), which frees the memory bound; the sender thread takes the
 * log's records in order (from memory while it keeps up, see {@code Spool}) and sends them; Kafka's
 * acknowledgement acknowledges the record in the log, and a failed delivery is sent again from the
 * log instead of being lost. The memory bound then covers what is not yet in the log: when the log
 * is full, appends wait and the bound fills. A close leaves what Kafka did not acknowledge in the log
 * for the next start; only events that could not even be appended (the log full until the deadline)
 * are lost.
 */
final class SpoolingSender extends Sender {
    /**
     * Events per append to the log: one write and (with {@code fsync: always}) one fsync for up to this
     * many; 4,096 events of ~300 bytes are about a megabyte, the spool's write buffer.
     */
    static final int MAX_APPEND_BATCH = 4_096;

    private final EventLog eventLog;
    private final Thread appender;
    private final Thread sender;
    private volatile boolean stopSending;
    private volatile long retryAtNanos;

    SpoolingSender(PublisherSettings settings, Producer<byte[], byte[]> producer, BoundedEventQueue queue,
                   AtomicInteger inflight, PublishOutcomes outcomes, LongSupplier nanoTime, DeadLetters deadLetters,
                   EventLog eventLog) {
        super(settings, producer, queue, inflight, outcomes, nanoTime, deadLetters);
        this.eventLog = eventLog;
        this.appender = daemon(this::appendToLog, "auditwatch-kafka-publisher");
        this.sender = daemon(this::sendFromLog, "auditwatch-kafka-sender");
    }

    @Override
    void start() {
        appender.start();
        sender.start();
    }

    /** The appender stores what is still queued (disk speed), the sender sends until the log is drained. */
    @Override
    void stopThreads(long endNanos) throws InterruptedException {
        join(appender, endNanos, () -> { });
        join(sender, endNanos, () -> stopSending = true);
    }

    @Override
    String unsentDetail() {
        return "never stored: the spool stayed full until the close deadline";
    }

    /** What the producer did not acknowledge stays in the log and is sent again at the next start. */
    @Override
    void abandonInflight() {
        inflight.set(0);
    }

    @Override
    void logClosed(CloseSummary s) {
        if (s.lost() > 0) {
            log.error("Kafka publisher closed with {} events NOT stored: the spool was full until the {} ms deadline",
                    s.lost(), s.deadline().toMillis());
        }
        log.info("Kafka publisher closed: {} acknowledged during close, {} not yet acknowledged stay in the spool for"
                + " the next start", s.acknowledgedDuringClose(), eventLog.pendingRecords());
    }

    /**
     * The publisher thread: moves what {@link EventPublisher#offer} queued into the log, in order, many
     * events per append (group commit). Returns when closing and the queue is empty.
     */
    private void appendToLog() {
        List<OutboundEvent> batch = new ArrayList<>();
        try {
            while (true) {
                OutboundEvent first = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (!accepting && queue.isEmpty()) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                OutboundEvent more;
                while (batch.size() < MAX_APPEND_BATCH && (more = queue.poll(0, TimeUnit.MILLISECONDS)) != null) {
                    batch.add(more);
                }
                int taken;
                try {
                    taken = eventLog.append(batch);
                } catch (RuntimeException e) {
                    // The disk failed: these events are neither stored nor sendable. Counted and logged, never silent.
                    for (OutboundEvent e2 : batch) {
                        giveUp(e2, FailureReason.OTHER, e);
                    }
                    batch.clear();
                    continue;
                }
                for (int i = 0; i < taken; i++) {
                    batch.get(i).durability().durable();
                    queue.release(batch.get(i));
                }
                if (taken < batch.size()) {
                    for (OutboundEvent e : batch.subList(taken, batch.size())) {
                        giveUp(e, FailureReason.SHUTDOWN, new InterruptedException("close deadline passed, spool full"));
                    }
                    return;
                }
                batch.clear();
            }
        } catch (InterruptedException e) {
            // close() passed its deadline; it accounts for what is left in the queue.
        }
    }

    /**
     * The sender thread: reads the log in order and sends. Returns when closing, nothing is left to
     * append, and the log is drained; or when close() stops it at its deadline.
     */
    private void sendFromLog() {
        try {
            while (!stopSending) {
                long wait = retryAtNanos - nanoTime.getAsLong();
                if (wait > 0) {
                    Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(wait) + 1, POLL_MILLIS));
                    continue;
                }
                EventLog.Entry entry = eventLog.next(POLL_MILLIS);
                if (entry != null) {
                    sendEntry(entry);
                } else if (!accepting && !appender.isAlive() && eventLog.drained()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            // close() passed its deadline: what is not acknowledged stays in the log.
        }
    }

    /** Hands one logged record to the producer; retries with backoff while the producer cannot take it. */
    private void sendEntry(EventLog.Entry entry) throws InterruptedException {
        ProducerRecord<byte[], byte[]> record = record(entry.event());
        long backoff = RETRY_BACKOFF_MIN_MILLIS;
        while (true) {
            Exception failure = trySend(record, sender, exception -> completed(entry, exception));
            if (failure == null) {
                return;
            }
            FailureReason reason = FailureReason.of(failure);
            if (failure instanceof InterruptException || stopSending) {
                eventLog.failed(entry);
                throw new InterruptedException("close deadline passed during send");
            }
            if (reason.refusedForGood()) {
                toDeadLetters(entry, reason, failure);
                return;
            }
            // Everything else may heal (metadata, leader election): the log keeps the record.
            outcomes.failedAttempt(reason, failure, "retrying in " + backoff + " ms");
            Thread.sleep(backoff);
            backoff = Math.min(backoff * 2, RETRY_BACKOFF_MAX_MILLIS);
        }
    }

    /** The producer's verdict on a logged record; on the producer's I/O thread. */
    private void completed(EventLog.Entry entry, Exception exception) {
        inflight.decrementAndGet();
        if (exception == null) {
            outcomes.acknowledged(entry.event());
            eventLog.acknowledged(entry);
            return;
        }
        FailureReason reason = FailureReason.of(exception);
        if (reason.refusedForGood()) {
            toDeadLetters(entry, reason, exception);
            return;
        }
        if (!closing) {
            outcomes.failedAttempt(reason, exception, "sending again from the spool");
            // Give the cluster a moment before the spool hands the same records out again.
            retryAtNanos = nanoTime.getAsLong() + TimeUnit.MILLISECONDS.toNanos(RETRY_BACKOFF_MAX_MILLIS);
        }
        eventLog.failed(entry);
    }

    /**
     * The events topic will never take this record: the dead-letter topic gets it, and only then
     * the log forgets it. Refused there too, the log keeps it and hands it out again after a pause
     * (with what follows it), so nothing accepted is ever deleted.
     */
    private void toDeadLetters(EventLog.Entry entry, FailureReason reason, Throwable cause) {
        deadLetter(entry.event(), reason, cause, refusal -> {
            if (refusal == null) {
                eventLog.acknowledged(entry);
                return;
            }
            outcomes.failedAttempt(reason, refusal, "held in the spool: the dead-letter topic refused it too");
            retryAtNanos = nanoTime.getAsLong() + TimeUnit.MILLISECONDS.toNanos(RETRY_BACKOFF_MAX_MILLIS);
            eventLog.failed(entry);
        });
    }
}
