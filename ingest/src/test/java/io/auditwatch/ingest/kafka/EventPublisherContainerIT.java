package io.auditwatch.ingest.kafka;

import io.auditwatch.service.TopicReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.testcontainers.kafka.KafkaContainer;

import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same round trip against a Kafka broker in a container (Testcontainers,
 * {@link io.auditwatch.service.ContainerKafka}) instead of the embedded broker.
 */
class EventPublisherContainerIT {
    static KafkaContainer KAFKA;

    @org.junit.jupiter.api.BeforeAll
    static void start() {
        KAFKA = io.auditwatch.service.ContainerKafka.start();
    }

    @org.junit.jupiter.api.AfterAll
    static void stop() {
        if (KAFKA != null) {
            KAFKA.stop();
        }
    }

    @Test
    void whatIsPublishedIsWhatIsConsumed() {
        PublisherSettings settings = Topics.settings(KAFKA.getBootstrapServers(), Topics.unique("container"), 8L << 20);
        TopicCreator.ensureTopic(settings, Duration.ofSeconds(60));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        OutboundEvent[] sent = new OutboundEvent[1_000];
        try (EventPublisher publisher = EventPublisher.direct(settings, registry)) {
            for (int seq = 0; seq < sent.length; seq++) {
                sent[seq] = TestEvents.event("node-1", seq, 250);
                assertTrue(publisher.offer(sent[seq]));
            }
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    registry.get(KafkaMetrics.PUBLISH.name()).tag("result", "success").counter().count() == sent.length);
        }
        List<ConsumerRecord<byte[], byte[]>> read = TopicReader.readAll(KAFKA.getBootstrapServers(), settings.topic(), sent.length);
        assertEquals(sent.length, read.size());
        for (int i = 0; i < sent.length; i++) {
            assertArrayEquals(sent[i].value(), read.get(i).value(), "record " + i);
        }
    }
}
