package io.auditwatch.ingest.kafka;

import io.auditwatch.ingest.log.RateLimitedLog;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Publishes events to the events topic without ever making its callers wait.
 *
 * <p>{@link #offer} only reserves bytes in a bounded in-memory queue; one publisher thread hands the
 * events to an idempotent {@code acks=all} producer, which is the only code that may block (on
 * metadata, up to {@code max.block.ms}). The bound counts events until Kafka acknowledges them, and
 * {@link PressureListener}s are told to pause above 80% of it and to resume below 50%.
 *
 * <p>Failures are counted by reason, reflected in {@link #health()} and logged at most once per
 * 10 s per reason. A send that fails before reaching the producer's buffer with a retriable error
 * (no metadata yet: Kafka unreachable at start-up) is retried with backoff, keeping the event and
 * its place. A delivery that fails after the producer's own retries ({@code delivery.timeout.ms},
 * 2 min) is given up: counted, logged, and lost.
 *
 * <p><b>With an {@link EventLog} (the disk spool)</b> the publisher is write-ahead: its publisher
 * thread appends what {@link #offer} queued to the log (group commit: everything queued since the last
 * append in one write and one fsync), which frees the memory bound; a second thread, the sender, reads
 * the log in order and sends it; Kafka's acknowledgement acknowledges the record in the log, and a
 * failed delivery is sent again from the log instead of being lost. The memory bound then covers what
 * is not yet in the log: when the log is full, appends wait, the bound fills, TCP reads pause and UDP
 * datagrams are rejected, as without a log. {@link #close} leaves what Kafka did not acknowledge in
 * the log for the next start.
 */
public final class EventPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);

    /** How often the idle publisher thread looks whether close() started. */
    static final long POLL_MILLIS = 50;

    /** First wait before retrying a send that failed for want of metadata; doubles up to the max. */
    static final long RETRY_BACKOFF_MIN_MILLIS = 100;

    /** Retries of a failed metadata wait need not be more frequent than Kafka's reconnect backoff cap. */
    static final long RETRY_BACKOFF_MAX_MILLIS = 2_000;

    /** After close() interrupts the publisher thread, how long it may take to notice. */
    static final long JOIN_AFTER_INTERRUPT_MILLIS = 1_000;

    /**
     * Events per append to the log: one write and (with {@code fsync: always}) one fsync for up to this
     * many; 4,096 events of ~300 bytes are about a megabyte, the spool's write buffer.
     */
    static final int MAX_APPEND_BATCH = 4_096;

    private final PublisherSettings settings;
    private final Producer<byte[], byte[]> producer;
    private final Admin admin;
    private final LongSupplier nanoTime;
    private final BoundedEventQueue queue;
    private final KafkaMetrics metrics;
    private final AtomicInteger inflight = new AtomicInteger();
    private final Map<FailureReason, RateLimitedLog> failureLogs = new EnumMap<>(FailureReason.class);
    private final RateLimitedLog rejectionLog;
    private final Thread thread;
    private final EventLog eventLog;
    private final Thread sender;
    private volatile boolean stopSending;
    private volatile long retryAtNanos;
    private final ScheduledExecutorService prober;

    private volatile boolean accepting = true;
    private volatile boolean closing;
    private boolean closed;
    private final AtomicLong shutdownLosses = new AtomicLong();

    private final KafkaReachability reachability;

    // Touched only by the publisher thread: tells a failure reported synchronously from inside
    // producer.send (the event never reached the producer's buffer) from a delivery failure.
    private boolean inSend;
    private Exception syncFailure;

    /** A publisher on the system clock, with a real producer and a reachability probe. */
    public EventPublisher(PublisherSettings settings, MeterRegistry registry) {
        this(settings, registry, Clock.systemUTC());
    }

    /** @param clock wall clock for {@link PublisherHealth#lastSuccess()} */
    public EventPublisher(PublisherSettings settings, MeterRegistry registry, Clock clock) {
        this(settings, registry, clock, null);
    }

    /**
     * A write-ahead publisher: every event goes through {@code eventLog} (see the class comment).
     *
     * @param eventLog the disk spool, or null to send from memory only
     */
    public EventPublisher(PublisherSettings settings, MeterRegistry registry, Clock clock, EventLog eventLog) {
        this(settings, registry, clock, System::nanoTime,
                new KafkaProducer<>(ClientConfigs.producer(settings, eventLog != null)),
                Admin.create(ClientConfigs.admin(settings, KafkaReachability.PROBE_TIMEOUT)), eventLog);
    }

    /** @param admin the probe's client, or null for no probe (unit tests with a mock producer) */
    EventPublisher(PublisherSettings settings, MeterRegistry registry, Clock clock, LongSupplier nanoTime,
                   Producer<byte[], byte[]> producer, Admin admin) {
        this(settings, registry, clock, nanoTime, producer, admin, null);
    }

    EventPublisher(PublisherSettings settings, MeterRegistry registry, Clock clock, LongSupplier nanoTime,
                   Producer<byte[], byte[]> producer, Admin admin, EventLog eventLog) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.producer = Objects.requireNonNull(producer, "producer");
        this.admin = admin;
        this.queue = new BoundedEventQueue(settings.queueBytes(), nanoTime);
        this.reachability = new KafkaReachability(settings.bootstrapServers(), Objects.requireNonNull(clock, "clock"));
        this.metrics = new KafkaMetrics(registry, queue, inflight, reachability::reachable);
        for (FailureReason r : FailureReason.values()) {
            failureLogs.put(r, new RateLimitedLog(log, "Kafka publish failures (reason " + r.label() + ") on topic "
                    + settings.topic(), RateLimitedLog.DEFAULT_INTERVAL_NANOS, nanoTime));
        }
        rejectionLog = new RateLimitedLog(log, "Events rejected because the Kafka publisher is full or closed",
                RateLimitedLog.DEFAULT_INTERVAL_NANOS, nanoTime);
        log.info("Kafka publisher to topic {} at {}: acks=all, idempotent, key=node, {} bytes bound (pause at {}%,"
                        + " resume at {}%), producer settings {}",
                settings.topic(), settings.bootstrapServers(), settings.queueBytes(),
                (int) (BoundedEventQueue.HIGH_WATERMARK * 100), (int) (BoundedEventQueue.LOW_WATERMARK * 100),
                ClientConfigs.redacted(ClientConfigs.producer(settings, eventLog != null)));
        this.eventLog = eventLog;
        this.thread = new Thread(eventLog == null ? this::run : this::appendToLog, "auditwatch-kafka-publisher");
        thread.setDaemon(true);
        thread.start();
        if (eventLog != null) {
            sender = new Thread(this::sendFromLog, "auditwatch-kafka-sender");
            sender.setDaemon(true);
            sender.start();
        } else {
            sender = null;
        }
        if (admin != null) {
            prober = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "auditwatch-kafka-probe");
                t.setDaemon(true);
                return t;
            });
            prober.scheduleWithFixedDelay(() -> reachability.probe(admin), 0, settings.healthCheckInterval().toMillis(), TimeUnit.MILLISECONDS);
        } else {
            prober = null;
        }
    }

    /**
     * Accepts an event for publishing. Never blocks: safe on a Netty event loop.
     *
     * @return false when the bound is full or the publisher is closing; the event was not taken and
     *     is counted as {@code rejected}
     */
    public boolean offer(OutboundEvent event) {
        if (tryOffer(event)) {
            return true;
        }
        metrics.rejected.increment();
        rejectionLog.record(accepting ? "bound of " + settings.queueBytes() + " bytes full" : "publisher closing");
        return false;
    }

    /**
     * Like {@link #offer} but counts and logs nothing when the event is not taken: for a caller
     * that keeps the event and tries again (the stream listeners' {@code ReadGate}), where a refusal
     * loses nothing and must not show as {@code rejected}.
     */
    public boolean tryOffer(OutboundEvent event) {
        return accepting && queue.offer(event);
    }

    /** Registers a listener; it gets {@code pause()} at once if the publisher is paused now. */
    public void addPressureListener(PressureListener listener) {
        queue.gate().addListener(listener);
    }

    public PublisherHealth health() {
        return reachability.health();
    }

    /** Closes within {@link PublisherSettings#closeDeadline()}. */
    @Override
    public void close() {
        close(settings.closeDeadline());
    }

    /**
     * Stops accepting, sends what is queued, and waits for Kafka's acknowledgements until
     * {@code deadline} has passed. What is still unacknowledged then is counted as failed
     * ({@code reason="shutdown"}) and logged: without the spool ({@code spool.enabled: false}) it is lost. Idempotent.
     */
    public void close(Duration deadline) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (eventLog != null) {
            closeWithLog(deadline);
            return;
        }
        long end = nanoTime.getAsLong() + deadline.toNanos();
        long successBefore = (long) metrics.success.count();
        int queuedAtClose = queue.queuedEvents();
        int inflightAtClose = inflight.get();
        accepting = false;
        try {
            thread.join(Math.max(1, remainingMillis(end)));
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(JOIN_AFTER_INTERRUPT_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closing = true;
        List<OutboundEvent> unsent = queue.drainAndRelease();
        for (OutboundEvent e : unsent) {
            countLoss(FailureReason.SHUTDOWN, "never sent: close deadline passed");
        }
        // Waits for in-flight requests up to the deadline, then fails the rest through their callbacks.
        producer.close(Duration.ofMillis(remainingMillis(end)));
        // A producer fails what it still holds on a forced close; anything it did not report is lost too.
        for (int i = inflight.getAndSet(0); i > 0; i--) {
            countLoss(FailureReason.SHUTDOWN, "in flight at the close deadline, never acknowledged");
        }
        if (prober != null) {
            prober.shutdownNow();
            admin.close(Duration.ZERO);
        }
        failureLogs.values().forEach(RateLimitedLog::flush);
        rejectionLog.flush();
        long delivered = (long) metrics.success.count() - successBefore;
        long lost = shutdownLosses.get();
        if (lost == 0) {
            log.info("Kafka publisher closed: nothing left undelivered ({} queued and {} in flight at close, {} acknowledged"
                    + " during close)", queuedAtClose, inflightAtClose, delivered);
        } else {
            log.error("Kafka publisher closed with {} events NOT delivered to topic {} within the {} ms deadline"
                            + " ({} acknowledged during close). They are lost: spool.enabled is false.",
                    lost, settings.topic(), deadline.toMillis(), delivered);
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
     * Hands one record to the producer, counting it in flight. A failure the producer reports
     * synchronously (on {@code caller}'s own thread, inside {@code send}: no metadata in time, a
     * closed producer) is returned instead of reaching {@code completion}; every other outcome
     * reaches {@code completion} on the producer's I/O thread.
     *
     * @return the synchronous failure (then no longer counted in flight), or null when the record
     *     is on its way
     */
    private Exception trySend(ProducerRecord<byte[], byte[]> record, Thread caller,
            java.util.function.Consumer<Exception> completion) {
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

    private ProducerRecord<byte[], byte[]> record(OutboundEvent event) {
        return new ProducerRecord<>(settings.topic(), null, event.key(), event.value(), event.headers());
    }

    /**
     * The send path without a spool: retriable synchronous failures are retried with backoff, the
     * rest is given up and counted. Runs on the publisher thread only.
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
            if (!(failure instanceof RetriableException) || closing) {
                giveUp(event, reason, failure);
                return;
            }
            countFailure(reason, failure, "retrying in " + backoff + " ms");
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                giveUp(event, FailureReason.SHUTDOWN, e);
                throw e;
            }
            backoff = Math.min(backoff * 2, RETRY_BACKOFF_MAX_MILLIS);
        }
    }

    /**
     * The publisher thread with a log: moves what {@link #offer} queued into the log, in order, many
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
     * append, and the log is drained; or when {@link #close} stops it at its deadline.
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
                } else if (!accepting && !thread.isAlive() && eventLog.drained()) {
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
            Exception failure = trySend(record, sender, exception -> completedFromLog(entry, exception));
            if (failure == null) {
                return;
            }
            FailureReason reason = FailureReason.of(failure);
            if (failure instanceof InterruptException || stopSending) {
                eventLog.failed(entry);
                throw new InterruptedException("close deadline passed during send");
            }
            if (reason == FailureReason.RECORD_TOO_LARGE) {
                dropTooLarge(entry, failure);
                return;
            }
            // Everything else may heal (metadata, leader, ACLs fixed by an operator): the log keeps the record.
            countFailure(reason, failure, "retrying in " + backoff + " ms");
            Thread.sleep(backoff);
            backoff = Math.min(backoff * 2, RETRY_BACKOFF_MAX_MILLIS);
        }
    }

    /** The producer's verdict on a logged record; on the producer's I/O thread. */
    private void completedFromLog(EventLog.Entry entry, Exception exception) {
        inflight.decrementAndGet();
        if (exception == null) {
            acknowledged(entry.event());
            eventLog.acknowledged(entry);
            return;
        }
        FailureReason reason = FailureReason.of(exception);
        if (reason == FailureReason.RECORD_TOO_LARGE) {
            dropTooLarge(entry, exception);
            return;
        }
        if (!closing) {
            countFailure(reason, exception, "sending again from the spool");
            // Give the cluster a moment before the spool hands the same records out again.
            retryAtNanos = nanoTime.getAsLong() + TimeUnit.MILLISECONDS.toNanos(RETRY_BACKOFF_MAX_MILLIS);
        }
        eventLog.failed(entry);
    }

    /** Kafka will never take this record; keeping it would stop the log behind it. Counted as lost. */
    private void dropTooLarge(EventLog.Entry entry, Throwable cause) {
        countLoss(FailureReason.RECORD_TOO_LARGE, "event dropped: " + describe(cause));
        eventLog.acknowledged(entry);
    }

    /**
     * Close with a log: the publisher thread appends what is still queued (disk speed), the sender
     * sends until the log is drained or the deadline passes; then the producer gets what time is left.
     * Only events that could not even be appended (the log full until the deadline) are lost.
     */
    private void closeWithLog(Duration deadline) {
        long end = nanoTime.getAsLong() + deadline.toNanos();
        long successBefore = (long) metrics.success.count();
        accepting = false;
        try {
            thread.join(Math.max(1, remainingMillis(end)));
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(JOIN_AFTER_INTERRUPT_MILLIS);
            }
            sender.join(Math.max(1, remainingMillis(end)));
            if (sender.isAlive()) {
                stopSending = true;
                sender.interrupt();
                sender.join(JOIN_AFTER_INTERRUPT_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closing = true;
        for (OutboundEvent e : queue.drainAndRelease()) {
            countLoss(FailureReason.SHUTDOWN, "never stored: the spool stayed full until the close deadline");
        }
        producer.close(Duration.ofMillis(remainingMillis(end)));
        inflight.set(0);
        if (prober != null) {
            prober.shutdownNow();
            admin.close(Duration.ZERO);
        }
        failureLogs.values().forEach(RateLimitedLog::flush);
        rejectionLog.flush();
        long delivered = (long) metrics.success.count() - successBefore;
        long lost = shutdownLosses.get();
        long left = eventLog.pendingRecords();
        if (lost > 0) {
            log.error("Kafka publisher closed with {} events NOT stored: the spool was full until the {} ms deadline",
                    lost, deadline.toMillis());
        }
        log.info("Kafka publisher closed: {} acknowledged during close, {} not yet acknowledged stay in the spool for"
                + " the next start", delivered, left);
    }

    /** The producer's verdict on an event that reached its buffer; on the producer's I/O thread. */
    private void completed(OutboundEvent event, Exception exception) {
        inflight.decrementAndGet();
        if (exception == null) {
            acknowledged(event);
            event.durability().durable();
            queue.release(event);
            return;
        }
        FailureReason reason = FailureReason.of(exception);
        if (closing && reason == FailureReason.OTHER) {
            // The producer fails what it still holds when close() forces it at the deadline.
            reason = FailureReason.SHUTDOWN;
        }
        giveUp(event, reason, exception);
    }

    /** Kafka acknowledged {@code event}: counted, its latency recorded, Kafka known reachable. */
    private void acknowledged(OutboundEvent event) {
        metrics.success.increment();
        long latency = nanoTime.getAsLong() - event.acceptedNanos();
        if (latency >= 0) {
            metrics.latency.record(latency, TimeUnit.NANOSECONDS);
        }
        reachability.succeeded();
    }

    /** An event Kafka will not get from us: counted, logged, released. The spool will take it here. */
    private void giveUp(OutboundEvent event, FailureReason reason, Throwable cause) {
        event.durability().lost();
        countLoss(reason, "event lost: " + describe(cause));
        queue.release(event);
    }

    private void countLoss(FailureReason reason, String detail) {
        metrics.failure.increment();
        if (reason == FailureReason.SHUTDOWN) {
            shutdownLosses.incrementAndGet();
        }
        metrics.failures(reason).increment();
        reachability.failed(detail);
        failureLogs.get(reason).record(detail);
    }

    private void countFailure(FailureReason reason, Throwable cause, String action) {
        metrics.failures(reason).increment();
        String detail = describe(cause);
        reachability.failed(detail);
        failureLogs.get(reason).record(detail + "; " + action);
    }

    private long remainingMillis(long endNanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(endNanos - nanoTime.getAsLong()));
    }

    static String describe(Throwable t) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
