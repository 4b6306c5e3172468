package io.auditwatch.heartbeat.kafka;

import io.auditwatch.alerting.AlertStore;
import io.auditwatch.heartbeat.EventHeaders;
import io.auditwatch.heartbeat.HeartbeatSettings;
import io.auditwatch.heartbeat.HeartbeatTracker;
import io.auditwatch.heartbeat.NodeNames;
import io.auditwatch.heartbeat.NodeSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds a {@link HeartbeatTracker} from the records of its source topic: the liveness summaries of
 * {@code auditwatch.liveness} ({@code heartbeat.source: summaries}, ingest/DESIGN.md, Decisions,
 * "Liveness summaries"), or every record of {@code audit.events} ({@code events}); both carry the
 * headers of {@link EventHeaders}. Consumer group {@value #GROUP_ID}, headers only: values are fetched
 * as bytes and never read. It keeps its state
 * in the compacted topic {@value #STATE_TOPIC}, one record per node, on the same partition number as
 * the node's records in the source topic. On assignment it reads those state partitions to their end, restores the nodes,
 * and holds judgement until it has consumed the source topic up to the end offsets captured at that moment;
 * on revocation it writes and forgets the nodes. So each node is judged by exactly one instance, and
 * a restart or rebalance neither forgets a silence nor raises a false one.
 *
 * <p>Runs one thread ({@code auditwatch-heartbeat-consumer}); {@link HeartbeatTracker#evaluate()} is
 * driven by the caller's scheduler, not by this class. The thread supervises its own sessions: a
 * session that fails (any exception, e.g. the state restore timing out inside a rebalance) hands its
 * nodes back, and a new session with new clients starts after the {@link RestartPolicy} back-off
 * (heartbeat/README.md, "Supervision").
 */
public final class HeartbeatConsumer implements AutoCloseable {
    public static final String GROUP_ID = "auditwatch-heartbeat";
    public static final String STATE_TOPIC = "auditwatch.heartbeat";
    /**
     * Bound of each step of a shutdown (state flush, offset commit, leaving the group). Kafka's
     * own defaults (30 s close, 60 s commit) would outlast a SIGTERM grace period when the group is
     * still rebalancing, e.g. right after a killed instance whose session has not expired yet.
     */
    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);
    private static final Logger log = LoggerFactory.getLogger(HeartbeatConsumer.class);
    /** Short enough that transitions reach the state topic within a tenth of a second. */
    private static final Duration POLL = Duration.ofMillis(100);
    /** How long reading a state partition to its end may take before assignment fails loudly. */
    private static final Duration RESTORE_TIMEOUT = Duration.ofSeconds(60);
    /**
     * {@code max.block.ms} of the state producer: how long one state write may wait for metadata.
     * Kafka's 60 s default, paid once per owned node, kept a stop with the broker unreachable
     * running for minutes; a stop writes nothing more once one write has failed this way.
     */
    static final Duration STATE_MAX_BLOCK = Duration.ofSeconds(3);
    /** The whole of {@link #close()} without a given bound: state flush, commit, leaving the group. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Map<String, Object> kafkaConfig;
    private final String eventsTopic;
    private final String stateTopic;
    private final HeartbeatTracker tracker;
    private final long flushIntervalNanos;
    private final Map<TopicPartition, Long> catchUpTargets = new ConcurrentHashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Counted down by {@link #close()}: ends a back-off wait at once. */
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final Thread thread;
    private final RestartPolicy restartPolicy;
    /** Where the alerts of the owned partitions are kept, and the engine that takes and hands them; null without sharing. */
    private volatile KafkaAlertStore alertStore;
    private volatile AlertStore.Owner alertOwner;
    private final AtomicLong restarts = new AtomicLong();
    private volatile ConsumerState state = ConsumerState.STARTING;
    /** Failed sessions since a session last joined the group; 0 while healthy. */
    private volatile int failures;
    /** When the current run of failures began, or null. */
    private volatile Instant downSince;
    /** System.nanoTime() by which a stop must be over; set by {@link #close(Duration)}. */
    private volatile long stopDeadline;
    /** Nodes whose final state record was not written at the stop, or -1 when the stop did not finish. */
    private volatile int unwrittenAtStop = -1;
    private volatile boolean running;
    private volatile boolean caughtUp;
    /** Set by the first rebalance that completes, also one that assigns nothing. */
    private volatile boolean joined;
    private volatile Throwable failure;
    /** Set while a session hands its nodes back: the revocation callback of the consumer's own close writes nothing. */
    private volatile boolean handingBack;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> producer;
    private int partitionCount;

    /**
     * @param kafkaConfig client settings shared by the consumer, producer and admin client
     *     ({@code bootstrap.servers}, security); serializers, group and commit settings are set here
     * @param eventsTopic the source topic: {@code kafka.liveness-topic} or {@code kafka.topic}, as
     *     {@code heartbeat.source} says; keyed by node with Kafka's default partitioner
     * @param stateTopic normally {@value #STATE_TOPIC}; created compacted with the source topic's
     *     partition count when missing
     */
    public HeartbeatConsumer(Map<String, Object> kafkaConfig, String eventsTopic, String stateTopic,
            HeartbeatTracker tracker, HeartbeatSettings settings) {
        this(kafkaConfig, eventsTopic, stateTopic, tracker, settings, RestartPolicy.giveUpAfter(Integer.MAX_VALUE));
    }

    /** As above, restarting a failed session by {@code restartPolicy}. */
    public HeartbeatConsumer(Map<String, Object> kafkaConfig, String eventsTopic, String stateTopic,
            HeartbeatTracker tracker, HeartbeatSettings settings, RestartPolicy restartPolicy) {
        this.restartPolicy = restartPolicy;
        this.kafkaConfig = Map.copyOf(kafkaConfig);
        this.eventsTopic = eventsTopic;
        this.stateTopic = stateTopic;
        this.tracker = tracker;
        this.flushIntervalNanos = settings.stateFlushInterval().toNanos();
        this.thread = new Thread(this::supervise, "auditwatch-heartbeat-consumer");
        this.thread.setDaemon(true);
    }

    /**
     * Moves the alerts of the nodes with the partitions: on assignment {@code owner} continues them
     * from {@code store}, on revocation it writes and forgets them. Call before {@link #start()}.
     */
    public void shareAlerts(KafkaAlertStore store, AlertStore.Owner owner) {
        this.alertStore = store;
        this.alertOwner = owner;
    }

    /** Creates the state topic if needed and starts consuming on its own thread. */
    public void start() {
        running = true;
        thread.start();
    }

    /**
     * True when every owned partition has been consumed up to its end offset captured at assignment
     * (node judgement runs), also when this instance was assigned no partition; false until the
     * first rebalance has completed (before it, nobody here judges anything).
     */
    public boolean caughtUp() {
        return caughtUp;
    }

    /** True once the consumer group has completed a first rebalance for this instance. */
    public boolean joined() {
        return joined;
    }

    /**
     * True while a session has joined the group and none failed since: false after {@link #close()},
     * while a failed session waits for its restart, and until the restarted one has joined. For
     * {@code /ready}.
     */
    public boolean running() {
        return running && state == ConsumerState.RUNNING;
    }

    /** The error that ended the last session, while the consumer is down; null when it runs. */
    public Throwable failure() {
        return failure;
    }

    /** The life-cycle state, for the state gauge and {@code /status}. */
    public ConsumerState state() {
        return state;
    }

    /** True from a session's failure until a restarted session has joined the group (the pipeline alert). */
    public boolean down() {
        return running && failures > 0;
    }

    /** When the current run of failures began, or null while healthy. */
    public Instant downSince() {
        return downSince;
    }

    /** Failed sessions since a session last joined the group. */
    public int consecutiveFailures() {
        return failures;
    }

    /** Sessions started after a failure, since start. */
    public long restarts() {
        return restarts.get();
    }

    /**
     * True when {@link RestartPolicy#giveUpAfter()} consecutive sessions have failed: the role does not
     * recover on its own and {@code /health} reports it, so the orchestrator restarts the process.
     */
    public boolean givenUp() {
        return down() && restartPolicy.givenUp(failures);
    }

    /**
     * After {@link #close(Duration)}: the owned nodes whose final state record did not reach Kafka
     * (their new owner restores the previous record and replays {@code audit.events} from the last
     * committed offset), or -1 when the stop did not finish within its bound.
     */
    public int unwrittenAtStop() {
        return unwrittenAtStop;
    }

    /** Runs sessions until {@link #close()}, restarting a failed one after the back-off. */
    private void supervise() {
        try {
            while (running) {
                state = ConsumerState.STARTING;
                Throwable t = run();
                if (t == null || !running) {
                    break;
                }
                failure = t;
                int n = ++failures;
                if (downSince == null) {
                    downSince = Instant.now();
                }
                state = ConsumerState.DOWN;
                Duration wait = restartPolicy.backoff(n);
                log.error("heartbeat consumer failed ({} consecutive failures); restarting in {} s", n,
                        wait.toMillis() / 1000.0, t);
                if (stopRequested.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                    break;
                }
                restarts.incrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            state = ConsumerState.STOPPED;
            stopped.countDown();
        }
    }

    /** Partitions of the events topic this instance owns now. */
    public Set<Integer> ownedPartitions() {
        return tracker.ownedPartitions();
    }

    /** One session with new clients; returns the error that ended it, or null when it was stopped. */
    private Throwable run() {
        catchUpTargets.clear();
        caughtUp = false;
        joined = false;
        unwrittenAtStop = -1;
        handingBack = false;
        consumer = null;
        producer = null;
        Throwable error = null;
        try {
            partitionCount = StateTopic.ensure(kafkaConfig, eventsTopic, stateTopic);
            int n = partitionCount;
            // Kafka's default partitioner for a keyed record: the owner of a never-seen inventory node.
            tracker.usePartitions(node -> Utils.toPositive(Utils.murmur2(node.getBytes(StandardCharsets.UTF_8))) % n);
            if (alertStore != null) {
                alertStore.prepare(eventsTopic);
            }
            producer = new KafkaProducer<>(stateProducerConfig(kafkaConfig, "auditwatch-heartbeat-state"));
            consumer = new KafkaConsumer<>(consumerConfig());
            consumer.subscribe(List.of(eventsTopic), new Rebalance());
            long lastFlush = System.nanoTime();
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    Headers h = r.headers();
                    tracker.onHeaders(value(h, EventHeaders.NODE), value(h, EventHeaders.STREAM), value(h, EventHeaders.RECEIVED),
                            value(h, EventHeaders.SENT), value(h, EventHeaders.COMPONENT), value(h, EventHeaders.PULSE),
                            value(h, EventHeaders.COUNT), r.partition());
                    byte[] cis = value(h, EventHeaders.CIS_RULES);
                    byte[] change = value(h, EventHeaders.AUDIT_CHANGE);
                    if (cis != null || change != null) {
                        tracker.onCompliance(value(h, EventHeaders.NODE), cis, change, value(h, EventHeaders.NODE_SOURCE),
                                EventHeaders.decodeMillis(value(h, EventHeaders.RECEIVED)));
                    }
                }
                checkCatchUp();
                reportLag();
                boolean periodic = System.nanoTime() - lastFlush >= flushIntervalNanos;
                write(tracker.drainChanges(periodic));
                if (periodic) {
                    producer.flush(); // state first, offsets second: restored state is never older than the commit
                    consumer.commitAsync();
                    lastFlush = System.nanoTime();
                }
            }
        } catch (WakeupException e) {
            // close()
        } catch (InterruptedException e) {
            if (running) {
                error = e;
            }
        } catch (Throwable t) {
            error = t;
        } finally {
            unwrittenAtStop = shutdown(running ? System.nanoTime() + STOP_TIMEOUT.toNanos() : stopDeadline);
        }
        return error;
    }

    /**
     * Hands the owned nodes back: their state records, the offsets, the group membership; every
     * step bounded so the whole ends by {@code deadline} (System.nanoTime()) whatever Kafka does.
     * Writing stops at the first record that failed (the broker is not answering), so an unreachable
     * broker costs one {@link #STATE_MAX_BLOCK}, not one per node.
     *
     * @return the nodes whose final state record did not reach Kafka
     */
    private int shutdown(long deadline) {
        int unwritten = 0;
        handingBack = true;
        try {
            if (consumer != null) {
                List<Integer> mine = new ArrayList<>(tracker.ownedPartitions());
                List<NodeSnapshot> last = new ArrayList<>(tracker.drainChanges(true));
                last.addAll(tracker.release(mine));
                if (alertOwner != null) {
                    alertOwner.release(mine, remaining(deadline, SHUTDOWN_TIMEOUT));
                }
                AtomicInteger failed = new AtomicInteger();
                for (NodeSnapshot s : last) {
                    if (failed.get() > 0 || System.nanoTime() >= deadline) {
                        unwritten++;
                    } else {
                        send(s, failed);
                    }
                }
                producer.close(remaining(deadline, SHUTDOWN_TIMEOUT));
                unwritten += failed.get();
                try {
                    consumer.commitSync(remaining(deadline, SHUTDOWN_TIMEOUT));
                } catch (RuntimeException e) {
                    log.warn("final offset commit failed: {}", e.toString());
                }
                consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(remaining(deadline, SHUTDOWN_TIMEOUT)));
            }
        } catch (RuntimeException e) {
            log.warn("heartbeat consumer shutdown: {}", e.toString());
        } finally {
            if (producer != null) {
                producer.close(Duration.ZERO); // no-op when closed above
            }
        }
        return unwritten;
    }

    private static Duration remaining(long deadline, Duration atMost) {
        long left = Math.max(0, deadline - System.nanoTime());
        return Duration.ofNanos(Math.min(left, atMost.toNanos()));
    }

    private static byte[] value(Headers headers, String key) {
        Header h = headers.lastHeader(key);
        return h == null ? null : h.value();
    }

    private void checkCatchUp() {
        if (!joined) {
            return;
        }
        if (catchUpTargets.isEmpty()) {
            caughtUp = true; // also an instance that owns nothing (more instances than partitions) is ready
            return;
        }
        Set<TopicPartition> assigned = consumer.assignment();
        catchUpTargets.entrySet().removeIf(e -> !assigned.contains(e.getKey()) || consumer.position(e.getKey()) >= e.getValue());
        if (catchUpTargets.isEmpty()) {
            tracker.catchingUp(false);
            caughtUp = true;
            log.info("heartbeat caught up on partitions {}", tracker.ownedPartitions());
        }
    }

    private void reportLag() {
        long lag = 0;
        for (TopicPartition tp : consumer.assignment()) {
            lag += consumer.currentLag(tp).orElse(0);
        }
        tracker.reportConsumerLag(lag);
    }

    private void write(List<NodeSnapshot> snapshots) {
        for (NodeSnapshot s : snapshots) {
            send(s, null);
        }
    }

    /** Sends one node's state record; a failure is logged and, when {@code failed} is given, counted there. */
    private void send(NodeSnapshot s, AtomicInteger failed) {
        int p = s.partition() >= 0 ? s.partition()
                : Utils.toPositive(Utils.murmur2(StateCodec.key(s.node()))) % partitionCount;
        producer.send(new ProducerRecord<>(stateTopic, p, StateCodec.key(s.node()), StateCodec.value(s)), (md, e) -> {
            if (e != null) {
                if (failed != null) {
                    failed.incrementAndGet();
                }
                log.warn("state record of node \"{}\" not written: {}", NodeNames.forLog(s.node()), e.toString());
            }
        });
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // While a session ends (consumer.close() leaving the group) its nodes were handed back already.
            if (partitions.isEmpty() || handingBack) {
                return;
            }
            List<Integer> numbers = numbers(partitions);
            write(tracker.drainChanges(false));
            write(tracker.release(numbers));
            if (alertOwner != null) {
                alertOwner.release(numbers, SHUTDOWN_TIMEOUT);
            }
            producer.flush(); // before the new owner reads these partitions
            try {
                consumer.commitSync(SHUTDOWN_TIMEOUT);
            } catch (RuntimeException e) {
                log.warn("offset commit on revocation failed: {}", e.toString());
            }
            partitions.forEach(catchUpTargets::remove);
            log.info("heartbeat released partitions {}", numbers);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // Someone else owns them already: forget without writing over the new owner's state.
            tracker.release(numbers(partitions));
            if (alertOwner != null) {
                alertOwner.lose(numbers(partitions));
            }
            partitions.forEach(catchUpTargets::remove);
            log.warn("heartbeat lost partitions {}", numbers(partitions));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // The cooperative protocol calls this after every rebalance, with an empty set when
            // nothing new came: the group has been joined either way.
            markJoined();
            if (partitions.isEmpty()) {
                return;
            }
            List<Integer> numbers = numbers(partitions);
            caughtUp = false;
            tracker.catchingUp(true);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            catchUpTargets.putAll(ends);
            Collection<NodeSnapshot> restored = StateTopic.read(kafkaConfig, stateTopic, numbers, RESTORE_TIMEOUT);
            if (alertOwner != null) {
                // Before the nodes: heartbeat holds its judgement until caught up, then reconciles with these.
                alertOwner.adopt(numbers, alertStore.read(numbers, RESTORE_TIMEOUT));
            }
            tracker.adopt(numbers, restored);
            log.info("heartbeat took partitions {}: {} nodes restored, catching up to offsets {}", numbers, restored.size(), ends);
        }
    }

    private static List<Integer> numbers(Collection<TopicPartition> partitions) {
        List<Integer> out = new ArrayList<>(partitions.size());
        partitions.forEach(tp -> out.add(tp.partition()));
        return out;
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> c = new HashMap<>(kafkaConfig);
        c.putIfAbsent(ConsumerConfig.GROUP_ID_CONFIG, GROUP_ID);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        // Values are never read (the envelope is ingest's business); bytes cost no decoding.
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A brand-new group starts at the end: replaying all history would judge old gaps as news.
        c.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "auditwatch-heartbeat");
        // Incremental rebalancing: only partitions that move are revoked, so the others keep judging
        // instead of every instance flushing and re-reading all its state at each join or leave.
        c.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                org.apache.kafka.clients.consumer.CooperativeStickyAssignor.class.getName());
        return c;
    }

    /**
     * A producer of state records (this consumer's, and {@link KafkaAlertStore}'s): durable and in
     * order per partition, and never blocked longer than {@link #STATE_MAX_BLOCK} by a lost broker.
     */
    static Map<String, Object> stateProducerConfig(Map<String, Object> kafkaConfig, String clientId) {
        Map<String, Object> c = new HashMap<>(kafkaConfig);
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) STATE_MAX_BLOCK.toMillis());
        return c;
    }

    private void markJoined() {
        joined = true;
        if (failures > 0) {
            log.info("heartbeat consumer running again after {} failed sessions since {}", failures, downSince);
        }
        failures = 0;
        downSince = null;
        failure = null;
        state = ConsumerState.RUNNING;
    }

    /** {@link #close(Duration)} within {@link #STOP_TIMEOUT}. */
    @Override
    public void close() throws InterruptedException {
        close(STOP_TIMEOUT);
    }

    /**
     * Writes the owned nodes' state, leaves the group (the others take the partitions over) and stops,
     * within {@code timeout}: what is not done by then is left (see {@link #unwrittenAtStop()}).
     *
     * @return true when the consumer thread ended within {@code timeout}
     */
    public boolean close(Duration timeout) throws InterruptedException {
        requestStop(timeout);
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Starts the stop without waiting for it: the nodes are handed back on the consumer's thread
     * within {@code timeout}, while the caller stops other parts. The first call sets the bound.
     */
    public synchronized void requestStop(Duration timeout) {
        if (stopRequested.getCount() == 0) {
            return;
        }
        stopDeadline = System.nanoTime() + timeout.toNanos();
        running = false;
        stopRequested.countDown();
        if (!thread.isAlive()) {
            state = ConsumerState.STOPPED;
            return;
        }
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        } else {
            thread.interrupt(); // still creating the state topic: admin calls answer an interrupt
        }
    }
}
