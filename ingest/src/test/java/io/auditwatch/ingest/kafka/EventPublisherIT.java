package io.auditwatch.ingest.kafka;

import io.auditwatch.service.BrokerExtension;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the publisher sends is what a real consumer reads from a real broker: bytes, headers, order, count. */
class EventPublisherIT {
    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();

    @Test
    void keysHeadersAndValuesArriveByteIdenticalAndInOrderPerNode() {
        PublisherSettings settings = Topics.settings(broker.bootstrapServers(), Topics.unique("order"), 8L << 20);
        TopicCreator.ensureTopic(settings, Duration.ofSeconds(30));
        Map<String, List<OutboundEvent>> sentByNode = new HashMap<>();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (EventPublisher publisher = EventPublisher.direct(settings, registry)) {
            for (int seq = 0; seq < 2_000; seq++) {
                String node = "node-" + (seq % 7);
                OutboundEvent e = TestEvents.event(node, seq, 50 + seq % 400);
                assertTrue(publisher.offer(e));
                sentByNode.computeIfAbsent(node, n -> new ArrayList<>()).add(e);
            }
        }
        Map<String, List<ConsumerRecord<byte[], byte[]>>> readByNode = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : broker.readAll(settings.topic(), 2_000)) {
            readByNode.computeIfAbsent(new String(r.key(), StandardCharsets.UTF_8), n -> new ArrayList<>()).add(r);
        }
        assertEquals(sentByNode.keySet(), readByNode.keySet());
        for (String node : sentByNode.keySet()) {
            List<OutboundEvent> sent = sentByNode.get(node);
            List<ConsumerRecord<byte[], byte[]>> read = readByNode.get(node);
            assertEquals(sent.size(), read.size(), node);
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i).key(), read.get(i).key());
                assertArrayEquals(sent.get(i).value(), read.get(i).value(), node + " record " + i + " out of order or altered");
                Header[] headers = read.get(i).headers().toArray();
                assertEquals(sent.get(i).headers().size(), headers.length);
                for (int h = 0; h < headers.length; h++) {
                    assertEquals(sent.get(i).headers().get(h).key(), headers[h].key());
                    assertArrayEquals(sent.get(i).headers().get(h).value(), headers[h].value());
                }
            }
        }
    }

    @Test
    void oneNodesEventsAllLandInOnePartition() {
        PublisherSettings settings = Topics.settings(broker.bootstrapServers(), Topics.unique("partition"), 8L << 20);
        TopicCreator.ensureTopic(settings, Duration.ofSeconds(30));
        try (EventPublisher publisher = EventPublisher.direct(settings, new SimpleMeterRegistry())) {
            for (int seq = 0; seq < 300; seq++) {
                publisher.offer(TestEvents.event("node-" + (seq % 3), seq, 100));
            }
        }
        Map<String, Set<Integer>> partitionsByNode = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : broker.readAll(settings.topic(), 300)) {
            partitionsByNode.computeIfAbsent(new String(r.key(), StandardCharsets.UTF_8), n -> new HashSet<>()).add(r.partition());
        }
        partitionsByNode.forEach((node, partitions) -> assertEquals(1, partitions.size(), node + " spread over " + partitions));
    }

    @Test
    void aHundredThousandPublishedIsExactlyAHundredThousandConsumed() {
        PublisherSettings settings = Topics.settings(broker.bootstrapServers(), Topics.unique("count"), 32L << 20);
        TopicCreator.ensureTopic(settings, Duration.ofSeconds(30));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        int accepted = 0;
        try (EventPublisher publisher = EventPublisher.direct(settings, registry)) {
            for (int seq = 0; seq < 100_000; seq++) {
                OutboundEvent e = TestEvents.event("node-" + (seq % 50), seq, 200);
                while (!publisher.offer(e)) {
                    LockSupport.parkNanos(100_000); // a TCP listener would have paused reading here
                }
                accepted++;
            }
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    registry.get(KafkaMetrics.PUBLISH.name()).tag("result", "success").counter().count() == 100_000);
        }
        assertEquals(100_000, accepted);
        assertEquals(100_000, broker.readAll(settings.topic(), 100_000).size());
        assertEquals(0.0, registry.get(KafkaMetrics.PUBLISH.name()).tag("result", "failure").counter().count());
    }

    @Test
    void closeDeliversEverythingStillQueued() {
        PublisherSettings settings = Topics.settings(broker.bootstrapServers(), Topics.unique("drain"), 32L << 20);
        TopicCreator.ensureTopic(settings, Duration.ofSeconds(30));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EventPublisher publisher = EventPublisher.direct(settings, registry);
        for (int seq = 0; seq < 20_000; seq++) {
            assertTrue(publisher.offer(TestEvents.event("node-1", seq, 250)));
        }
        publisher.close(Duration.ofSeconds(30));
        assertEquals(20_000, registry.get(KafkaMetrics.PUBLISH.name()).tag("result", "success").counter().count());
        assertEquals(20_000, broker.readAll(settings.topic(), 20_000).size());
    }

    @Test
    void healthReportsTheBrokerReachableAndTheLastSuccess() {
        PublisherSettings settings = Topics.settings(broker.bootstrapServers(), Topics.unique("health"), 1L << 20);
        TopicCreator.ensureTopic(settings, Duration.ofSeconds(30));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (EventPublisher publisher = EventPublisher.direct(settings, registry)) {
            publisher.offer(TestEvents.event("node-1", 1, 100));
            await().until(() -> publisher.health().lastSuccess() != null);
            assertTrue(publisher.health().kafkaReachable());
            assertEquals(1.0, registry.get(KafkaMetrics.UP.name()).gauge().value());
            assertEquals(1, registry.get(KafkaMetrics.LATENCY.name()).timer().count());
        }
    }

    @Test
    void anEventOverTheRequestLimitIsCountedAsRecordTooLargeAndGoesToTheDeadLetterTopic() {
        Map<String, String> smallRequests = Map.of("max.request.size", "2000");
        PublisherSettings base = Topics.settings(broker.bootstrapServers(), Topics.unique("large"), 1L << 20);
        PublisherSettings settings = new PublisherSettings(base.bootstrapServers(), base.topic(), 1, (short) 1,
                base.queueBytes(), base.maxBlock(), base.closeDeadline(), smallRequests, base.healthCheckInterval());
        TopicCreator.ensureTopic(settings, Duration.ofSeconds(30));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        OutboundEvent big = TestEvents.event("node-1", 1, 10_000);
        try (EventPublisher publisher = EventPublisher.direct(settings, registry)) {
            publisher.offer(big);
            await().until(() -> registry.get(KafkaMetrics.FAILURES.name()).tag("reason", "record_too_large").counter().count() == 1.0);
            org.junit.jupiter.api.Assertions.assertArrayEquals(big.value(),
                    broker.readAll(settings.deadLetterTopic(), 1).get(0).value());
            await().until(() -> publisher.deadLettered() == 1);
            assertEquals(0.0, registry.get(KafkaMetrics.PUBLISH.name()).tag("result", "failure").counter().count(),
                    "not lost");
        }
    }
}
