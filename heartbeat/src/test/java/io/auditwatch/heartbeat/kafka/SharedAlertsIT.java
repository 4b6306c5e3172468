package io.auditwatch.heartbeat.kafka;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertHistory;
import io.auditwatch.alerting.AlertKind;
import io.auditwatch.alerting.AlertStore;
import io.auditwatch.alerting.Notification;
import io.auditwatch.alerting.OpenAlert;
import io.auditwatch.alerting.TestAlertingSettings;
import io.auditwatch.alerting.engine.Alerting;
import io.auditwatch.heartbeat.HeartbeatMetrics;
import io.auditwatch.heartbeat.HeartbeatSettings;
import io.auditwatch.heartbeat.HeartbeatTracker;
import io.auditwatch.heartbeat.Inventory;
import io.auditwatch.heartbeat.NodeStatus;
import io.auditwatch.heartbeat.Stream;
import io.auditwatch.heartbeat.TestHeartbeatSettings;
import io.auditwatch.testing.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node alerts shared through {@link KafkaAlertStore} on a real in-process KRaft broker: the records
 * a new owner reads back, and two instances (tracker, consumer and alerting engine each, with
 * their own outbox directory delivering into {@code sent-eml/}) handing a silent node's alert over
 * inside its group window. Time on trackers and engines is one manual clock.
 */
class SharedAlertsIT {
    private static final Duration THRESHOLD = Duration.ofMinutes(5);
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static Broker broker;

    final ManualClock clock = ManualClock.at("2026-12-04T10:00:00Z");
    final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new Broker(dir.resolve("broker"));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void aNewStoreReadsBackOpenAlertsAndUndeliveredNotificationsOfItsPartitionsOnly() throws Exception {
        String source = "events-store";
        broker.createTopic(source, 3);
        KafkaAlertStore store = new KafkaAlertStore(broker.clientConfig(), source + ".alerts");
        open.add(store);
        store.prepare(source);
        Instant t = clock.instant();
        OpenAlert a0 = alert("node-a", t);
        OpenAlert gone = alert("node-b", t);
        store.put(0, a0);
        store.put(1, gone);
        store.remove(1, gone.key());
        Notification kept = notification("n-kept", a0.key(), t);
        Notification sent = notification("n-sent", a0.key(), t);
        store.queued(Set.of(0, 2), kept);
        store.queued(Set.of(0), sent);
        store.delivered(Set.of(0), sent.id());
        assertTrue(store.sync(WAIT));

        KafkaAlertStore next = new KafkaAlertStore(broker.clientConfig(), source + ".alerts");
        open.add(next);
        AlertStore.Restored r = next.read(Set.of(0, 1), WAIT);
        assertEquals(List.of(new AlertStore.Held(0, a0)), r.alerts());
        assertEquals(1, r.notifications().size());
        assertEquals(kept, r.notifications().get(0).notification());
        assertEquals(Set.of(0, 2), r.notifications().get(0).partitions(), "every partition it was written to");
        assertEquals(List.of(), next.read(Set.of(1), WAIT).alerts(), "removed");
        assertEquals(1, next.read(Set.of(2), WAIT).notifications().size(), "a copy in each partition it reports");
    }

    @Test
    void aTopicOfTheSameNameThatIsNotCompactedIsRefusedNotWrittenInto() throws Exception {
        String source = "events-clash";
        broker.createTopic(source, 2);
        broker.createTopic(source + ".alerts", 2); // e.g. another application's topic, cleanup.policy=delete
        KafkaAlertStore store = new KafkaAlertStore(broker.clientConfig(), source + ".alerts");
        open.add(store);
        KafkaException e = assertThrows(KafkaException.class, () -> store.prepare(source));
        assertTrue(e.getMessage().contains("cleanup.policy=delete") && e.getMessage().contains(source + ".alerts"),
                e.getMessage());
    }

    record Instance(HeartbeatTracker tracker, HeartbeatConsumer consumer, Alerting alerting, Path outbox) {
        /** Subjects of the emails this instance delivered. */
        List<String> delivered() throws IOException {
            Path sent = outbox.resolve("sent-eml");
            if (!Files.isDirectory(sent)) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            try (var files = Files.list(sent)) {
                for (Path p : files.sorted().toList()) {
                    Files.readAllLines(p).stream().filter(l -> l.startsWith("Subject: ")).findFirst().ifPresent(out::add);
                }
            }
            return out;
        }
    }

    Instance start(String name, String topic) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Path outbox = dir.resolve(name + "-" + System.nanoTime());
        Alerting alerting = new Alerting(TestAlertingSettings.builder()
                .recipients("isso", "isso@example.org").recipients("sa", "sa@example.org")
                .outboxDir(outbox).build(), clock, registry, AlertHistory.NONE);
        open.add(alerting);
        KafkaAlertStore store = new KafkaAlertStore(broker.clientConfig(), topic + ".alerts");
        open.add(store);
        try {
            store.prepare(topic);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        alerting.share(store, e -> HeartbeatTracker.RAISES.contains(e.kind()));
        HeartbeatSettings settings = TestHeartbeatSettings.standard().withDefaultThreshold(THRESHOLD);
        HeartbeatTracker tracker = new HeartbeatTracker(settings, Inventory.empty(), clock, alerting.ownedSink(),
                new HeartbeatMetrics(registry, clock));
        Map<String, Object> config = new HashMap<>(broker.clientConfig());
        config.put("group.id", "g-" + topic);
        config.put("session.timeout.ms", 10_000);
        HeartbeatConsumer consumer = new HeartbeatConsumer(config, topic, topic + ".state", tracker, settings);
        consumer.shareAlerts(store, alerting);
        consumer.start();
        open.add(consumer);
        return new Instance(tracker, consumer, alerting, outbox);
    }

    @Test
    void anAlertInsideItsGroupWindowIsHandedOverAndNotifiedOnceByTheNewOwnerWhichAlsoSendsItsRecovery()
            throws Exception {
        String topic = "events-handover";
        broker.createTopic(topic, 4);
        Instance a = start("a", topic);
        Instance b = start("b", topic);
        awaitSplit(a, b);
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            nodes.add("node-" + i);
        }
        minute(topic, nodes, a, b);
        List<String> ofB = nodes.stream().filter(n -> b.tracker.node(n).isPresent()).toList();
        assertFalse(ofB.isEmpty(), "b owns nodes");
        String silent = ofB.get(0);
        List<String> sending = new ArrayList<>(nodes);
        sending.remove(silent);
        for (int m = 0; m < 6; m++) {
            minute(topic, sending, a, b);
        }
        assertEquals(1, b.alerting.openAlerts().size(), "b opened the alert; its group window has not ended");
        assertEquals(List.of(), b.delivered());

        b.consumer.close(); // a graceful stop: b writes and forgets what it owns
        await().atMost(WAIT).until(() -> a.consumer.ownedPartitions().size() == 4);
        assertTrue(b.alerting.openAlerts().isEmpty(), "b forgot the alert it handed over");
        assertEquals(List.of("node-silent/" + silent), a.alerting.openAlerts().stream().map(OpenAlert::key).toList(),
                "a continues the alert from the store, before heartbeat has judged anything");
        await().atMost(WAIT).until(() -> {
            a.tracker.evaluate();
            return a.consumer.caughtUp();
        });
        a.tracker.evaluate();
        assertEquals(List.of("node-silent/" + silent), a.alerting.openAlerts().stream().map(OpenAlert::key).toList());
        clock.advance(TestAlertingSettings.GROUP_WINDOW);
        a.alerting.tick();
        b.alerting.tick();
        assertEquals(1, a.delivered().size(), a.delivered().toString());
        assertTrue(a.delivered().get(0).contains("AUDIT FAILURE") && a.delivered().get(0).contains(silent), a.delivered().toString());

        sending.add(silent);
        minute(topic, sending, a);
        clock.advance(TestAlertingSettings.GROUP_WINDOW);
        a.alerting.tick();
        b.alerting.tick();
        assertEquals(2, a.delivered().size(), a.delivered().toString());
        assertTrue(a.delivered().get(1).contains("RECOVERED") && a.delivered().get(1).contains(silent), a.delivered().toString());
        assertEquals(List.of(), b.delivered(), "the old owner sent nothing");
        assertEquals(List.of(), new KafkaAlertStore(broker.clientConfig(), topic + ".alerts").read(Set.of(0, 1, 2, 3), WAIT)
                .alerts(), "closed: nothing left open in the store");
    }

    static void awaitSplit(Instance... instances) {
        await().atMost(WAIT).until(() -> {
            int total = 0;
            for (Instance i : instances) {
                if (!i.consumer.caughtUp() || i.consumer.ownedPartitions().isEmpty()) {
                    return false;
                }
                total += i.consumer.ownedPartitions().size();
            }
            return total == 4;
        });
    }

    /** One minute passes: every node in {@code sending} delivers once, then the instances evaluate and tick. */
    void minute(String topic, List<String> sending, Instance... instances) throws Exception {
        clock.advance(Duration.ofMinutes(1));
        long now = clock.millis();
        for (String n : sending) {
            broker.send(topic, n, Stream.AUDITD, now);
        }
        Instant at = clock.instant();
        for (String n : sending) {
            await().atMost(WAIT).until(() -> {
                for (Instance i : instances) {
                    Optional<NodeStatus> s = i.tracker.node(n);
                    if (s.isPresent() && s.get().streams().stream().anyMatch(st -> at.equals(st.lastSeen()))) {
                        return true;
                    }
                }
                return false;
            });
        }
        for (Instance i : instances) {
            i.tracker.evaluate();
        }
    }

    private static OpenAlert alert(String node, Instant t) {
        AlertEvent e = new AlertEvent(AlertKind.NODE_SILENT, "node-silent/" + node, AlertEvent.Status.FIRING, t, node, null,
                t.minusSeconds(600), THRESHOLD, node + ": no audit data", Map.of("node", node));
        return new OpenAlert(e, t, null, null, 0, List.of("isso", "sa"), null);
    }

    private static Notification notification(String id, String key, Instant t) {
        return new Notification(id, List.of(AlertKind.NODE_SILENT), "[auditwatch] AUDIT FAILURE: x", "text", "<p>html</p>",
                List.of("isso@example.org"), t, List.of(key));
    }
}
