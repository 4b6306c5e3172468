package io.auditwatch.heartbeat;

import static io.auditwatch.heartbeat.Harness.inventory;
import static io.auditwatch.heartbeat.Harness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What senders can make heartbeat hold (heartbeat/README.md, "Cardinality and bounds"): enrolled node names of at most
 * {@link NodeNames#MAX_BYTES} bytes without control characters, at most {@code heartbeat.max-tracked-streams}
 * nodes, per-pair gauges for at most {@link HeartbeatMetrics#MAX_LABELLED_ENROLLED_PAIRS} enrolled pairs,
 * and the same on restore from the state topic.
 */
class NodeBoundsTest {

    @Test
    void aNameOver255BytesOrWithAControlCharacterIsNotEnrolledAndIsCounted() {
        Harness h = new Harness(Inventory.empty());
        h.send("h".repeat(256), Stream.AUDITD);
        h.send("ucp-manager-1\nforged", Stream.AUDITD);
        h.send("esc\u001b[31m", Stream.AUDITD);
        h.send("\u00e9".repeat(128), Stream.AUDITD); // 128 characters, 256 UTF-8 bytes
        h.send("h".repeat(255), Stream.AUDITD);
        assertEquals(List.of("h".repeat(255)), h.tracker.nodes().stream().map(NodeStatus::node).toList());
        assertEquals(4.0, h.counter(HeartbeatMetrics.NAMES_REFUSED.name()));
    }

    @Test
    void anInventoryNodeIsTrackedWhateverItsName() {
        String odd = "n".repeat(300);
        Harness h = new Harness(inventory(node(odd, "worker")));
        h.send(odd, Stream.AUDITD);
        assertEquals(1, h.tracker.nodes().size());
        assertEquals(0.0, h.counter(HeartbeatMetrics.NAMES_REFUSED.name()));
    }

    @Test
    void nodesWhoseStreamsAreNotEnrolledStillCountAgainstTheCap() {
        HeartbeatSettings d = TestHeartbeatSettings.standard();
        Harness h = new Harness(new HeartbeatSettings(d.defaultThreshold(), d.gracePeriod(), d.unknownNodes(),
                EnumSet.of(Stream.AUDITD), d.eventLagThreshold(), d.consumerLagBound(), d.stateFlushInterval(),
                d.auditDisabledWindow(), 3), Inventory.empty());
        for (int i = 0; i < 50; i++) {
            h.send("node-" + i, Stream.OTHER);
        }
        assertEquals(3, h.tracker.nodes().size());
        assertEquals(0, h.tracker.trackedStreams());
        assertEquals(47.0, h.counter(HeartbeatMetrics.REFUSED.name()));
    }

    @Test
    void restoreFromTheStateTopicAppliesTheSameBounds() {
        Harness a = new Harness(Inventory.empty());
        a.tracker.usePartitions(n -> 0);
        a.tracker.adopt(List.of(0), List.of());
        for (int i = 0; i < 50; i++) {
            a.tracker.onEvent(("node-" + i).getBytes(StandardCharsets.UTF_8), Stream.AUDITD, a.now().toEpochMilli(),
                    Long.MIN_VALUE, false, false, 0);
        }
        List<NodeSnapshot> state = new ArrayList<>(a.tracker.release(List.of(0)));
        assertEquals(50, state.size());
        // Records an older version (or another producer) wrote: names enrolment would refuse today.
        NodeSnapshot one = state.get(0);
        for (String bad : List.of("x".repeat(60_000), "ucp-manager-1\nforged")) {
            state.add(0, new NodeSnapshot(bad, 0, one.controllerSeenMs(), one.maintenanceUntilMs(), one.maintenanceReason(),
                    one.streams(), one.openAlerts(), one.removed(), one.rules()));
        }

        Harness b = new Harness(TestHeartbeatSettings.standard().withMaxTrackedStreams(20), Inventory.empty());
        b.tracker.usePartitions(n -> 0);
        b.tracker.adopt(List.of(0), state);
        assertEquals(20, b.tracker.nodes().size());
        assertEquals(20, b.tracker.trackedStreams());
        assertTrue(b.tracker.nodes().stream().allMatch(n -> NodeNames.trackable(n.node())));
        assertEquals(2.0, b.counter(HeartbeatMetrics.NAMES_REFUSED.name()));
        assertEquals(30.0, b.counter(HeartbeatMetrics.REFUSED.name()));
    }

    @Test
    void onlyTheFirstThousandEnrolledPairsGetPerPairGaugesInventoryPairsAlways() {
        Harness h = new Harness(inventory(node("w-1", "worker")));
        int extra = 5;
        for (int i = 0; i < HeartbeatMetrics.MAX_LABELLED_ENROLLED_PAIRS + extra; i++) {
            h.send("enrolled-" + i, Stream.AUDITD);
        }
        h.send("w-1", Stream.AUDITD);
        assertEquals(HeartbeatMetrics.MAX_LABELLED_ENROLLED_PAIRS + extra + 1, h.tracker.trackedStreams());
        assertEquals(HeartbeatMetrics.MAX_LABELLED_ENROLLED_PAIRS + 1, h.registry.find(HeartbeatMetrics.AGE.name()).gauges().size());
        assertEquals(HeartbeatMetrics.MAX_LABELLED_ENROLLED_PAIRS + 1, h.registry.find(HeartbeatMetrics.LAG.name()).gauges().size());
        assertEquals(1, h.registry.find(HeartbeatMetrics.AGE.name()).tag("node", "w-1").gauges().size());
        assertEquals(extra, h.registry.get(HeartbeatMetrics.UNLABELLED.name()).gauge().value());

        h.tracker.decommission("enrolled-0");
        h.tracker.decommission("enrolled-" + (HeartbeatMetrics.MAX_LABELLED_ENROLLED_PAIRS + 1));
        assertEquals(extra - 1, h.registry.get(HeartbeatMetrics.UNLABELLED.name()).gauge().value());
        assertEquals(HeartbeatMetrics.MAX_LABELLED_ENROLLED_PAIRS, h.registry.find(HeartbeatMetrics.AGE.name()).gauges().size());
        h.send("late", Stream.AUDITD);
        assertEquals(1, h.registry.find(HeartbeatMetrics.AGE.name()).tag("node", "late").gauges().size(), "a freed place is reused");
    }

    @Test
    void aLabelIsAtMost128BytesAndLongNamesStayDistinct() {
        String a = "a".repeat(200) + "1";
        String b = "a".repeat(200) + "2";
        assertEquals("short.example.org", NodeNames.label("short.example.org"));
        assertEquals(NodeNames.MAX_LABEL_BYTES, NodeNames.label(a).getBytes(StandardCharsets.UTF_8).length);
        assertNotEquals(NodeNames.label(a), NodeNames.label(b));
        String wide = "\u00e9".repeat(100); // 200 bytes: cut on a character boundary
        assertTrue(NodeNames.label(wide).getBytes(StandardCharsets.UTF_8).length <= NodeNames.MAX_LABEL_BYTES);
        assertTrue(NodeNames.label(wide).startsWith("\u00e9\u00e9"));
    }

    @Test
    void aNameInALogLineIsOneLineOfBoundedLength() {
        assertEquals("ucp-manager-1\\nforged \\x1b[31m \\\\ \\\" \\x85", NodeNames.forLog("ucp-manager-1\nforged \u001b[31m \\ \" \u0085"));
        assertEquals("plain.example.org", NodeNames.forLog("plain.example.org"));
        String logged = NodeNames.forLog("x".repeat(60_000));
        assertEquals(NodeNames.MAX_LOG_CHARS + 3, logged.length());
        assertTrue(logged.endsWith("..."));
    }
}
