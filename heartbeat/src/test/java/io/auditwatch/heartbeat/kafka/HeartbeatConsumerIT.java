package io.auditwatch.heartbeat.kafka;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertEvent.Status;
import io.auditwatch.heartbeat.HeartbeatMetrics;
import io.auditwatch.heartbeat.HeartbeatSettings;
import io.auditwatch.heartbeat.TestHeartbeatSettings;
import io.auditwatch.heartbeat.HeartbeatTracker;
import io.auditwatch.heartbeat.Inventory;
import io.auditwatch.heartbeat.NodeStatus;
import io.auditwatch.heartbeat.Stream;
import io.auditwatch.heartbeat.StreamState;
import io.auditwatch.testing.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HeartbeatConsumer against a real in-process KRaft broker; time on the trackers is a shared manual clock. */
class HeartbeatConsumerIT {
    private static final Duration THRESHOLD = Duration.ofMinutes(5);
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static Broker broker;

    final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
    final List<AlertEvent> alerts = new CopyOnWriteArrayList<>();
    final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new Broker(dir);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @AfterEach
    void closeConsumers() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    record Instance(HeartbeatTracker tracker, HeartbeatConsumer consumer, SimpleMeterRegistry registry) {
    }

    Instance start(String topic, String group) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HeartbeatSettings settings = TestHeartbeatSettings.standard().withDefaultThreshold(THRESHOLD);
        HeartbeatTracker tracker = new HeartbeatTracker(settings, Inventory.empty(), clock, alerts::add,
                new HeartbeatMetrics(registry, clock));
        Map<String, Object> config = new HashMap<>(broker.clientConfig());
        config.put("group.id", group);
        config.put("session.timeout.ms", 10_000);
        HeartbeatConsumer consumer = new HeartbeatConsumer(config, topic, topic + ".state", tracker, settings);
        consumer.start();
        open.add(consumer);
        return new Instance(tracker, consumer, registry);
    }

    void send(String topic, String node, Stream stream) {
        try {
            broker.send(topic, node, stream, clock.millis());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Waits until one of the instances has consumed the node's event received at the clock's now. */
    static void awaitSeen(String node, Instant at, Instance... instances) {
        await().atMost(WAIT).until(() -> {
            for (Instance i : instances) {
                Optional<NodeStatus> s = i.tracker.node(node);
                if (s.isPresent() && s.get().streams().stream().anyMatch(st -> at.equals(st.lastSeen()))) {
                    return true;
                }
            }
            return false;
        });
    }

    static void awaitReady(Instance... instances) {
        await().atMost(WAIT).until(() -> {
            Set<Integer> all = new HashSet<>();
            int total = 0;
            for (Instance i : instances) {
                if (!i.consumer.caughtUp() || i.consumer.ownedPartitions().isEmpty()) {
                    return false;
                }
                all.addAll(i.consumer.ownedPartitions());
                total += i.consumer.ownedPartitions().size();
            }
            return total == all.size();
        });
    }

    List<AlertEvent> withKey(String key, Status status) {
        return alerts.stream().filter(a -> a.key().equals(key) && a.status() == status).toList();
    }

    /** One minute passes: every node in {@code sending} delivers once, then both instances evaluate. */
    void minute(String topic, List<String> sending, Instance... instances) {
        clock.advance(Duration.ofMinutes(1));
        for (String n : sending) {
            send(topic, n, Stream.AUDITD);
        }
        for (String n : sending) {
            awaitSeen(n, clock.instant(), instances);
        }
        for (Instance i : instances) {
            i.tracker.evaluate();
        }
    }

    @Test
    void notCaughtUpUntilTheGroupHasAssignedPartitions() throws Exception {
        // /ready follows caughtUp(): a consumer that has not joined its group yet judges nothing and
        // must not look ready (it did, for the length of the first join, before this was fixed).
        String topic = "events-join";
        broker.createTopic(topic, 2);
        Instance a = start(topic, "g-join");
        await().atMost(WAIT).pollInterval(Duration.ofMillis(2)).until(a.consumer::caughtUp);
        assertEquals(Set.of(0, 1), a.consumer.ownedPartitions(), "caught up before the assignment");
    }

    @Test
    void recordsWithHeadersAreTrackedAndTheStateTopicIsCompacted() throws Exception {
        String topic = "events-tracked";
        broker.createTopic(topic, 3);
        Instance a = start(topic, "g-tracked");
        awaitReady(a);
        send(topic, "node-1", Stream.AUDITD);
        send(topic, "node-2", Stream.UCP_AUDIT);
        awaitSeen("node-1", clock.instant(), a);
        awaitSeen("node-2", clock.instant(), a);
        NodeStatus n2 = a.tracker.node("node-2").orElseThrow();
        assertEquals(Duration.ofMillis(250), n2.streams().get(0).lag());
        assertEquals(2.0, a.registry.find(HeartbeatMetrics.EVENTS.name()).counters().stream().mapToDouble(c -> c.count()).sum());

        try (Admin admin = Admin.create(broker.clientConfig())) {
            ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, topic + ".state");
            Config cfg = admin.describeConfigs(List.of(res)).all().get(30, TimeUnit.SECONDS).get(res);
            assertEquals("compact", cfg.get("cleanup.policy").value());
            assertEquals(3, admin.describeTopics(List.of(topic + ".state")).allTopicNames().get().get(topic + ".state")
                    .partitions().size());
        }
    }

    @Test
    void restartRestoresStateWithoutFalseOrForgottenAlerts() throws Exception {
        String topic = "events-restart";
        broker.createTopic(topic, 2);
        Instance a = start(topic, "g-restart");
        awaitReady(a);
        send(topic, "quiet", Stream.AUDITD);
        send(topic, "busy", Stream.AUDITD);
        awaitSeen("quiet", clock.instant(), a);
        for (int m = 0; m < 6; m++) {
            minute(topic, List.of("busy"), a);
        }
        assertEquals(1, withKey("node-silent/quiet", Status.FIRING).size(), alerts.toString());
        a.consumer.close();

        // While no instance runs, busy keeps delivering: those records wait in the topic.
        clock.advance(Duration.ofMinutes(4));
        send(topic, "busy", Stream.AUDITD);
        Instant busyLast = clock.instant();
        clock.advance(Duration.ofMinutes(2)); // the restored last-seen of busy is now 6m old

        Instance b = start(topic, "g-restart");
        await().atMost(WAIT).until(() -> {
            b.tracker.evaluate(); // the scheduler keeps ticking while the new instance catches up
            return b.consumer.caughtUp() && !b.consumer.ownedPartitions().isEmpty();
        });
        b.tracker.evaluate();
        assertEquals(busyLast, b.tracker.node("busy").orElseThrow().streams().get(0).lastSeen());
        assertTrue(withKey("node-silent/busy", Status.FIRING).isEmpty(), "no false alert: " + alerts);
        assertEquals(1, withKey("node-silent/quiet", Status.FIRING).size(), "no duplicate: " + alerts);
        assertEquals(StreamState.SILENT, b.tracker.node("quiet").orElseThrow().state(), "silence not forgotten");

        send(topic, "quiet", Stream.AUDITD);
        awaitSeen("quiet", clock.instant(), b);
        b.tracker.evaluate();
        assertEquals(1, withKey("node-silent/quiet", Status.RESOLVED).size(), alerts.toString());
    }

    @Test
    void twoInstancesSplitTheNodesAndTheSurvivorTakesOverWithoutMissedOrDuplicatedTransitions() throws Exception {
        String topic = "events-pair";
        broker.createTopic(topic, 4);
        Instance a = start(topic, "g-pair");
        Instance b = start(topic, "g-pair");
        awaitReady(a, b);
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            nodes.add("node-" + i);
        }
        for (String n : nodes) {
            send(topic, n, Stream.AUDITD);
        }
        for (String n : nodes) {
            awaitSeen(n, clock.instant(), a, b);
        }
        List<String> ofA = nodes.stream().filter(n -> a.tracker.node(n).isPresent()).toList();
        List<String> ofB = nodes.stream().filter(n -> b.tracker.node(n).isPresent()).toList();
        assertEquals(nodes.size(), ofA.size() + ofB.size(), "each node judged by exactly one instance");
        assertFalse(ofA.isEmpty() || ofB.size() < 2, "both instances own nodes: " + ofA + " / " + ofB);

        String silentOfA = ofA.get(0);
        String silentOfB = ofB.get(0);
        String laterOfB = ofB.get(1);
        List<String> sending = new ArrayList<>(nodes);
        sending.removeAll(List.of(silentOfA, silentOfB));
        for (int m = 0; m < 6; m++) {
            minute(topic, sending, a, b);
        }
        assertEquals(1, withKey("node-silent/" + silentOfA, Status.FIRING).size(), alerts.toString());
        assertEquals(1, withKey("node-silent/" + silentOfB, Status.FIRING).size(), alerts.toString());

        // b stops; a takes b's nodes over.
        b.consumer.close();
        await().atMost(WAIT).until(() -> {
            a.tracker.evaluate();
            return a.consumer.caughtUp() && a.consumer.ownedPartitions().size() == 4;
        });
        sending.remove(laterOfB);
        for (int m = 0; m < 6; m++) {
            minute(topic, sending, a);
        }
        send(topic, silentOfB, Stream.AUDITD);
        awaitSeen(silentOfB, clock.instant(), a);
        a.tracker.evaluate();

        assertEquals(1, withKey("node-silent/" + silentOfB, Status.FIRING).size(), "not fired twice: " + alerts);
        assertEquals(1, withKey("node-silent/" + silentOfB, Status.RESOLVED).size(), "recovery not missed: " + alerts);
        assertEquals(1, withKey("node-silent/" + laterOfB, Status.FIRING).size(), "new silence not missed: " + alerts);
        assertEquals(1, withKey("node-silent/" + silentOfA, Status.FIRING).size(), alerts.toString());
        assertEquals(3, alerts.stream().filter(e -> e.status() == Status.FIRING).count(), "no false alert: " + alerts);
    }
}
