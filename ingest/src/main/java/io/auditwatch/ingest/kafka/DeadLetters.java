package io.auditwatch.ingest.kafka;

import io.auditwatch.ingest.log.RateLimitedLog;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Where an event goes that the events topic refuses for good ({@link FailureReason#refusedForGood()}:
 * too large, not authorized, invalid): the dead-letter topic, byte for byte the same key, value and
 * headers plus the reason (ingest/README.md, "Dead letters"). Nothing the events topic refuses is
 * deleted: it is stored there, or, when the dead-letter topic refuses it too, the caller keeps it
 * (the spool holds it and sends it again). Every dead letter is counted, logged (at most one line per
 * 10 s) and raises the {@code events-dead-lettered} pipeline alert.
 */
final class DeadLetters {
    /** The reason the events topic gave: the failure reason's label, a colon, the exception. */
    static final String REASON_HEADER = "aw.dead-letter-reason";
    /** The topic that refused the record. */
    static final String TOPIC_HEADER = "aw.dead-letter-topic";

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final String eventsTopic;
    private final KafkaMetrics metrics;
    private final LongSupplier nanoTime;
    private final RateLimitedLog stored;
    private final RateLimitedLog refused;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong lastWrittenNanos = new AtomicLong(Long.MIN_VALUE);
    /** The last refusal by the dead-letter topic, until the next dead letter is stored; else null. */
    private final AtomicReference<String> refusing = new AtomicReference<>();
    private final AtomicReference<String> lastReason = new AtomicReference<>();

    DeadLetters(Producer<byte[], byte[]> producer, PublisherSettings settings, KafkaMetrics metrics,
            LongSupplier nanoTime) {
        this.producer = producer;
        this.topic = settings.deadLetterTopic();
        this.eventsTopic = settings.topic();
        this.metrics = metrics;
        this.nanoTime = nanoTime;
        this.stored = new RateLimitedLog(Sender.log, "Events refused by " + eventsTopic + " stored in dead-letter topic "
                + topic, RateLimitedLog.DEFAULT_INTERVAL_NANOS, nanoTime);
        this.refused = new RateLimitedLog(Sender.log, "Events refused by " + eventsTopic + " AND by dead-letter topic "
                + topic + ", held to be sent again", RateLimitedLog.DEFAULT_INTERVAL_NANOS, nanoTime);
    }

    /**
     * Sends {@code event} to the dead-letter topic; {@code done} gets null once Kafka has it, or the
     * dead-letter topic's own refusal (on the producer's thread, or on this one when the producer
     * refused at once).
     */
    void send(OutboundEvent event, FailureReason reason, Throwable cause, Consumer<Exception> done) {
        metrics.failures(reason).increment();
        String why = reason.label() + ": " + EventPublisher.describe(cause);
        List<Header> headers = new ArrayList<>(event.headers());
        headers.add(new RecordHeader(REASON_HEADER, why.getBytes(StandardCharsets.UTF_8)));
        headers.add(new RecordHeader(TOPIC_HEADER, eventsTopic.getBytes(StandardCharsets.UTF_8)));
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, event.key(), event.value(), headers);
        try {
            producer.send(record, (metadata, exception) -> settle(reason, why, exception, done));
        } catch (RuntimeException e) {
            settle(reason, why, e, done);
        }
    }

    private void settle(FailureReason reason, String why, Exception exception, Consumer<Exception> done) {
        if (exception == null) {
            written.incrementAndGet();
            lastWrittenNanos.set(nanoTime.getAsLong());
            lastReason.set(why);
            refusing.set(null);
            metrics.deadLetters(reason).increment();
            stored.record(why);
        } else {
            String detail = "refused by " + eventsTopic + " (" + why + ") and by " + topic + " ("
                    + EventPublisher.describe(exception) + ")";
            refusing.set(detail);
            refused.record(detail);
        }
        done.accept(exception);
    }

    /** Events stored in the dead-letter topic since start. */
    long written() {
        return written.get();
    }

    /**
     * What the pipeline alert says, or null when there is nothing to say: an event held because the
     * dead-letter topic refuses it too, or events stored there within the last {@code windowNanos}.
     */
    String alert(long windowNanos) {
        String held = refusing.get();
        if (held != null) {
            return "events held in the spool: " + held;
        }
        long last = lastWrittenNanos.get();
        if (last != Long.MIN_VALUE && nanoTime.getAsLong() - last < windowNanos) {
            return written.get() + " events refused by " + eventsTopic + " stored in dead-letter topic " + topic
                    + " since start (last: " + lastReason.get() + ")";
        }
        return null;
    }

    void flush() {
        stored.flush();
        refused.flush();
    }

    Producer<byte[], byte[]> producer() {
        return producer;
    }
}
