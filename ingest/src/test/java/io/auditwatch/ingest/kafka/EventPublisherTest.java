package io.auditwatch.ingest.kafka;

import io.auditwatch.testing.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The publisher's bookkeeping against Kafka's MockProducer: no broker, acknowledgements by hand. */
class EventPublisherTest {
    static final long BOUND = 64 * 1024;

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final ManualClock clock = ManualClock.at("2026-11-23T18:00:00Z");
    final AtomicLong ticker = new AtomicLong(1_000_000_000L);
    final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    final List<String> signals = new CopyOnWriteArrayList<>();
    EventPublisher publisher;

    @AfterEach
    void close() {
        if (publisher != null) {
            publisher.close(Duration.ofMillis(100));
        }
    }

    EventPublisher start(MockProducer<byte[], byte[]> p) {
        PublisherSettings settings = new PublisherSettings("127.0.0.1:9", "audit.events", 1, (short) 1, BOUND,
                Duration.ofSeconds(1), Duration.ofSeconds(1), Map.of(), Duration.ofSeconds(10));
        publisher = new EventPublisher(settings, registry, clock, ticker::get, p, null, null);
        publisher.addPressureListener(PressureGateTest.recorder(signals));
        return publisher;
    }

    @Test
    void sendsEachEventWithItsKeyValueAndHeaders() {
        start(producer);
        OutboundEvent e = TestEvents.event("node-1", 1, 250);
        assertTrue(publisher.offer(e));
        await().until(() -> producer.history().size() == 1);
        ProducerRecord<byte[], byte[]> sent = producer.history().get(0);
        assertEquals("audit.events", sent.topic());
        assertEquals(e.key(), sent.key());
        assertEquals(e.value(), sent.value());
        assertEquals(e.headers(), List.of(sent.headers().toArray()));
    }

    @Test
    void anAcknowledgementCountsSuccessLatencyAndHealth() {
        start(producer);
        OutboundEvent e = new OutboundEvent(new byte[] {'n'}, new byte[10], List.of(), ticker.get());
        publisher.offer(e);
        await().until(() -> producer.history().size() == 1);
        ticker.addAndGet(7_000_000);
        clock.advance(Duration.ofSeconds(1));
        producer.completeNext();
        assertEquals(1.0, registry.get(KafkaMetrics.PUBLISH.name()).tag("result", "success").counter().count());
        assertEquals(0.007, registry.get(KafkaMetrics.LATENCY.name()).timer().max(java.util.concurrent.TimeUnit.SECONDS), 1e-9);
        assertEquals(Instant.parse("2026-11-23T18:00:01Z"), publisher.health().lastSuccess());
        assertTrue(publisher.health().kafkaReachable());
        assertEquals(0, registry.get(KafkaMetrics.INFLIGHT.name()).gauge().value());
    }

    @Test
    void unacknowledgedEventsFillTheBoundThenOffersAreRejectedWithoutWaiting() {
        start(producer);
        int accepted = 0;
        while (publisher.offer(TestEvents.ofSize(1024))) {
            accepted++;
        }
        assertEquals(64, accepted);
        assertEquals(1.0, registry.get(KafkaMetrics.PUBLISH.name()).tag("result", "rejected").counter().count());
        assertEquals(List.of("pause"), signals);
    }

    @Test
    void aTryOfferRefusedOnAFullBoundCountsNothing() {
        // The stream listeners' gate keeps what it cannot queue: a refusal there loses nothing.
        start(producer);
        int accepted = 0;
        while (publisher.tryOffer(TestEvents.ofSize(1024))) {
            accepted++;
        }
        assertEquals(64, accepted);
        assertFalse(publisher.tryOffer(TestEvents.ofSize(1024)));
        assertEquals(0.0, registry.get(KafkaMetrics.PUBLISH.name()).tag("result", "rejected").counter().count());
        assertFalse(publisher.offer(TestEvents.ofSize(1024)));
        assertEquals(1.0, registry.get(KafkaMetrics.PUBLISH.name()).tag("result", "rejected").counter().count());
    }

    @Test
    void acknowledgementsBelowTheLowWatermarkResumeReaders() {
        start(producer);
        while (publisher.offer(TestEvents.ofSize(1024))) {
            // fill
        }
        await().until(() -> producer.history().size() == 64);
        for (int i = 0; i < 31; i++) {
            producer.completeNext();
        }
        assertEquals(List.of("pause"), signals, "33 KiB held is still above the 32 KiB low watermark");
        producer.completeNext();
        assertEquals(List.of("pause", "resume"), signals);
    }

    @Test
    void backPressureTimeIsCounted() {
        start(producer);
        while (publisher.offer(TestEvents.ofSize(1024))) {
            // fill
        }
        ticker.addAndGet(2_500_000_000L);
        assertEquals(2.5, registry.get(KafkaMetrics.BACKPRESSURE.name()).functionCounter().count(), 1e-9);
    }

    @Test
    void aFailedDeliveryIsCountedByReasonAndShowsInHealth() {
        start(producer);
        publisher.offer(TestEvents.event("node-1", 1, 100));
        await().until(() -> producer.history().size() == 1);
        // Without the spool a delivery Kafka gave up after delivery.timeout.ms is lost (a refusal for good
        // would go to the dead-letter topic instead, DeadLetterIT).
        producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("Expiring 1 record(s): 120000 ms"));
        assertEquals(1.0, registry.get(KafkaMetrics.PUBLISH.name()).tag("result", "failure").counter().count());
        assertEquals(1.0, registry.get(KafkaMetrics.FAILURES.name()).tag("reason", "timeout").counter().count());
        assertEquals(1, publisher.health().consecutiveFailures());
        assertTrue(publisher.health().lastError().contains("TimeoutException"), publisher.health().lastError());
        assertEquals(0, registry.get(KafkaMetrics.PENDING_BYTES.name()).gauge().value(), "a given-up event frees its bytes");
    }

    @Test
    void aRetriableSendFailureKeepsTheEventAndRetries() {
        MockProducer<byte[], byte[]> flaky = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            int calls;

            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> r, Callback cb) {
                if (calls++ == 0) {
                    cb.onCompletion(null, new org.apache.kafka.common.errors.TimeoutException(
                            "Topic audit.events not present in metadata after 1000 ms."));
                    return null;
                }
                return super.send(r, cb);
            }
        };
        start(flaky);
        publisher.offer(TestEvents.event("node-1", 1, 100));
        await().until(() -> registry.get(KafkaMetrics.PUBLISH.name()).tag("result", "success").counter().count() == 1.0);
        assertEquals(1.0, registry.get(KafkaMetrics.FAILURES.name()).tag("reason", "timeout").counter().count());
        assertEquals(0.0, registry.get(KafkaMetrics.PUBLISH.name()).tag("result", "failure").counter().count());
        assertEquals(0, publisher.health().consecutiveFailures(), "reset by the success");
    }

    @Test
    void closeCountsEventsStuckBehindABlockedSendAsLost() throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        MockProducer<byte[], byte[]> stuck = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> r, Callback cb) {
                blocked.countDown();
                try {
                    new CountDownLatch(1).await(); // never released: a metadata wait of max.block.ms, until interrupted
                } catch (InterruptedException e) {
                    throw new InterruptException(e);
                }
                return null;
            }
        };
        start(stuck);
        for (int i = 0; i < 3; i++) {
            publisher.offer(TestEvents.event("node-1", i, 100));
        }
        blocked.await();
        publisher.close(Duration.ofMillis(50));
        publisher = null;
        assertEquals(3.0, registry.get(KafkaMetrics.FAILURES.name()).tag("reason", "shutdown").counter().count());
        assertEquals(0, registry.get(KafkaMetrics.PENDING_BYTES.name()).gauge().value());
    }

    @Test
    void offersAfterCloseAreRejected() {
        start(producer);
        publisher.close(Duration.ofMillis(10));
        assertFalse(publisher.offer(TestEvents.event("node-1", 1, 10)));
        assertEquals(1.0, registry.get(KafkaMetrics.PUBLISH.name()).tag("result", "rejected").counter().count());
    }

    @Test
    void healthBeforeAnyTrafficHasNoSuccessAndNoError() {
        start(producer);
        assertNull(publisher.health().lastSuccess());
        assertNull(publisher.health().lastError());
        assertFalse(publisher.health().kafkaReachable(), "no probe, no acknowledgement yet");
    }
}
