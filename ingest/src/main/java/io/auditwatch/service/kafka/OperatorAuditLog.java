package io.auditwatch.service.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditwatch.service.admin.OperatorAction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator audit trail: every operator action that changes alerting is written as one JSON
 * record to its own topic ({@code kafka.operator-audit-topic}, {@code auditwatch.audit}) before the
 * action takes effect, synchronously, acknowledged by every in-sync replica. A record that cannot
 * be written within {@link #WRITE_TIMEOUT} makes {@link #write} return false, and the admin API
 * then refuses the action: an unattributable change must not happen (ingest/README.md, "Operator
 * audit trail").
 *
 * <p>One partition, so the topic reads in the order the actions happened. The latest
 * {@value #RECENT} records are read back at start and kept in memory for {@code /status}.
 */
public final class OperatorAuditLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorAuditLog.class);

    /** Operator actions listed on {@code /status}: a few weeks of a busy team's changes. */
    public static final int RECENT = 50;
    /**
     * How long an operator waits for the record before the action is refused: long enough for a
     * partition leader election (seconds), short enough for a person at a prompt.
     */
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    /** Bound of the read-back at start; /status then starts from what was read. */
    static final Duration READ_BACK_TIMEOUT = Duration.ofSeconds(15);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    /** Newest last; at most {@link #RECENT}. Guarded by {@code this}. */
    private final Deque<OperatorAction> recent = new ArrayDeque<>();

    /** Creates the topic unless it exists, reads back its latest records and opens the producer. */
    public OperatorAuditLog(String bootstrapServers, Map<String, String> clientProperties, String topic,
            short replicationFactor) {
        this.topic = topic;
        KafkaAlertHistory.ensureTopic(bootstrapServers, clientProperties, topic, 1, replicationFactor);
        readBack(bootstrapServers, clientProperties);
        Map<String, Object> p = new LinkedHashMap<>(clientProperties);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) WRITE_TIMEOUT.toMillis());
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) WRITE_TIMEOUT.toMillis() / 2);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) WRITE_TIMEOUT.toMillis());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "auditwatch-operator-audit");
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    public String topic() {
        return topic;
    }

    /**
     * Writes {@code action} and waits for the broker's acknowledgement.
     *
     * @return false when it was not acknowledged within {@link #WRITE_TIMEOUT} (logged)
     */
    public boolean write(OperatorAction action) {
        byte[] key = action.principal().getBytes(StandardCharsets.UTF_8);
        try {
            // Partition 0 even when someone created the topic with more: the trail reads in order.
            producer.send(new ProducerRecord<>(topic, 0, key, encode(action)))
                    .get(WRITE_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.error("operator audit record not written to {} ({}): {} {} by {}", topic,
                    e instanceof ExecutionException ? e.getCause().toString() : e.toString(), action.action(),
                    action.parameters(), action.principal());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        LOG.info("operator action {} {} by {} from {} ({}): {}", action.action(), action.parameters(), action.principal(),
                action.from(), action.reason(), action.outcome());
        remember(action);
        return true;
    }

    /** The latest actions, newest first. */
    public synchronized List<OperatorAction> recent() {
        List<OperatorAction> out = new ArrayList<>(recent);
        java.util.Collections.reverse(out);
        return out;
    }

    private synchronized void remember(OperatorAction action) {
        recent.addLast(action);
        while (recent.size() > RECENT) {
            recent.removeFirst();
        }
    }

    private void readBack(String bootstrapServers, Map<String, String> clientProperties) {
        Map<String, Object> c = new LinkedHashMap<>(clientProperties);
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "auditwatch-operator-audit-reader");
        long deadline = System.nanoTime() + READ_BACK_TIMEOUT.toNanos();
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), READ_BACK_TIMEOUT).get(tp);
            long begin = consumer.beginningOffsets(List.of(tp), READ_BACK_TIMEOUT).get(tp);
            consumer.seek(tp, Math.max(begin, end - RECENT));
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        remember(decode(r.value()));
                    } catch (IOException | RuntimeException e) {
                        LOG.warn("operator audit record {}@{} unreadable, skipped: {}", topic, r.offset(), e.toString());
                    }
                }
            }
            LOG.info("operator audit: {} earlier action(s) read back from {}", recent().size(), topic);
        } catch (RuntimeException e) {
            LOG.warn("operator audit: earlier actions could not be read back from {} (/status lists only new ones): {}",
                    topic, e.toString());
        }
    }

    static byte[] encode(OperatorAction a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", a.at().toString());
        m.put("principal", a.principal());
        m.put("from", a.from());
        m.put("action", a.action());
        m.put("parameters", a.parameters());
        m.put("reason", a.reason());
        m.put("outcome", a.outcome());
        try {
            return JSON.writeValueAsBytes(m);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static OperatorAction decode(byte[] value) throws IOException {
        JsonNode n = JSON.readTree(value);
        Map<String, String> params = new LinkedHashMap<>();
        n.path("parameters").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
        return new OperatorAction(Instant.parse(n.path("at").asText()), n.path("principal").asText(),
                n.path("from").asText(), n.path("action").asText(), params, n.path("reason").asText(),
                n.path("outcome").asText());
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
