package io.auditwatch.ingest.kafka;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.ingest.spool.FsyncPolicy;
import io.auditwatch.ingest.spool.Spool;
import io.auditwatch.ingest.spool.SpoolSettings;
import io.auditwatch.service.BrokerExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The size budget and the dead-letter topic on a real KRaft broker: the events topic is created to
 * hold the largest record and an existing one too small is refused; a record the topic refuses for
 * good (its {@code max.message.bytes} lowered after start, a real {@code RecordTooLargeException}
 * from the broker) lands in the dead-letter topic byte for byte with its reason, from the spool and
 * from memory; when the dead-letter topic refuses it too it stays in the spool until it fits.
 */
class DeadLetterIT {
    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();

    @TempDir
    Path dir;

    /** What ingest's defaults need: a reassembled 1 MiB line's envelope. */
    private static final long MAX_VALUE = 1_800_000;
    /** Refused by a topic lowered to {@link #SMALL}; incompressible, since the broker checks the lz4 batch. */
    private static final int BIG_VALUE = 300_000;
    private static final int SMALL = 100_000;

    private PublisherSettings settings(String topic) {
        PublisherSettings b = Topics.settings(broker.bootstrapServers(), topic, 32L << 20);
        return new PublisherSettings(b.bootstrapServers(), b.topic(), 1, (short) 1, b.queueBytes(), b.maxBlock(),
                b.closeDeadline(), Map.of(), b.healthCheckInterval(), topic + ".dlq", MAX_VALUE);
    }

    @Test
    void theTopicAndItsDeadLetterTopicAreCreatedToHoldTheLargestRecord() throws Exception {
        PublisherSettings s = settings(Topics.unique("budget"));
        TopicCreator.ensureTopic(s, Duration.ofSeconds(30));
        assertEquals(s.maxRecordBytes(), maxMessageBytes(s.topic()));
        assertEquals(s.maxRecordBytes() * ClientConfigs.DEAD_LETTER_SIZE_FACTOR, maxMessageBytes(s.deadLetterTopic()));
    }

    @Test
    void anExistingTopicTooSmallForTheLargestRecordIsRefusedNamingItsValueAndTheNeed() throws Exception {
        PublisherSettings s = settings(Topics.unique("small"));
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(s.topic(), 1, (short) 1)
                    .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1048588")))).all().get(30, TimeUnit.SECONDS);
        }
        TopicTooSmallException e = assertThrows(TopicTooSmallException.class,
                () -> TopicCreator.ensureTopic(s, Duration.ofSeconds(30)));
        assertEquals(s.topic(), e.topic());
        assertEquals(1_048_588, e.maxMessageBytes());
        assertEquals(s.maxRecordBytes(), e.neededBytes());
        assertTrue(e.getMessage().contains("max.message.bytes=1048588") && e.getMessage().contains(s.topic()),
                e.getMessage());
    }

    @Test
    void aRecordTheTopicRefusesAsTooLargeGoesFromTheSpoolToTheDeadLetterTopicWithItsReason() throws Exception {
        PublisherSettings s = settings(Topics.unique("spooled"));
        TopicCreator.ensureTopic(s, Duration.ofSeconds(30));
        setMaxMessageBytes(s.topic(), SMALL);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        OutboundEvent big = incompressible("node-1", BIG_VALUE);
        OutboundEvent small = TestEvents.event("node-1", 2, 200);
        try (Spool spool = new Spool(new SpoolSettings(dir, 64L << 20, FsyncPolicy.ALWAYS, Duration.ofSeconds(1), 0.8),
                s.queueBytes(), registry, Clock.systemUTC(), System::nanoTime, null);
                EventPublisher p = EventPublisher.spooling(s, registry, Clock.systemUTC(), spool)) {
            assertTrue(p.offer(big));
            assertTrue(p.offer(small));
            ConsumerRecord<byte[], byte[]> dead = broker.readAll(s.deadLetterTopic(), 1).get(0);
            assertArrayEquals(big.value(), dead.value());
            assertArrayEquals(big.key(), dead.key());
            String reason = header(dead, DeadLetters.REASON_HEADER);
            assertTrue(reason.startsWith("record_too_large: RecordTooLargeException"), reason);
            assertEquals(s.topic(), header(dead, DeadLetters.TOPIC_HEADER));
            assertArrayEquals(small.value(), broker.readAll(s.topic(), 1).get(0).value());
            await().atMost(Duration.ofSeconds(30)).until(spool::drained);
            assertEquals(1, p.deadLettered());
            assertEquals(1.0, registry.get(KafkaMetrics.DEAD_LETTERS.name()).tag("reason", "record_too_large")
                    .counter().count());
            assertNotNull(p.deadLetterAlert(Duration.ofMinutes(15)));
        }
    }

    @Test
    void withoutTheSpoolTheRefusedRecordGoesToTheDeadLetterTopicToo() throws Exception {
        PublisherSettings s = settings(Topics.unique("direct"));
        TopicCreator.ensureTopic(s, Duration.ofSeconds(30));
        setMaxMessageBytes(s.topic(), SMALL);
        OutboundEvent big = incompressible("node-2", BIG_VALUE);
        try (EventPublisher p = EventPublisher.direct(s, new SimpleMeterRegistry(), Clock.systemUTC())) {
            assertTrue(p.offer(big));
            assertArrayEquals(big.value(), broker.readAll(s.deadLetterTopic(), 1).get(0).value());
            await().atMost(Duration.ofSeconds(30)).until(() -> p.deadLettered() == 1);
        }
    }

    @Test
    void whenTheDeadLetterTopicRefusesItTooTheRecordIsHeldInTheSpoolAndSaysSo() throws Exception {
        PublisherSettings s = settings(Topics.unique("held"));
        TopicCreator.ensureTopic(s, Duration.ofSeconds(30));
        setMaxMessageBytes(s.topic(), SMALL);
        setMaxMessageBytes(s.deadLetterTopic(), SMALL);
        OutboundEvent big = incompressible("node-3", BIG_VALUE);
        try (Spool spool = new Spool(new SpoolSettings(dir, 64L << 20, FsyncPolicy.ALWAYS, Duration.ofSeconds(1), 0.8),
                s.queueBytes(), new SimpleMeterRegistry(), Clock.systemUTC(), System::nanoTime, null);
                EventPublisher p = EventPublisher.spooling(s, new SimpleMeterRegistry(), Clock.systemUTC(), spool)) {
            assertTrue(p.offer(big));
            await().atMost(Duration.ofSeconds(30)).until(() -> p.deadLetterAlert(Duration.ofMinutes(15)) != null);
            assertTrue(p.deadLetterAlert(Duration.ofMinutes(15)).startsWith("events held in the spool"),
                    p.deadLetterAlert(Duration.ofMinutes(15)));
            assertEquals(1, spool.pendingRecords(), "held, not dropped");
            setMaxMessageBytes(s.deadLetterTopic(), 4 * BIG_VALUE);
            assertArrayEquals(big.value(), broker.readAll(s.deadLetterTopic(), 1).get(0).value());
            await().atMost(Duration.ofSeconds(30)).until(spool::drained);
        }
    }

    private static OutboundEvent incompressible(String node, int bytes) {
        byte[] value = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(value);
        return new OutboundEvent(node.getBytes(StandardCharsets.UTF_8), value,
                TestEvents.event(node, 1, 1).headers(), System.nanoTime());
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
        return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    private static long maxMessageBytes(String topic) throws Exception {
        try (Admin admin = admin()) {
            return TopicCreator.maxMessageBytes(admin, topic, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
        }
    }

    private static void setMaxMessageBytes(String topic, int bytes) throws Exception {
        try (Admin admin = admin()) {
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            admin.incrementalAlterConfigs(Map.of(r, List.of(new AlterConfigOp(
                    new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(bytes)),
                    AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        }
    }
}
