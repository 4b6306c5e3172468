package io.auditwatch.service.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditwatch.heartbeat.EventHeaders;
import io.auditwatch.heartbeat.NodeNames;
import io.auditwatch.heartbeat.Stream;
import io.auditwatch.ingest.classify.AuditEventJoiner;
import io.auditwatch.ingest.envelope.EnvelopeCodec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whole audit events (ingest/README.md, "Whole audit events"): reads the auditd records of
 * {@code audit.events}, joins the records of each event with an {@link AuditEventJoiner} and writes one
 * JSON record per event, keyed by node, to its own topic. {@code audit.events} and its heartbeat headers
 * stay as they are; the joined topic is derived from it, so a crash loses no record: offsets are committed
 * only below the oldest record of an event still being joined (at-least-once: after a restart an event can
 * be written twice; consumers drop the second by node and {@code event_id}).
 */
public final class WholeEventJoin implements AutoCloseable {
    public static final String GROUP_ID = "auditwatch-whole-events";
    private static final Logger log = LoggerFactory.getLogger(WholeEventJoin.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration COMMIT_INTERVAL = Duration.ofSeconds(1);
    private static final byte[] AUDITD = Stream.AUDITD.id().getBytes(StandardCharsets.US_ASCII);

    private final Map<String, Object> kafkaConfig;
    private final String eventsTopic;
    private final String outTopic;
    private final AuditEventJoiner joiner;
    private final Clock clock;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Per partition, the offsets of records whose event is still being joined, to their event. */
    private final Map<TopicPartition, TreeMap<Long, String>> waiting = new HashMap<>();
    /** Per event being joined, its records' (partition, offset). */
    private final Map<String, List<Map.Entry<TopicPartition, Long>>> offsetsOf = new HashMap<>();
    private volatile boolean running;
    private volatile boolean reading;
    private KafkaConsumer<byte[], byte[]> consumer;

    /**
     * @param kafkaConfig client settings shared by the consumer and producer ({@code bootstrap.servers},
     *     security)
     */
    public WholeEventJoin(Map<String, Object> kafkaConfig, String eventsTopic, String outTopic, AuditEventJoiner joiner,
            Clock clock) {
        this.kafkaConfig = Map.copyOf(kafkaConfig);
        this.eventsTopic = eventsTopic;
        this.outTopic = outTopic;
        this.joiner = joiner;
        this.clock = clock;
        this.thread = new Thread(this::run, "auditwatch-whole-events");
        this.thread.setDaemon(true);
    }

    /**
     * Creates the joined topic when missing (as many partitions as {@code partitions}, so a node's events
     * keep one partition) and starts joining on its own thread.
     */
    public void start(Map<String, String> clientProperties, int partitions, short replicationFactor) {
        KafkaAlertHistory.ensureTopic((String) kafkaConfig.get("bootstrap.servers"), clientProperties, outTopic,
                partitions, replicationFactor);
        running = true;
        thread.start();
    }

    private void run() {
        Map<String, Object> c = new HashMap<>(kafkaConfig);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP_ID);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Like heartbeat: a new group starts at the end rather than joining the whole history at once.
        c.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, GROUP_ID);
        Map<String, Object> p = new HashMap<>(kafkaConfig);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, GROUP_ID);
        try (KafkaConsumer<byte[], byte[]> cons = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            consumer = cons;
            cons.subscribe(List.of(eventsTopic));
            long lastCommit = System.nanoTime();
            while (running) {
                var batch = cons.poll(POLL);
                reading = reading || !cons.assignment().isEmpty();
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    Header stream = r.headers().lastHeader(EventHeaders.STREAM);
                    if (stream != null && java.util.Arrays.equals(stream.value(), AUDITD)) {
                        offer(r, producer);
                    }
                }
                joiner.expire(clock.instant()).forEach(e -> write(e, producer));
                if (System.nanoTime() - lastCommit >= COMMIT_INTERVAL.toNanos()) {
                    producer.flush(); // joined events first, offsets second
                    cons.commitSync(safeOffsets(cons));
                    lastCommit = System.nanoTime();
                }
            }
        } catch (WakeupException e) {
            // close()
        } catch (RuntimeException e) {
            log.error("whole audit event join stopped", e);
        } finally {
            stopped.countDown();
        }
    }

    @SuppressWarnings("unchecked")
    private void offer(ConsumerRecord<byte[], byte[]> r, KafkaProducer<byte[], byte[]> producer) {
        JsonNode env;
        try {
            env = EnvelopeCodec.read(r.value());
        } catch (RuntimeException e) {
            return; // not an envelope: nothing to join, and audit.events keeps it as it is
        }
        JsonNode fields = env.get("fields");
        if (fields == null || !fields.has("auditEventId")) {
            return;
        }
        String node = env.path("node").asText();
        String id = node + ' ' + fields.path("auditEventId").asText();
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        waiting.computeIfAbsent(tp, k -> new TreeMap<>()).put(r.offset(), id);
        offsetsOf.computeIfAbsent(id, k -> new ArrayList<>()).add(Map.entry(tp, r.offset()));
        Map<String, Object> map = JSON.convertValue(fields, Map.class);
        Header received = r.headers().lastHeader(EventHeaders.RECEIVED);
        long receivedMs = received == null ? Long.MIN_VALUE : EventHeaders.decodeMillis(received.value());
        for (AuditEventJoiner.AuditEvent e : joiner.offer(node, EnvelopeCodec.raw(env), map,
                receivedMs == Long.MIN_VALUE ? clock.millis() : receivedMs)) {
            write(e, producer);
        }
    }

    private void write(AuditEventJoiner.AuditEvent e, KafkaProducer<byte[], byte[]> producer) {
        String id = e.node() + ' ' + e.eventId();
        // An event cut at a bound leaves later records of the same id waiting: only the ones now out go.
        List<Map.Entry<TopicPartition, Long>> offsets = offsetsOf.remove(id);
        if (offsets != null) {
            offsets.forEach(o -> waiting.getOrDefault(o.getKey(), new TreeMap<>()).remove(o.getValue()));
        }
        producer.send(new ProducerRecord<>(outTopic, e.node().getBytes(StandardCharsets.UTF_8), encode(e)), (md, ex) -> {
            if (ex != null) {
                log.warn("whole audit event {} of \"{}\" not written to {}: {}", NodeNames.forLog(e.eventId()),
                        NodeNames.forLog(e.node()), outTopic, ex.toString());
            }
        });
    }

    /** Each partition's position, or the offset of its oldest record still being joined when lower. */
    private Map<TopicPartition, OffsetAndMetadata> safeOffsets(KafkaConsumer<byte[], byte[]> cons) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (TopicPartition tp : cons.assignment()) {
            long pos = cons.position(tp);
            TreeMap<Long, String> w = waiting.get(tp);
            out.put(tp, new OffsetAndMetadata(w == null || w.isEmpty() ? pos : Math.min(pos, w.firstKey())));
        }
        return out;
    }

    /** True once partitions of the events topic are assigned: records from then on are joined. */
    public boolean reading() {
        return reading;
    }

    /** The joined event's JSON (ingest/README.md, "Whole audit events"). */
    static byte[] encode(AuditEventJoiner.AuditEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("v", 1);
        m.put("node", e.node());
        m.put("event_id", e.eventId());
        m.put("key", e.key());
        m.put("syscall", e.syscall());
        m.put("paths", e.paths());
        m.put("types", e.types());
        m.put("incomplete", e.incomplete());
        m.put("outcome", e.outcome().name().toLowerCase(java.util.Locale.ROOT));
        List<Map<String, String>> records = new ArrayList<>();
        for (byte[] raw : e.raw()) {
            records.add(EnvelopeCodec.isUtf8(raw) ? Map.of("raw", new String(raw, StandardCharsets.UTF_8))
                    : Map.of("raw_base64", Base64.getEncoder().encodeToString(raw)));
        }
        m.put("records", records);
        try {
            return JSON.writeValueAsBytes(m);
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        if (!thread.isAlive()) {
            return;
        }
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        stopped.await();
    }
}
