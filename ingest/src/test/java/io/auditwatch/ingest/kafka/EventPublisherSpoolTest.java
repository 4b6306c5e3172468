package io.auditwatch.ingest.kafka;

import io.auditwatch.ingest.spool.FsyncPolicy;
import io.auditwatch.ingest.spool.Spool;
import io.auditwatch.ingest.spool.SpoolSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The write-ahead path: offer, spool, send, acknowledge; a failed delivery is sent again, not lost. */
class EventPublisherSpoolTest {
    @TempDir
    Path dir;

    final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Spool spool;
    EventPublisher publisher;

    EventPublisher start() {
        return start(4L << 20);
    }

    EventPublisher start(long spoolBytes) {
        PublisherSettings settings = Topics.settings("unused:9092", "audit.events", 1L << 20);
        spool = new Spool(new SpoolSettings(dir, spoolBytes, FsyncPolicy.OS, Duration.ofSeconds(1), 0.8),
                settings.queueBytes(), registry, Clock.systemUTC(), System::nanoTime, null);
        publisher = new EventPublisher(settings, registry, Clock.systemUTC(), System::nanoTime, producer, null, spool);
        return publisher;
    }

    @AfterEach
    void close() {
        if (publisher != null) {
            publisher.close(Duration.ofMillis(200));
        }
        if (spool != null) {
            spool.close();
        }
    }

    private static String seqOf(ProducerRecord<byte[], byte[]> r) {
        String v = new String(r.value(), StandardCharsets.UTF_8);
        return v.substring(0, v.indexOf(' '));
    }

    @Test
    void offeredEventsAreSpooledSentInOrderAndForgottenWhenAcknowledged() {
        EventPublisher p = start();
        for (int i = 0; i < 20; i++) {
            assertTrue(p.offer(TestEvents.event("n", i, 100)));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 20);
        for (int i = 0; i < 20; i++) {
            assertEquals("n#" + i, seqOf(producer.history().get(i)));
        }
        assertEquals(20, spool.pendingRecords());
        while (producer.completeNext()) {
            // acknowledge everything in order
        }
        await().atMost(Duration.ofSeconds(5)).until(spool::drained);
        assertEquals(0, spool.pendingRecords());
    }

    @Test
    void slowKafkaMakesTheSenderReadFromDiskThenMemoryAgainAndEveryEventArrivesOnceInOrder() {
        EventPublisher p = start(32L << 20);
        // The producer acknowledges nothing for now: the in-flight bound (1 MiB, ~3,000 events) fills,
        // then the spool's in-memory window; the rest must come back from the segment files.
        int n = 25_000;
        for (int i = 0; i < n; i++) {
            OutboundEvent e = TestEvents.event("n", i, 100);
            if (!p.tryOffer(e)) {
                await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(10))
                        .until(() -> p.tryOffer(e));
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> spool.pendingRecords() == n);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            while (producer.completeNext()) {
                // Kafka catches up: acknowledge everything sent so far, in order
            }
            return producer.history().size() >= n && spool.drained();
        });
        List<ProducerRecord<byte[], byte[]>> h = producer.history();
        assertEquals(n, h.size(), "nothing sent twice");
        for (int i = 0; i < n; i++) {
            assertEquals("n#" + i, seqOf(h.get(i)));
        }
        double fromDisk = registry.get("auditwatch.spool.disk.read.records").counter().count();
        assertTrue(fromDisk > 0 && fromDisk < n, "both sources were used: " + fromDisk + " read from disk");

        // Caught up again: the next events are handed over from memory.
        for (int i = n; i < n + 100; i++) {
            assertTrue(p.offer(TestEvents.event("n", i, 100)));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == n + 100);
        assertEquals(fromDisk, registry.get("auditwatch.spool.disk.read.records").counter().count());
        assertEquals("n#" + (n + 99), seqOf(producer.history().get(n + 99)));
    }

    @Test
    void failedDeliveryIsSentAgainFromTheSpoolNotCountedAsLost() {
        EventPublisher p = start();
        for (int i = 0; i < 3; i++) {
            p.offer(TestEvents.event("n", i, 100));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 3);
        producer.completeNext();
        producer.errorNext(new TimeoutException("delivery.timeout.ms passed"));
        producer.errorNext(new TimeoutException("delivery.timeout.ms passed"));
        // After the retry backoff the spool hands out #1 and #2 again, in order.
        await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 5);
        List<ProducerRecord<byte[], byte[]>> h = producer.history();
        assertEquals(List.of("n#0", "n#1", "n#2", "n#1", "n#2"), h.stream().map(EventPublisherSpoolTest::seqOf).toList());
        producer.completeNext();
        producer.completeNext();
        await().atMost(Duration.ofSeconds(5)).until(spool::drained);
        assertEquals(0.0, registry.get(KafkaMetrics.PUBLISH.name()).tag("result", "failure").counter().count());
        assertEquals(2.0, registry.get("auditwatch.spool.replayed.records").counter().count());
    }
}
