package io.auditwatch.ingest.kafka;

import io.auditwatch.service.BrokerExtension;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.DefaultEventLoop;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker goes away under load and comes back on the same directory and port: the event loop
 * never waits, readers are paused then resumed, and every accepted event lands exactly once, in order.
 */
class EventPublisherOutageIT {
    /** Small enough to fill within one test; large enough for several producer batches. */
    static final long BOUND = 256 * 1024;

    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();

    @Test
    void eventsAcceptedDuringABrokerOutageAreDeliveredOnceAfterItReturns() throws Exception {
        PublisherSettings settings = Topics.settings(broker.bootstrapServers(), Topics.unique("outage"), BOUND);
        TopicCreator.ensureTopic(settings, Duration.ofSeconds(30));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CountDownLatch paused = new CountDownLatch(1);
        CountDownLatch resumed = new CountDownLatch(1);
        DefaultEventLoop eventLoop = new DefaultEventLoop();
        try (EventPublisher publisher = EventPublisher.direct(settings, registry)) {
            publisher.addPressureListener(new PressureListener() {
                @Override
                public void pause() {
                    paused.countDown();
                }

                @Override
                public void resume() {
                    resumed.countDown();
                }
            });
            for (int seq = 0; seq < 100; seq++) {
                assertTrue(publisher.offer(TestEvents.event("node-" + seq % 4, seq, 250)));
            }
            await().until(() -> success(registry) == 100);

            broker.stop();

            // What a TCP or UDP listener does: offer on its event loop until the publisher says no.
            AtomicInteger accepted = new AtomicInteger(100);
            CountDownLatch offered = new CountDownLatch(1);
            eventLoop.execute(() -> {
                int seq = accepted.get();
                while (publisher.offer(TestEvents.event("node-" + seq % 4, seq, 250))) {
                    seq = accepted.incrementAndGet();
                }
                for (int i = 0; i < 1_000; i++) {
                    publisher.offer(TestEvents.event("node-x", i, 250));
                }
                offered.countDown();
            });
            assertTrue(offered.await(30, TimeUnit.SECONDS), "the event loop was blocked by the publisher");
            assertEquals(0, paused.getCount(), "readers paused before the bound filled");
            assertTrue(registry.get(KafkaMetrics.PUBLISH.name()).tag("result", "rejected").counter().count() >= 1_001);
            await().until(() -> !publisher.health().kafkaReachable());
            assertEquals(0.0, registry.get(KafkaMetrics.UP.name()).gauge().value());
            assertTrue(publisher.health().consecutiveFailures() > 0);
            await().until(() -> registry.get(KafkaMetrics.BACKPRESSURE.name()).functionCounter().count() > 0);

            broker.start();

            assertTrue(resumed.await(60, TimeUnit.SECONDS), "readers never resumed");
            await().atMost(Duration.ofSeconds(60)).until(() -> success(registry) == accepted.get());
            await().until(publisher.health()::kafkaReachable);
            assertEquals(0.0, registry.get(KafkaMetrics.PUBLISH.name()).tag("result", "failure").counter().count());

            List<ConsumerRecord<byte[], byte[]>> read = broker.readAll(settings.topic(), accepted.get());
            assertEquals(accepted.get(), read.size(), "each accepted event exactly once");
            assertInOrderPerNode(read);
        } finally {
            eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void aBrokerStoppedMidStreamLosesAndDuplicatesNothing() throws Exception {
        PublisherSettings settings = Topics.settings(broker.bootstrapServers(), Topics.unique("midstream"), BOUND);
        TopicCreator.ensureTopic(settings, Duration.ofSeconds(30));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicInteger accepted = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        try (EventPublisher publisher = EventPublisher.direct(settings, registry)) {
            // A sender that never stops while the broker goes down under it, so batches are in flight.
            Thread sender = new Thread(() -> {
                int seq = 0;
                while (!stop.get()) {
                    if (publisher.offer(TestEvents.event("node-" + seq % 5, seq, 250))) {
                        seq = accepted.incrementAndGet();
                    } else {
                        java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                    }
                }
            }, "test-sender");
            sender.start();
            await().until(() -> success(registry) > 5_000);
            broker.stop();
            broker.start();
            int atRestart = accepted.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> success(registry) > atRestart);
            stop.set(true);
            sender.join();
            await().atMost(Duration.ofSeconds(60)).until(() -> success(registry) == accepted.get());
            assertEquals(0.0, registry.get(KafkaMetrics.PUBLISH.name()).tag("result", "failure").counter().count());
        }
        List<ConsumerRecord<byte[], byte[]>> read = broker.readAll(settings.topic(), accepted.get());
        assertEquals(accepted.get(), read.size(), "each accepted event exactly once");
        assertInOrderPerNode(read);
    }

    @Test
    void anUnreachableClusterIsCountedAndNeverBlocksTheCaller() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        PublisherSettings base = Topics.settings("127.0.0.1:" + closedPort, "audit.events", BOUND);
        PublisherSettings settings = new PublisherSettings(base.bootstrapServers(), base.topic(), 1, (short) 1,
                BOUND, Duration.ofMillis(300), Duration.ofMillis(500), Map.of(), Duration.ofMillis(200));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EventPublisher publisher = EventPublisher.direct(settings, registry);
        DefaultEventLoop eventLoop = new DefaultEventLoop();
        AtomicInteger accepted = new AtomicInteger();
        CountDownLatch offered = new CountDownLatch(1);
        eventLoop.execute(() -> {
            for (int seq = 0; seq < 3; seq++) {
                if (publisher.offer(TestEvents.event("node-1", seq, 100))) {
                    accepted.incrementAndGet();
                }
            }
            offered.countDown();
        });
        // The publisher thread is stuck in a metadata wait meanwhile; the event loop must not be.
        assertTrue(offered.await(30, TimeUnit.SECONDS), "the event loop was blocked by the publisher");
        eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        assertEquals(3, accepted.get());
        await().until(() -> registry.get(KafkaMetrics.FAILURES.name()).tag("reason", "timeout").counter().count() >= 2);
        assertFalse(publisher.health().kafkaReachable());
        assertTrue(publisher.health().lastError().contains("TimeoutException"), publisher.health().lastError());
        assertEquals(0.0, registry.get(KafkaMetrics.PUBLISH.name()).tag("result", "failure").counter().count(),
                "retried, not given up, while the publisher runs");

        publisher.close();
        assertEquals(3.0, registry.get(KafkaMetrics.FAILURES.name()).tag("reason", "shutdown").counter().count());
        assertEquals(3.0, registry.get(KafkaMetrics.PUBLISH.name()).tag("result", "failure").counter().count());
    }

    private static double success(SimpleMeterRegistry registry) {
        return registry.get(KafkaMetrics.PUBLISH.name()).tag("result", "success").counter().count();
    }

    private static void assertInOrderPerNode(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, Integer> lastSeq = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String value = new String(r.value(), StandardCharsets.UTF_8);
            String node = value.substring(0, value.indexOf('#'));
            int seq = Integer.parseInt(value.substring(value.indexOf('#') + 1, value.indexOf(' ')));
            Integer previous = lastSeq.put(node, seq);
            assertTrue(previous == null || previous < seq, node + ": " + seq + " after " + previous);
        }
    }
}
