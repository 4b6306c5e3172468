package io.auditwatch.ingest.kafka;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The Kafka client properties of the publisher, the topic check and the health probe, in one place. */
final class ClientConfigs {
    static final String CLIENT_ID = "auditwatch-ingest";

    /**
     * The producer's memory is twice the publisher's bound: the bound already caps what is queued
     * plus in flight, so {@code send} never waits for buffer space; the slack covers partly filled
     * batches of every partition and compression buffers.
     */
    static final int BUFFER_MEMORY_FACTOR = 2;

    /**
     * Retries happen inside this window (Kafka's default is 2 min too); a broker restart or a leader
     * election takes seconds. Past it a record counts as failed.
     */
    static final Duration DELIVERY_TIMEOUT = Duration.ofMinutes(2);

    /** A few milliseconds of linger turn a syslog trickle into batches without a visible delay. */
    static final Duration LINGER = Duration.ofMillis(5);

    /**
     * 128 KiB batches: about 500 envelopes of 250 bytes per request; the 16 KiB default caps a
     * single partition's throughput long before the network does (see the load figures in ingest/README.md).
     */
    static final int BATCH_SIZE_BYTES = 128 * 1024;

    /** lz4: the cheapest codec in CPU for a good ratio on repetitive syslog text; CPU is the scarce resource. */
    static final String COMPRESSION = "lz4";

    /**
     * What a record adds to its value, in bytes: the key (the node name), the {@code aw.*} headers
     * (under 1 KiB together), Kafka's record and batch framing (under 100 bytes) and lz4's worst-case
     * growth of an incompressible value (0.4%, 7 KiB on a 1.7 MB envelope).
     */
    public static final int RECORD_FRAMING_BYTES = 16 * 1024;

    /**
     * The dead-letter topic takes records up to this size: four times the events topic's budget,
     * so that a record refused there as too large (a topic whose {@code max.message.bytes} was
     * lowered) still fits.
     */
    static final int DEAD_LETTER_SIZE_FACTOR = 4;

    private ClientConfigs() {
    }

    static Map<String, Object> producer(PublisherSettings s) {
        return producer(s, false);
    }

    /**
     * @param spooled true when a disk spool holds every record until Kafka acknowledges it: then
     *     the producer never gives a batch up. A batch expired after {@code delivery.timeout.ms}
     *     while later batches of the same partition succeed would put a node's events out of
     *     order (seen in the broker-outage test on a loaded machine); with the spool there is no
     *     reason to expire anything, and close() abandons what is unacknowledged to the spool.
     */
    static Map<String, Object> producer(PublisherSettings s, boolean spooled) {
        Map<String, Object> p = new TreeMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, CLIENT_ID);
        // ingest/DESIGN.md, Decisions: every in-sync replica has the record before it counts as stored, and retries
        // never duplicate or reorder a node's events.
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // The idempotent producer keeps order with up to 5 requests in flight per connection.
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, COMPRESSION);
        p.put(ProducerConfig.LINGER_MS_CONFIG, Long.toString(LINGER.toMillis()));
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(BATCH_SIZE_BYTES));
        // The producer refuses a record larger than its memory: room for the largest one too.
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG,
                Long.toString(Math.max(s.queueBytes(), s.maxRecordBytes()) * BUFFER_MEMORY_FACTOR));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                spooled ? Integer.toString(Integer.MAX_VALUE) : Long.toString(DELIVERY_TIMEOUT.toMillis()));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(s.maxBlock().toMillis()));
        // ingest/README.md, "The envelope": every envelope fits; Kafka's 1 MiB default does not hold a reassembled line.
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Long.toString(s.maxRecordBytes()));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.putAll(s.producerOverrides());
        return p;
    }

    /**
     * The dead-letter producer: like the events producer, with room for a record
     * {@value #DEAD_LETTER_SIZE_FACTOR} times the budget and without the overrides' batching.
     */
    static Map<String, Object> deadLetterProducer(PublisherSettings s) {
        Map<String, Object> p = producer(s, false);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, CLIENT_ID + "-dlq");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Long.toString(deadLetterMaxBytes(s)));
        return p;
    }

    /** The dead-letter topic's {@code max.message.bytes}. */
    static long deadLetterMaxBytes(PublisherSettings s) {
        return s.maxRecordBytes() * DEAD_LETTER_SIZE_FACTOR;
    }

    /** Admin client settings: the cluster, the timeout, and the overrides that every client shares. */
    static Map<String, Object> admin(PublisherSettings s, Duration timeout) {
        Map<String, Object> p = new TreeMap<>();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, CLIENT_ID + "-admin");
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(millis));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(millis));
        s.producerOverrides().forEach((k, v) -> {
            if (isSharedClientSetting(k)) {
                p.put(k, v);
            }
        });
        return p;
    }

    static boolean isSharedClientSetting(String key) {
        return key.equals(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG)
                || key.startsWith("ssl.")
                || key.startsWith("sasl.")
                || key.equals(CommonClientConfigs.CLIENT_DNS_LOOKUP_CONFIG);
    }

    /** The settings for a start-up log line, with passwords and JAAS configuration masked. */
    static Map<String, Object> redacted(Map<String, Object> config) {
        Map<String, Object> shown = new TreeMap<>();
        config.forEach((k, v) -> shown.put(k, isSecret(k) ? "[hidden]" : v));
        return shown;
    }

    static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("jaas") || k.contains("secret") || k.contains("token")
                || k.endsWith(".key") || k.contains("credential");
    }
}
