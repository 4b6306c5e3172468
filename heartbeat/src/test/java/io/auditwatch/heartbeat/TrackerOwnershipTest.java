package io.auditwatch.heartbeat;

import static io.auditwatch.heartbeat.Harness.inventory;
import static io.auditwatch.heartbeat.Harness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alerting.AlertEvent.Status;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Partitioned mode: what the consumer does on assignment and revocation, without Kafka. */
class TrackerOwnershipTest {

    @Test
    void restoredSilenceIsNeitherForgottenNorFiredAgain() {
        Harness a = new Harness(inventory(node("w-1", "worker")));
        a.tracker.usePartitions(n -> 0);
        a.tracker.adopt(List.of(0), List.of());
        a.send("w-1", Stream.AUDITD);
        a.tick(Duration.ofMinutes(16));
        assertEquals(1, a.withKey("node-silent/w-1").size());
        List<NodeSnapshot> state = a.tracker.release(List.of(0));
        assertTrue(a.tracker.nodes().isEmpty());

        Harness b = new Harness(inventory(node("w-1", "worker")));
        b.clock.set(a.now());
        b.tracker.usePartitions(n -> 0);
        b.tracker.adopt(List.of(0), state);
        b.tick(Duration.ofMinutes(5));
        assertTrue(b.alerts.isEmpty(), b.alerts.toString());
        assertEquals(StreamState.SILENT, b.tracker.node("w-1").orElseThrow().state());
        b.send("w-1", Stream.AUDITD);
        b.tick(Harness.SECOND);
        assertEquals(List.of(Status.RESOLVED), b.withKey("node-silent/w-1").stream().map(e -> e.status()).toList());
    }

    @Test
    void releasingPartitionsForgetsTheirNodesWithoutAlerts() {
        Harness h = new Harness(inventory(node("w-1", "worker"), node("w-2", "worker")));
        h.tracker.usePartitions(n -> n.equals("w-1") ? 0 : 1);
        h.tracker.adopt(List.of(0, 1), List.of());
        List<NodeSnapshot> released = h.tracker.release(List.of(1));
        assertEquals(List.of("w-2"), released.stream().map(NodeSnapshot::node).toList());
        assertEquals(List.of("w-1"), h.tracker.nodes().stream().map(NodeStatus::node).toList());
        h.tick(Duration.ofMinutes(6));
        assertEquals(1, h.alerts.size(), h.alerts.toString());
        assertEquals("node-never-seen/w-1", h.alerts.get(0).key());
    }

    @Test
    void catchingUpHoldsJudgementOnRestoredLastSeen() {
        Harness h = new Harness(Inventory.empty());
        h.tracker.usePartitions(n -> 0);
        h.tracker.catchingUp(true);
        // Restored last-seen is 20m old (instance was down), threshold 15m.
        h.tracker.adopt(List.of(0), List.of(new NodeSnapshot("n", 0, NodeSnapshot.NONE, NodeSnapshot.NONE, null,
                List.of(new NodeSnapshot.StreamSnapshot(Stream.AUDITD, StreamState.HEALTHY,
                        h.now().minus(Duration.ofMinutes(20)).toEpochMilli(), NodeSnapshot.NONE, NodeSnapshot.NONE, false, false)),
                List.of(), false, null)));
        h.tick(Duration.ofSeconds(3));
        // The events still waiting in the topic show no gap of 15m: the node never stopped.
        h.tracker.onEvent("n", Stream.AUDITD, h.now().minus(Duration.ofMinutes(10)), null);
        h.tracker.onEvent("n", Stream.AUDITD, h.now().minus(Duration.ofMinutes(1)), null);
        h.tracker.catchingUp(false);
        h.tick(Duration.ofSeconds(3));
        assertTrue(h.alerts.isEmpty(), h.alerts.toString());
        assertEquals(StreamState.HEALTHY, h.tracker.node("n").orElseThrow().state());
    }

    @Test
    void gapInTheRecordsReadWhileCatchingUpIsReportedLate() {
        Harness h = new Harness(Inventory.empty());
        h.tracker.usePartitions(n -> 0);
        h.tracker.catchingUp(true);
        h.tracker.adopt(List.of(0), List.of(new NodeSnapshot("n", 0, NodeSnapshot.NONE, NodeSnapshot.NONE, null,
                List.of(new NodeSnapshot.StreamSnapshot(Stream.AUDITD, StreamState.HEALTHY,
                        h.now().minus(Duration.ofMinutes(40)).toEpochMilli(), NodeSnapshot.NONE, NodeSnapshot.NONE, false, false)),
                List.of(), false, null)));
        h.tick(Duration.ofSeconds(3));
        h.tracker.onEvent("n", Stream.AUDITD, h.now().minus(Duration.ofMinutes(10)), null);
        h.tracker.catchingUp(false);
        h.tick(Duration.ofSeconds(1));
        assertEquals(List.of(Status.FIRING, Status.RESOLVED),
                h.withKey("stream-silent/n/auditd").stream().map(e -> e.status()).toList());
        assertEquals(Duration.ofMinutes(30).plusSeconds(3), Duration.between(h.alerts.get(1).lastSeen(), h.alerts.get(1).at()));
    }

    @Test
    void decommissionWritesATombstone() {
        Harness h = new Harness(Inventory.empty());
        h.tracker.usePartitions(n -> 3);
        h.tracker.adopt(List.of(3), List.of());
        h.tracker.onEvent("gone".getBytes(), Stream.AUDITD, h.now().toEpochMilli(), Long.MIN_VALUE, false, false, 3);
        h.tracker.drainChanges(true);
        h.tracker.decommission("gone");
        List<NodeSnapshot> out = h.tracker.drainChanges(false);
        assertEquals(1, out.size());
        assertTrue(out.get(0).removed());
        assertEquals(3, out.get(0).partition());
    }
}
