package io.auditwatch.heartbeat.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditwatch.alerting.AlertStore;
import io.auditwatch.alerting.Notification;
import io.auditwatch.alerting.OpenAlert;
import io.auditwatch.alerting.outbox.Outbox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link AlertStore} of a consumer group: the compacted topic {@value #TOPIC}, partitioned like
 * heartbeat's source topic, so partition p holds the alerts of the nodes whose events are in p and
 * moves with them. Two kinds of record, JSON so that {@code kcat} shows an operator what is open:
 * <ul>
 *   <li>key {@code alert/<alert key>}: value {@code {"v":1,"alert":{...}}}, the open alert with its
 *       group-window and notice state; a tombstone once its recovery notice is queued;</li>
 *   <li>key {@code notification/<id>}: value {@code {"v":1,"notification":{...},"partitions":[...]}},
 *       a notification queued and not yet accepted by the relay, written to every partition whose
 *       alerts it reports; a tombstone once accepted.</li>
 * </ul>
 */
public final class KafkaAlertStore implements AlertStore, AutoCloseable {
    public static final String TOPIC = "auditwatch.alert-state";
    static final String ALERT = "alert/";
    static final String NOTIFICATION = "notification/";
    static final int VERSION = 1;
    /**
     * After a write waited {@code max.block.ms} for a broker that did not answer, further writes are
     * skipped this long (and reported lost), so an outage costs the alerting tick or a stop one wait,
     * not one per alert.
     */
    static final Duration UNAVAILABLE_PAUSE = Duration.ofSeconds(10);
    /** Longest key read back: an alert key holds a node name (255 bytes) and a stream id. */
    static final int MAX_KEY_BYTES = 1024;
    private static final Logger log = LoggerFactory.getLogger(KafkaAlertStore.class);
    private static final ObjectMapper JSON = Outbox.mapper();

    record AlertRecord(int v, OpenAlert alert, Notification notification, Set<Integer> partitions) {
    }

    private final Map<String, Object> kafkaConfig;
    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final ConcurrentLinkedQueue<Future<RecordMetadata>> unacknowledged = new ConcurrentLinkedQueue<>();
    private volatile int partitions;
    /** A write failed since {@link #writesLost()} was last asked. */
    private final java.util.concurrent.atomic.AtomicBoolean lost = new java.util.concurrent.atomic.AtomicBoolean();
    /**
     * System.nanoTime() before which writes are skipped, one having just waited {@code max.block.ms}
     * for metadata in vain; null when the last write did not.
     */
    private volatile Long unavailableUntil;

    /**
     * @param kafkaConfig client settings ({@code bootstrap.servers}, security)
     * @param topic normally {@value #TOPIC}
     */
    public KafkaAlertStore(Map<String, Object> kafkaConfig, String topic) {
        this.kafkaConfig = Map.copyOf(kafkaConfig);
        this.topic = topic;
        // The alerting tick must not hang on a lost broker: pipeline alerts are mailed meanwhile.
        this.producer = new KafkaProducer<>(HeartbeatConsumer.stateProducerConfig(kafkaConfig, "auditwatch-alert-state"));
    }

    /**
     * Creates the topic when missing, compacted, with the partitions of {@code sourceTopic} (the
     * topic heartbeat consumes), and partitions nodes by that count from now on.
     */
    public void prepare(String sourceTopic) throws InterruptedException {
        usePartitions(StateTopic.ensure(kafkaConfig, sourceTopic, topic));
    }

    void usePartitions(int count) {
        partitions = count;
    }

    public String topic() {
        return topic;
    }

    /** Kafka's default partitioner for a keyed record: where the node's events, and so its alerts, are. */
    @Override
    public int partitionOf(String node) {
        int n = partitions;
        if (n <= 0) {
            throw new IllegalStateException("the alert store does not know the partition count yet (prepare first)");
        }
        return Utils.toPositive(Utils.murmur2(node.getBytes(StandardCharsets.UTF_8))) % n;
    }

    @Override
    public void put(int partition, OpenAlert alert) {
        send(partition, ALERT + alert.key(), new AlertRecord(VERSION, alert, null, null));
    }

    @Override
    public void remove(int partition, String key) {
        send(partition, ALERT + key, null);
    }

    @Override
    public void queued(Set<Integer> partitions, Notification notification) {
        AlertRecord r = new AlertRecord(VERSION, null, notification, new TreeSet<>(partitions));
        for (int p : partitions) {
            send(p, NOTIFICATION + notification.id(), r);
        }
    }

    @Override
    public void delivered(Set<Integer> partitions, String notificationId) {
        for (int p : partitions) {
            send(p, NOTIFICATION + notificationId, null);
        }
    }

    private void send(int partition, String key, AlertRecord value) {
        Long pause = unavailableUntil;
        if (pause != null && System.nanoTime() - pause < 0) {
            lost.set(true); // the broker was away a moment ago: do not block the alerting tick again
            return;
        }
        byte[] v;
        try {
            v = value == null ? null : JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            unacknowledged.add(producer.send(new ProducerRecord<>(topic, partition, key.getBytes(StandardCharsets.UTF_8), v),
                    (md, e) -> {
                        if (e != null) {
                            lost.set(true);
                            log.warn("alert record {} not written to {}: {}", key, topic, e.toString());
                        }
                    }));
        } catch (RuntimeException e) {
            // max.block.ms ran out waiting for metadata: the broker is away. The next write of this key
            // carries the newer state; sync() reports the gap.
            log.warn("alert record {} not written to {}: {}; writes skipped for {}s", key, topic, e.toString(),
                    UNAVAILABLE_PAUSE.toSeconds());
            unavailableUntil = System.nanoTime() + UNAVAILABLE_PAUSE.toNanos();
            lost.set(true);
            unacknowledged.add(java.util.concurrent.CompletableFuture.failedFuture(e));
        }
    }

    @Override
    public boolean writesLost() {
        return lost.getAndSet(false);
    }

    @Override
    public boolean sync(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean all = true;
        Future<RecordMetadata> f;
        while ((f = unacknowledged.peek()) != null) {
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return false; // still outstanding: a later sync waits for it again
            } catch (ExecutionException e) {
                all = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            unacknowledged.remove(f);
        }
        return all;
    }

    /**
     * Reads what the previous owners of {@code owned} left: open alerts and notifications still to
     * deliver; records that cannot be read are skipped and logged.
     */
    public Restored read(Collection<Integer> owned, Duration timeout) {
        List<Held> alerts = new ArrayList<>();
        Map<String, Pending> notifications = new java.util.LinkedHashMap<>();
        int bad = 0;
        for (StateTopic.Latest r : StateTopic.readLatest(kafkaConfig, topic, owned, timeout, MAX_KEY_BYTES,
                "auditwatch-alert-state-restore")) {
            try {
                AlertRecord a = JSON.readValue(r.value(), AlertRecord.class);
                if (a.v() != VERSION) {
                    throw new IOException("unsupported version " + a.v());
                }
                if (r.key().startsWith(ALERT) && a.alert() != null) {
                    alerts.add(new Held(r.partition(), a.alert()));
                } else if (r.key().startsWith(NOTIFICATION) && a.notification() != null) {
                    Set<Integer> ps = a.partitions() == null || a.partitions().isEmpty() ? Set.of(r.partition()) : a.partitions();
                    notifications.putIfAbsent(a.notification().id(), new Pending(ps, a.notification()));
                } else {
                    throw new IOException("neither an alert nor a notification");
                }
            } catch (IOException | RuntimeException e) {
                bad++;
            }
        }
        if (bad > 0) {
            log.warn("skipped {} unreadable records of {} partitions {}", bad, topic, owned);
        }
        return new Restored(alerts, new ArrayList<>(notifications.values()));
    }

    /** Sends what is buffered and closes, within {@code timeout}. */
    public void close(Duration timeout) {
        producer.close(timeout);
    }

    @Override
    public void close() {
        close(HeartbeatConsumer.SHUTDOWN_TIMEOUT);
    }
}
