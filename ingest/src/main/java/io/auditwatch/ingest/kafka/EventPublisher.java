package io.auditwatch.ingest.kafka;

import io.auditwatch.ingest.log.RateLimitedLog;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * its place. Without the spool, a delivery that fails after the producer's own retries
 * ({@code delivery.timeout.ms}, 2 min) is given up: counted, logged, and lost.
 *
 * <p>The sending itself is one of two {@link Sender}s, chosen by the factory: {@link DirectSender}
 * from memory only ({@link #direct}), or {@link SpoolingSender} write-ahead through an {@link EventLog},
 * the disk spool ({@link #spooling}): its publisher thread appends what {@link #offer} queued to the
 * log, which frees the memory bound, and a second thread sends the log in order; a failed delivery is
 * sent again from the log instead of being lost. The memory bound then covers what is not yet in the
 * log: when the log is full, appends wait, the bound fills, TCP reads pause and UDP datagrams are
 * rejected, as without a log. {@link #close} leaves what Kafka did not acknowledge in the log for the
 * next start.
 *
 * <p>Given {@link LivenessSettings}, every acknowledged event is also handed to {@link LivenessSummaries},
 * which sends heartbeat's evidence through the same producer on its own thread (ingest/DESIGN.md,
 * Decisions, "Liveness summaries").
 */
public final class EventPublisher implements AutoCloseable {
    private final PublisherSettings settings;
    private final Producer<byte[], byte[]> producer;
    private final Admin admin;
    private final LongSupplier nanoTime;
    private final BoundedEventQueue queue;
    private final KafkaMetrics metrics;
    private final AtomicInteger inflight = new AtomicInteger();
    private final KafkaReachability reachability;
    private final PublishOutcomes outcomes;
    private final RateLimitedLog rejectionLog;
    private final Sender sender;
    private final DeadLetters deadLetters;
    private final ScheduledExecutorService prober;
    private final LivenessSummaries liveness;
    private final ScheduledExecutorService livenessFlusher;
    /** How long a close waits for the last liveness flush before it interrupts it. */
    static final Duration LIVENESS_FINAL_FLUSH = Duration.ofSeconds(2);

    private boolean closed;

    /** A publisher that sends from memory only, on the system clock: what it holds at a close deadline is lost. */
    public static EventPublisher direct(PublisherSettings settings, MeterRegistry registry) {
        return direct(settings, registry, Clock.systemUTC());
    }

    /**
     * A publisher that sends from memory only, with a real producer and a reachability probe.
     *
     * @param clock wall clock for {@link PublisherHealth#lastSuccess()}
     */
    public static EventPublisher direct(PublisherSettings settings, MeterRegistry registry, Clock clock) {
        return create(settings, registry, clock, null, null);
    }

    /**
     * A publisher that sends from memory only and publishes liveness summaries of what Kafka acknowledged.
     *
     * @param liveness where and how often summaries go, or null for none
     */
    public static EventPublisher direct(PublisherSettings settings, MeterRegistry registry, Clock clock,
                                        LivenessSettings liveness) {
        return create(settings, registry, clock, null, liveness);
    }

    /**
     * A write-ahead publisher: every event goes through {@code eventLog} (see the class comment), with a
     * real producer and a reachability probe.
     *
     * @param clock wall clock for {@link PublisherHealth#lastSuccess()}
     */
    public static EventPublisher spooling(PublisherSettings settings, MeterRegistry registry, Clock clock,
                                          EventLog eventLog) {
        return spooling(settings, registry, clock, eventLog, null);
    }

    /**
     * A write-ahead publisher that publishes liveness summaries of what Kafka acknowledged.
     *
     * @param liveness where and how often summaries go, or null for none
     */
    public static EventPublisher spooling(PublisherSettings settings, MeterRegistry registry, Clock clock,
                                          EventLog eventLog, LivenessSettings liveness) {
        return create(settings, registry, clock, Objects.requireNonNull(eventLog, "eventLog"), liveness);
    }

    private static EventPublisher create(PublisherSettings settings, MeterRegistry registry, Clock clock,
                                         EventLog eventLog, LivenessSettings liveness) {
        return new EventPublisher(settings, registry, clock, System::nanoTime,
                new KafkaProducer<>(ClientConfigs.producer(settings, eventLog != null)),
                new KafkaProducer<>(ClientConfigs.deadLetterProducer(settings)),
                Admin.create(ClientConfigs.admin(settings, KafkaReachability.PROBE_TIMEOUT)), eventLog, liveness);
    }

    /**
     * @param nanoTime monotonic time for latency, backoff, rate-limited logs and the close deadline
     * @param admin the probe's client, or null for no probe (unit tests with a mock producer)
     * @param eventLog the disk spool to write ahead through, or null to send from memory only
     */
    EventPublisher(PublisherSettings settings, MeterRegistry registry, Clock clock, LongSupplier nanoTime,
                   Producer<byte[], byte[]> producer, Admin admin, EventLog eventLog) {
        this(settings, registry, clock, nanoTime, producer, producer, admin, eventLog);
    }

    /**
     * @param deadLetterProducer the producer of the dead-letter topic, with room for larger records;
     *     may be {@code producer} itself (unit tests with a mock producer)
     */
    EventPublisher(PublisherSettings settings, MeterRegistry registry, Clock clock, LongSupplier nanoTime,
                   Producer<byte[], byte[]> producer, Producer<byte[], byte[]> deadLetterProducer, Admin admin,
                   EventLog eventLog) {
        this(settings, registry, clock, nanoTime, producer, deadLetterProducer, admin, eventLog, null);
    }

    /**
     * @param liveness where and how often liveness summaries go (sent through {@code producer}), or
     *     null for none
     */
    EventPublisher(PublisherSettings settings, MeterRegistry registry, Clock clock, LongSupplier nanoTime,
                   Producer<byte[], byte[]> producer, Producer<byte[], byte[]> deadLetterProducer, Admin admin,
                   EventLog eventLog, LivenessSettings liveness) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.producer = Objects.requireNonNull(producer, "producer");
        this.admin = admin;
        this.queue = new BoundedEventQueue(settings.queueBytes(), nanoTime);
        this.reachability = new KafkaReachability(settings.bootstrapServers(), Objects.requireNonNull(clock, "clock"));
        this.metrics = new KafkaMetrics(registry, queue, inflight, reachability::reachable);
        if (liveness == null) {
            this.livenessFlusher = null;
            this.liveness = null;
        } else {
            this.livenessFlusher = Executors.newSingleThreadScheduledExecutor(r -> Sender.daemon(r, "auditwatch-liveness"));
            this.liveness = new LivenessSummaries(producer, liveness, metrics, livenessFlusher);
            long every = liveness.interval().toMillis();
            LivenessSummaries summaries = this.liveness;
            livenessFlusher.scheduleWithFixedDelay(() -> {
                try {
                    summaries.flush();
                } catch (RuntimeException e) {
                    // A scheduled task that throws is never run again: log and keep flushing.
                    Sender.log.warn("liveness summaries not flushed: {}", describe(e));
                }
            }, every, every, TimeUnit.MILLISECONDS);
            Sender.log.info("Liveness summaries to topic {} every {} ms, at most {} keys", liveness.topic(), every,
                    liveness.maxKeys());
        }
        this.outcomes = new PublishOutcomes(metrics, reachability, nanoTime, Sender.log, settings.topic(), this.liveness);
        this.deadLetters = new DeadLetters(Objects.requireNonNull(deadLetterProducer, "deadLetterProducer"), settings,
                metrics, nanoTime);
        rejectionLog = new RateLimitedLog(Sender.log, "Events rejected because the Kafka publisher is full or closed",
                RateLimitedLog.DEFAULT_INTERVAL_NANOS, nanoTime);
        Sender.log.info("Kafka publisher to topic {} at {}: acks=all, idempotent, key=node, {} bytes bound (pause at {}%,"
                        + " resume at {}%), producer settings {}",
                settings.topic(), settings.bootstrapServers(), settings.queueBytes(),
                (int) (BoundedEventQueue.HIGH_WATERMARK * 100), (int) (BoundedEventQueue.LOW_WATERMARK * 100),
                ClientConfigs.redacted(ClientConfigs.producer(settings, eventLog != null)));
        this.sender = eventLog == null
                ? new DirectSender(settings, producer, queue, inflight, outcomes, nanoTime, deadLetters)
                : new SpoolingSender(settings, producer, queue, inflight, outcomes, nanoTime, deadLetters, eventLog);
        sender.start();
        if (admin != null) {
            prober = Executors.newSingleThreadScheduledExecutor(r -> Sender.daemon(r, "auditwatch-kafka-probe"));
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
        rejectionLog.record(sender.accepting ? "bound of " + settings.queueBytes() + " bytes full" : "publisher closing");
        return false;
    }

    /**
     * Like {@link #offer} but counts and logs nothing when the event is not taken: for a caller
     * that keeps the event and tries again (the stream listeners' {@code ReadGate}), where a refusal
     * loses nothing and must not show as {@code rejected}.
     */
    public boolean tryOffer(OutboundEvent event) {
        return sender.accepting && queue.offer(event);
    }

    /** Registers a listener; it gets {@code pause()} at once if the publisher is paused now. */
    public void addPressureListener(PressureListener listener) {
        queue.gate().addListener(listener);
    }

    /** Events stored in the dead-letter topic since start. */
    public long deadLettered() {
        return deadLetters.written();
    }

    /**
     * The {@code events-dead-lettered} pipeline alert's summary while it should fire, else null:
     * an event is held because the dead-letter topic refuses it too, or events went to the
     * dead-letter topic within the last {@code window}.
     */
    public String deadLetterAlert(Duration window) {
        return deadLetters.alert(window.toNanos());
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
     * Stops accepting, lets the sender finish what is queued and waits for Kafka's acknowledgements
     * until {@code deadline} has passed; then closes the producer with the time left. Events that are
     * then neither acknowledged nor held by the spool are counted as failed ({@code reason="shutdown"})
     * and logged: without the spool ({@code spool.enabled: false}) that is everything unacknowledged;
     * with it, only what could not be appended because the spool stayed full. Idempotent.
     */
    public void close(Duration deadline) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        long end = nanoTime.getAsLong() + deadline.toNanos();
        long acknowledgedBefore = outcomes.acknowledgedCount();
        int queuedAtClose = queue.queuedEvents();
        int inflightAtClose = inflight.get();
        sender.accepting = false;
        try {
            sender.stopThreads(end);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sender.closing = true;
        for (OutboundEvent e : queue.drainAndRelease()) {
            outcomes.lost(FailureReason.SHUTDOWN, sender.unsentDetail());
        }
        if (liveness != null) {
            // What was acknowledged so far goes out with the producer's close; later acknowledgements'
            // evidence is lost (at most this moment's worth: ingest/DESIGN.md, "Liveness summaries").
            // A send can wait max.block.ms for metadata (a broker that just went away and is not yet
            // known unreachable, or a flush already waiting), so the last flush runs on the flusher's
            // own thread and is given at most LIVENESS_FINAL_FLUSH, then interrupted.
            if (reachability.reachable()) {
                livenessFlusher.execute(liveness::flush);
            }
            livenessFlusher.shutdown();
            try {
                long wait = Math.min(LIVENESS_FINAL_FLUSH.toMillis(), sender.remainingMillis(end));
                if (!livenessFlusher.awaitTermination(Math.max(0, wait), TimeUnit.MILLISECONDS)) {
                    livenessFlusher.shutdownNow();
                }
            } catch (InterruptedException e) {
                livenessFlusher.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        // Waits for in-flight requests up to the deadline, then fails the rest through their callbacks.
        producer.close(Duration.ofMillis(sender.remainingMillis(end)));
        if (deadLetters.producer() != producer) {
            deadLetters.producer().close(Duration.ofMillis(sender.remainingMillis(end)));
        }
        sender.abandonInflight();
        if (prober != null) {
            prober.shutdownNow();
            admin.close(Duration.ZERO);
        }
        outcomes.flush();
        deadLetters.flush();
        rejectionLog.flush();
        sender.logClosed(new Sender.CloseSummary(queuedAtClose, inflightAtClose,
                outcomes.acknowledgedCount() - acknowledgedBefore, outcomes.shutdownLosses(), deadline));
    }

    /** Sends the liveness summaries held now, as the periodic flush does (tests). */
    void flushLiveness() {
        liveness.flush();
    }

    static String describe(Throwable t) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
