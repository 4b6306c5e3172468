package io.auditwatch.heartbeat;

import static io.auditwatch.heartbeat.Harness.inventory;
import static io.auditwatch.heartbeat.Harness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InventoryTest {

    @Test
    void nodeOverridesReplaceAndAddToItsRole() {
        NodeSpec mgr = new NodeSpec("mgr-2", "manager", Map.of(Stream.UCP_AUDIT, Duration.ofMinutes(10),
                Stream.DOCKERD, Duration.ofHours(1)), List.of());
        Map<Stream, Duration> expected = inventory(mgr).expectedStreams(mgr);
        assertEquals(Map.of(Stream.UCP_AUDIT, Duration.ofMinutes(10), Stream.AUDITD, Duration.ofMinutes(15),
                Stream.DOCKERD, Duration.ofHours(1)), expected);
    }

    @Test
    void unknownRoleIsNamed() {
        HeartbeatConfigException e = assertThrows(HeartbeatConfigException.class,
                () -> inventory(node("mgr-2", "manger")).validate());
        assertEquals("nodes[mgr-2].role", e.key());
    }

    @Test
    void duplicateNodeIsNamed() {
        HeartbeatConfigException e = assertThrows(HeartbeatConfigException.class,
                () -> inventory(node("w", "worker"), node("w", "worker")).validate());
        assertEquals("nodes[w]", e.key());
    }

    @Test
    void addressThatIsNotAnAddressIsNamed() {
        NodeSpec bad = new NodeSpec("w", "worker", Map.of(), List.of("10.0.0.0/24", "host.example.org"));
        HeartbeatConfigException e = assertThrows(HeartbeatConfigException.class, () -> inventory(bad).validate());
        assertEquals("nodes[w].addresses", e.key());
    }

    @Test
    void addressMappedToTwoNodesIsNamed() {
        NodeSpec a = new NodeSpec("a", "worker", Map.of(), List.of("10.0.0.1"));
        NodeSpec b = new NodeSpec("b", "worker", Map.of(), List.of("10.0.0.1"));
        HeartbeatConfigException e = assertThrows(HeartbeatConfigException.class, () -> inventory(a, b).validate());
        assertEquals("nodes[b].addresses", e.key());
    }

    @Test
    void nodeWithoutRoleOrThresholdsExpectsNothingAndIsRejected() {
        HeartbeatConfigException e = assertThrows(HeartbeatConfigException.class,
                () -> inventory(new NodeSpec("x", null, Map.of(), List.of())).validate());
        assertEquals("nodes[x]", e.key());
    }

    @Test
    void subSecondThresholdIsRejected() {
        NodeSpec w = new NodeSpec("w", "worker", Map.of(Stream.AUDITD, Duration.ofMillis(500)), List.of());
        HeartbeatConfigException e = assertThrows(HeartbeatConfigException.class, () -> inventory(w).validate());
        assertEquals("nodes[w].thresholds.auditd", e.key());
    }

    @Test
    void settingsNameTheKey() {
        HeartbeatConfigException e = assertThrows(HeartbeatConfigException.class,
                () -> TestHeartbeatSettings.standard().withGracePeriod(Duration.ofSeconds(-1)).validate());
        assertEquals("heartbeat.grace-period", e.key());
        assertEquals("heartbeat.unknown-nodes",
                assertThrows(HeartbeatConfigException.class,
                        () -> TestHeartbeatSettings.standard().withUnknownNodes(null).validate()).key());
    }

    @Test
    void inventoryLargerThanTheCapIsRejectedAtStart() {
        Harness.inventory(node("a", "host"));
        HeartbeatConfigException e = assertThrows(HeartbeatConfigException.class,
                () -> new Harness(TestHeartbeatSettings.standard().withMaxTrackedStreams(1), inventory(node("a", "host"))));
        assertEquals("heartbeat.max-tracked-streams", e.key());
    }
}
