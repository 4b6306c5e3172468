package io.auditwatch.ingest.kafka;

import io.auditwatch.heartbeat.EventHeaders;
import io.auditwatch.testing.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The coalescer behind heartbeat's liveness topic (ingest/DESIGN.md, "Liveness summaries"), against
 * Kafka's MockProducer with acknowledgements by hand; flushes are called by the test, early-flush
 * requests are counted instead of run.
 */
class LivenessSummariesTest {
    static final String TOPIC = "auditwatch.liveness";

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final KafkaMetrics metrics = new KafkaMetrics(registry, new BoundedEventQueue(64 * 1024, System::nanoTime),
            new AtomicInteger(), () -> true);
    final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    final AtomicInteger earlyFlushes = new AtomicInteger();
    EventPublisher publisher;

    @AfterEach
    void close() {
        if (publisher != null) {
            publisher.close(Duration.ofMillis(100));
        }
    }

    LivenessSummaries summaries(int maxKeys) {
        return new LivenessSummaries(producer, new LivenessSettings(TOPIC, Duration.ofSeconds(1), maxKeys), metrics,
                r -> earlyFlushes.incrementAndGet());
    }

    /** An event as ingest's Ingestor heads it: node, stream, receive time, sender time, then the optional ones. */
    static OutboundEvent event(String node, String stream, long receivedMs, Long sentMs, String... more) {
        List<Header> h = new ArrayList<>();
        h.add(header(EventHeaders.NODE, node));
        h.add(header(EventHeaders.STREAM, stream));
        h.add(new RecordHeader(EventHeaders.RECEIVED, EventHeaders.encodeMillis(receivedMs)));
        if (sentMs != null) {
            h.add(new RecordHeader(EventHeaders.SENT, EventHeaders.encodeMillis(sentMs)));
        }
        for (int i = 0; i < more.length; i += 2) {
            h.add(header(more[i], more[i + 1]));
        }
        return new OutboundEvent(node.getBytes(StandardCharsets.UTF_8), new byte[250], h, 0);
    }

    static Header header(String key, String value) {
        return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
    }

    static String text(ProducerRecord<byte[], byte[]> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    double count(String result) {
        return registry.get(KafkaMetrics.LIVENESS.name()).tag("result", result).counter().count();
    }

    @Test
    void acknowledgedEventsOfOneKeyBecomeOneSummaryWithTheLatestReceiveTimeTheirCountAndTheLargestLag() {
        LivenessSummaries s = summaries(100);
        s.acknowledged(event("node-1", "auditd", 1_000, 900L));      // lag 100
        s.acknowledged(event("node-1", "auditd", 3_000, 2_990L));    // lag 10, latest
        s.acknowledged(event("node-1", "auditd", 2_000, 1_000L));    // lag 1000, acknowledged out of order
        s.flush();
        assertEquals(1, producer.history().size());
        ProducerRecord<byte[], byte[]> r = producer.history().get(0);
        assertEquals(TOPIC, r.topic());
        assertArrayEquals("node-1".getBytes(StandardCharsets.UTF_8), r.key(), "keyed by node, like the events");
        assertEquals(0, r.value().length);
        assertEquals("node-1", text(r, EventHeaders.NODE));
        assertEquals("auditd", text(r, EventHeaders.STREAM));
        assertEquals("3000", text(r, EventHeaders.RECEIVED));
        assertEquals("2000", text(r, EventHeaders.SENT), "received minus sent is the largest lag, 1000 ms");
        assertEquals("3", text(r, EventHeaders.COUNT));
        assertNull(text(r, EventHeaders.COMPONENT));
        producer.completeNext();
        assertEquals(1.0, count(KafkaMetrics.LIVENESS_SENT));
    }

    @Test
    void streamComponentAndNodeSourceEachMakeTheirOwnKey() {
        LivenessSummaries s = summaries(100);
        s.acknowledged(event("mgr-1", "ucp-audit", 1_000, null));
        s.acknowledged(event("mgr-1", "dockerd", 1_000, null));
        s.acknowledged(event("mgr-1", "container", 1_000, null, EventHeaders.COMPONENT, "ucp-controller"));
        s.acknowledged(event("mgr-1", "container", 1_000, null));
        s.acknowledged(event("mgr-1", "container", 1_000, null, EventHeaders.NODE_SOURCE, "certificate"));
        s.acknowledged(event("mgr-2", "dockerd", 1_000, null));
        s.flush();
        assertEquals(6, producer.history().size());
        assertEquals(1, producer.history().stream().filter(r -> "ucp-controller".equals(text(r, EventHeaders.COMPONENT))).count());
        assertEquals(1, producer.history().stream().filter(r -> "certificate".equals(text(r, EventHeaders.NODE_SOURCE))).count());
        assertEquals(6, producer.history().stream().filter(r -> "1".equals(text(r, EventHeaders.COUNT))).count());
    }

    @Test
    void pulsesAndComplianceSignalsAreForwardedOneForOneInAcknowledgementOrderWithAllTheirHeaders() {
        LivenessSummaries s = summaries(100);
        OutboundEvent pulse1 = event("node-1", "auditd", 1_000, 1_000L, EventHeaders.PULSE, "1");
        OutboundEvent change = event("node-1", "auditd", 1_500, null, EventHeaders.AUDIT_CHANGE,
                "what=rule-removed auid=1000 detail=", EventHeaders.NODE_SOURCE, "certificate");
        OutboundEvent pulse2 = event("node-1", "auditd", 2_000, 2_000L, EventHeaders.PULSE, "1",
                EventHeaders.CIS_RULES, "v=2 enabled=1 cis=1.2.3:ok", EventHeaders.NODE_SOURCE, "certificate");
        s.acknowledged(pulse1);
        s.acknowledged(event("node-1", "auditd", 1_200, null));
        s.acknowledged(change);
        s.acknowledged(pulse2);
        s.flush();
        List<ProducerRecord<byte[], byte[]>> sent = producer.history();
        assertEquals(4, sent.size(), "three signals, one summary of the plain event");
        assertEquals(pulse1.headers(), List.of(sent.get(0).headers().toArray()));
        assertEquals(change.headers(), List.of(sent.get(1).headers().toArray()));
        assertEquals(pulse2.headers(), List.of(sent.get(2).headers().toArray()));
        assertEquals("1200", text(sent.get(3), EventHeaders.RECEIVED));
        assertEquals("1", text(sent.get(3), EventHeaders.COUNT), "signals are not counted into summaries");
    }

    @Test
    void nothingIsPublishedBeforeKafkaAcknowledgesTheEventsItStandsFor() {
        PublisherSettings settings = new PublisherSettings("127.0.0.1:9", "audit.events", 1, (short) 1, 64 * 1024,
                Duration.ofSeconds(1), Duration.ofSeconds(1), Map.of(), Duration.ofSeconds(10));
        AtomicLong ticker = new AtomicLong();
        // A long interval: only the test's flushes send.
        publisher = new EventPublisher(settings, new SimpleMeterRegistry(), ManualClock.at("2026-12-04T03:00:00Z"), ticker::get,
                producer, producer, null, null, new LivenessSettings(TOPIC, LivenessSettings.MAX_INTERVAL, 100));
        publisher.offer(event("node-1", "auditd", 1_000, null));
        publisher.offer(event("node-1", "auditd", 2_000, null, EventHeaders.PULSE, "1"));
        await().until(() -> producer.history().size() == 2);
        publisher.flushLiveness();
        assertEquals(2, producer.history().size(), "both events are in flight, neither acknowledged: no evidence yet");
        producer.completeNext();
        publisher.flushLiveness();
        assertEquals(3, producer.history().size());
        assertEquals(TOPIC, producer.history().get(2).topic());
        assertEquals("1000", text(producer.history().get(2), EventHeaders.RECEIVED), "only the acknowledged event");
        producer.errorNext(new RecordTooLargeException("refused for good")); // the pulse goes to the dead-letter topic
        publisher.flushLiveness();
        assertEquals(1, producer.history().stream().filter(r -> r.topic().equals(TOPIC)).count(),
                "an event the events topic refused is no liveness evidence");
    }

    @Test
    void reachingTheKeyBoundAsksForAnEarlyFlushAndEvidenceOfANewKeyBeyondItIsDroppedAndCounted() {
        LivenessSummaries s = summaries(100);
        for (int i = 0; i < 99; i++) {
            s.acknowledged(event("node-" + i, "auditd", 1_000, null));
        }
        assertEquals(0, earlyFlushes.get());
        s.acknowledged(event("node-99", "auditd", 1_000, null));
        assertEquals(1, earlyFlushes.get(), "the 100th key asks for a flush at once");
        s.acknowledged(event("node-100", "auditd", 1_000, null));
        s.acknowledged(event("node-5", "auditd", 2_000, null));
        assertEquals(1, earlyFlushes.get(), "one request until the flush ran");
        assertEquals(100, s.heldKeys());
        assertEquals(1.0, count(KafkaMetrics.LIVENESS_DROPPED));
        s.flush();
        assertEquals(0, s.heldKeys());
        assertEquals(100, producer.history().size());
        assertEquals("2000", producer.history().stream().filter(r -> "node-5".equals(text(r, EventHeaders.NODE)))
                .map(r -> text(r, EventHeaders.RECEIVED)).findFirst().orElseThrow(), "a held key still takes evidence");
    }

    @Test
    void whileTheBoundOfRecordsIsInFlightAFlushWaitsAndKeepsOnlyTheNewestEvidencePerKey() {
        LivenessSummaries s = summaries(100);
        for (int i = 0; i < 100; i++) {
            s.acknowledged(event("node-" + i, "auditd", 1_000, null));
        }
        s.flush();
        s.acknowledged(event("node-1", "auditd", 2_000, null));
        s.acknowledged(event("node-1", "auditd", 3_000, null));
        s.flush();
        assertEquals(100, producer.history().size(), "100 unacknowledged records in flight: nothing more is sent");
        for (int i = 0; i < 100; i++) {
            producer.completeNext();
        }
        s.flush();
        assertEquals(101, producer.history().size());
        assertEquals("3000", text(producer.history().get(100), EventHeaders.RECEIVED));
        assertEquals("2", text(producer.history().get(100), EventHeaders.COUNT));
    }

    @Test
    void aSummaryKafkaDoesNotAcknowledgeIsFoldedBackAndSentWithTheNextFlush() {
        LivenessSummaries s = summaries(100);
        s.acknowledged(event("node-1", "auditd", 1_000, 400L));
        s.acknowledged(event("node-1", "auditd", 1_100, null));
        s.flush();
        producer.errorNext(new NotLeaderOrFollowerException("leader moved"));
        assertEquals(1.0, count(KafkaMetrics.LIVENESS_RETRIED));
        s.acknowledged(event("node-1", "auditd", 2_000, 1_990L));
        s.flush();
        assertEquals(2, producer.history().size());
        ProducerRecord<byte[], byte[]> again = producer.history().get(1);
        assertEquals("2000", text(again, EventHeaders.RECEIVED));
        assertEquals("3", text(again, EventHeaders.COUNT), "the failed summary's events and the new one");
        assertEquals("1400", text(again, EventHeaders.SENT), "the largest lag, 600 ms, survives the retry");
        producer.completeNext();
        assertEquals(1.0, count(KafkaMetrics.LIVENESS_SENT));
    }

    @Test
    void aSignalKafkaDoesNotAcknowledgeIsSentAgainAheadOfLaterSignals() {
        LivenessSummaries s = summaries(100);
        s.acknowledged(event("node-1", "auditd", 1_000, null, EventHeaders.PULSE, "1"));
        s.flush();
        producer.errorNext(new NotLeaderOrFollowerException("leader moved"));
        s.acknowledged(event("node-1", "auditd", 61_000, null, EventHeaders.PULSE, "1"));
        s.flush();
        List<ProducerRecord<byte[], byte[]>> sent = producer.history();
        assertEquals(3, sent.size());
        assertEquals("1000", text(sent.get(1), EventHeaders.RECEIVED));
        assertEquals("61000", text(sent.get(2), EventHeaders.RECEIVED));
    }
}
