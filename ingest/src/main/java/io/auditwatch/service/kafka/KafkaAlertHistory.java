package io.auditwatch.service.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditwatch.alerting.AlertHistory;
import io.auditwatch.alerting.AlertKind;
import io.auditwatch.alerting.AlertingMetrics;
import io.auditwatch.alerting.Delivery;
import io.auditwatch.alerting.Notification;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert history: every notification alerting queues is also written, as JSON keyed by its id,
 * to {@code auditwatch.alerts} when Kafka is up ({@code "type": "queued"}, with what it says about each
 * alert), and again once the relay accepted it ({@code "type": "delivered"}, with the relay's reply);
 * ingest/README.md, "Assessor report", describes both records. It never blocks the alerting thread (a bounded
 * hand-off to its own thread) and never stops email delivery: a history record that cannot be
 * written is counted ({@link AlertingMetrics#HISTORY_FAILURES}) and logged.
 */
public final class KafkaAlertHistory implements AlertHistory, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaAlertHistory.class);
    public static final String TOPIC = "auditwatch.alerts";
    /** {@code type} of the record written when a notification is queued. */
    public static final String QUEUED = "queued";
    /** {@code type} of the record written when the relay accepted a notification. */
    public static final String DELIVERED = "delivered";
    /** Notifications waiting for the history thread; a digest per group window makes more than this unlikely. */
    static final int QUEUE = 1_000;
    /**
     * How long the history is kept: the assessor report reads it, and an annual assessment asks for a year
     * of evidence; a month more covers an assessment that runs late. Kafka's default (7 days) would cut
     * a 30-day report short. Applied when the topic is created; ingest/README.md ("Assessor report") says
     * how to set it on an existing topic.
     */
    static final Duration RETENTION = Duration.ofDays(400);
    /** Bounded wait for metadata on the history thread only. */
    static final Duration MAX_BLOCK = Duration.ofSeconds(5);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaProducer<byte[], byte[]> producer;
    private final ThreadPoolExecutor thread;
    private final AlertingMetrics metrics;
    private final String topic;

    /** @param clientProperties security and other client settings shared by every Kafka client */
    public KafkaAlertHistory(String bootstrapServers, Map<String, String> clientProperties, String topic,
            short replicationFactor, AlertingMetrics metrics) {
        this.topic = topic;
        ensureTopic(bootstrapServers, clientProperties, topic, 1, replicationFactor,
                Map.of("retention.ms", Long.toString(RETENTION.toMillis())));
        Map<String, Object> p = new LinkedHashMap<>(clientProperties);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) MAX_BLOCK.toMillis());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "auditwatch-alert-history");
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "aw-alert-history");
            t.setDaemon(true);
            return t;
        });
        this.metrics = metrics;
    }

    /** Creates {@code topic} unless it exists; a failure is logged, not thrown (the writes retry and log). */
    static void ensureTopic(String bootstrap, Map<String, String> clientProperties, String topic, int partitions, short rf) {
        ensureTopic(bootstrap, clientProperties, topic, partitions, rf, Map.of());
    }

    /** As above, created with these topic configurations. */
    static void ensureTopic(String bootstrap, Map<String, String> clientProperties, String topic, int partitions, short rf,
            Map<String, String> configs) {
        Map<String, Object> a = new LinkedHashMap<>(clientProperties);
        a.put("bootstrap.servers", bootstrap);
        a.put("request.timeout.ms", 10_000);
        a.put("default.api.timeout.ms", 15_000);
        try (Admin admin = Admin.create(a)) {
            admin.createTopics(java.util.List.of(new NewTopic(topic, partitions, rf).configs(configs))).all()
                    .get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                LOG.warn("Could not create {} (records written to it are retried each): {}", topic, e.getCause().toString());
            }
        } catch (Exception e) {
            LOG.warn("Could not create {}: {}", topic, e.toString());
        }
    }

    @Override
    public void record(Notification n) {
        write(n, encode(n));
    }

    @Override
    public void delivered(Notification n, Delivery.Receipt receipt, Instant at) {
        write(n, encodeDelivered(n, receipt, at));
    }

    private void write(Notification n, byte[] value) {
        try {
            thread.execute(() -> producer.send(new ProducerRecord<>(topic, n.id().getBytes(StandardCharsets.UTF_8), value),
                    (md, e) -> {
                        metrics.history(e == null);
                        if (e != null) {
                            LOG.warn("Alert history record {} not written to {}: {}", n.id(), topic, e.toString());
                        }
                    }));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            metrics.history(false);
            LOG.warn("Alert history queue full; record {} not written to {}", n.id(), topic);
        }
    }

    static byte[] encode(Notification n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", QUEUED);
        m.put("id", n.id());
        m.put("created", n.created().toString());
        m.put("kinds", n.kinds().stream().map(AlertKind::id).toList());
        m.put("subject", n.subject());
        m.put("recipients", n.recipients());
        m.put("alert_keys", n.alertKeys());
        List<Map<String, Object>> alerts = new ArrayList<>();
        for (Notification.Alert a : n.alerts()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("key", a.key());
            x.put("kind", a.kind().id());
            x.put("notice", a.notice());
            x.put("node", a.node());
            x.put("stream", a.stream());
            x.put("detected", time(a.detected()));
            x.put("last_seen", time(a.lastSeen()));
            x.put("resolved", time(a.resolved()));
            x.put("summary", a.summary());
            alerts.add(x);
        }
        m.put("alerts", alerts);
        m.put("text", n.textBody());
        return bytes(m);
    }

    static byte[] encodeDelivered(Notification n, Delivery.Receipt receipt, Instant at) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", DELIVERED);
        m.put("id", n.id());
        m.put("delivered", at.toString());
        m.put("kinds", n.kinds().stream().map(AlertKind::id).toList());
        m.put("recipients", n.recipients());
        m.put("smtp_code", receipt.code());
        m.put("smtp_reply", receipt.reply());
        return bytes(m);
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }

    private static byte[] bytes(Map<String, Object> m) {
        try {
            return JSON.writeValueAsBytes(m);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
