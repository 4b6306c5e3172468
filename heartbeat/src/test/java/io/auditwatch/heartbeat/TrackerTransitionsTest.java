package io.auditwatch.heartbeat;

import static io.auditwatch.heartbeat.Harness.inventory;
import static io.auditwatch.heartbeat.Harness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertEvent.Status;
import io.auditwatch.alerting.AlertKind;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The less common transitions: partial recoveries, per-stream never-seen, sticky audit-disabled. */
class TrackerTransitionsTest {

    @Test
    void expectedStreamThatNeverArrivesOnALiveNodeIsNeverSeenPerStream() {
        Harness h = new Harness(inventory(node("mgr-1", "manager")));
        h.keepSending("mgr-1", Duration.ofMinutes(6), Stream.AUDITD);
        assertEquals(1, h.alerts.size(), h.alerts.toString());
        AlertEvent e = h.alerts.get(0);
        assertEquals(AlertKind.NODE_NEVER_SEEN, e.kind());
        assertEquals("never-seen/mgr-1/ucp-audit", e.key());
        assertEquals("ucp-audit", e.stream());
    }

    @Test
    void neverSeenResolvesOnTheFirstEvent() {
        Harness h = new Harness(inventory(node("w-1", "worker")));
        h.tick(Duration.ofMinutes(6));
        h.send("w-1", Stream.AUDITD);
        h.tick(Harness.SECOND);
        List<AlertEvent> e = h.withKey("node-never-seen/w-1");
        assertEquals(List.of(Status.FIRING, Status.RESOLVED), e.stream().map(AlertEvent::status).toList());
        assertTrue(e.get(1).summary().contains("first time"), e.get(1).summary());
    }

    @Test
    void partialRecoveryOfASilentNodeReportsTheStreamStillSilent() {
        Harness h = new Harness(inventory(node("h-1", "host")));
        h.send("h-1", Stream.AUDITD);
        h.send("h-1", Stream.DOCKERD);
        h.tick(Duration.ofMinutes(16));
        h.send("h-1", Stream.AUDITD);
        h.tick(Harness.SECOND);
        assertEquals(List.of(Status.FIRING, Status.RESOLVED),
                h.withKey("node-silent/h-1").stream().map(AlertEvent::status).toList());
        assertEquals(List.of(Status.FIRING), h.withKey("stream-silent/h-1/dockerd").stream().map(AlertEvent::status).toList());
    }

    @Test
    void streamAlertAlreadyOpenIsNotResolvedWhenTheWholeNodeGoesSilent() {
        Harness h = new Harness(inventory(node("mgr-1", "manager")));
        h.send("mgr-1", Stream.UCP_AUDIT);
        h.send("mgr-1", Stream.AUDITD);
        h.tick(Duration.ofMinutes(16));
        assertEquals(List.of(Status.FIRING), h.withKey("stream-silent/mgr-1/ucp-audit").stream().map(AlertEvent::status).toList());
        assertEquals(List.of(Status.FIRING), h.withKey("node-silent/mgr-1").stream().map(AlertEvent::status).toList());
        assertEquals(2, h.alerts.size(), h.alerts.toString());
    }

    @Test
    void auditDisabledStaysUntilAuditLinesReturnThenResolves() {
        Harness h = new Harness(inventory(node("mgr-1", "manager")));
        h.sendHeaders("mgr-1", "ucp-audit", h.now(), null, false);
        for (int m = 0; m < 7; m++) {
            h.sendHeaders("mgr-1", "auditd", h.now(), null, true);
            h.sendHeaders("mgr-1", "container", h.now(), "ucp-controller", false);
            h.tick(Duration.ofMinutes(1));
        }
        // The controller goes quiet too: still "audit disabled", not flipped to a stream silence.
        h.keepSending("mgr-1", Duration.ofMinutes(10), Stream.AUDITD);
        assertEquals(List.of(Status.FIRING), h.withKey("audit-disabled/mgr-1").stream().map(AlertEvent::status).toList());
        assertTrue(h.withKey("stream-silent/mgr-1/ucp-audit").isEmpty(), h.alerts.toString());
        h.send("mgr-1", Stream.UCP_AUDIT);
        h.tick(Harness.SECOND);
        assertEquals(List.of(Status.FIRING, Status.RESOLVED),
                h.withKey("audit-disabled/mgr-1").stream().map(AlertEvent::status).toList());
    }

    @Test
    void extendingMaintenanceMovesItsEnd() {
        Harness h = new Harness(inventory(node("w-1", "worker")));
        h.send("w-1", Stream.AUDITD);
        h.tracker.setMaintenance("w-1", h.now().plus(Duration.ofMinutes(30)), "patching");
        h.tick(Duration.ofMinutes(20));
        h.tracker.setMaintenance("w-1", h.now().plus(Duration.ofMinutes(30)), "patching, longer");
        h.tick(Duration.ofMinutes(29));
        assertTrue(h.alerts.isEmpty(), h.alerts.toString());
        assertEquals("patching, longer", h.tracker.node("w-1").orElseThrow().maintenanceReason());
        h.tick(Duration.ofMinutes(1));
        assertEquals(1, h.withKey("node-silent/w-1").size());
    }

    @Test
    void maintenanceSurvivesARestore() {
        Harness a = new Harness(inventory(node("w-1", "worker")));
        a.tracker.usePartitions(n -> 0);
        a.tracker.adopt(List.of(0), List.of());
        a.send("w-1", Stream.AUDITD);
        a.tracker.setMaintenance("w-1", a.now().plus(Duration.ofHours(1)), "rebuild");
        List<NodeSnapshot> state = a.tracker.release(List.of(0));

        Harness b = new Harness(inventory(node("w-1", "worker")));
        b.tracker.usePartitions(n -> 0);
        b.tracker.adopt(List.of(0), state);
        b.tick(Duration.ofMinutes(59));
        assertTrue(b.alerts.isEmpty(), b.alerts.toString());
        assertEquals(StreamState.MAINTENANCE, b.tracker.node("w-1").orElseThrow().state());
        b.tick(Duration.ofMinutes(1));
        assertEquals(1, b.withKey("node-silent/w-1").size());
    }

    @Test
    void unknownStreamHeaderIsCountedAndStillProvesTheNodeAlive() {
        Harness h = new Harness(Inventory.empty());
        h.sendHeaders("n", "k8s-audit", null, null, false);
        assertEquals(1.0, h.registry.find(HeartbeatMetrics.INVALID.name()).tag("reason", "unknown-stream")
                .counter().count());
        assertEquals(Stream.OTHER, h.tracker.node("n").orElseThrow().streams().get(0).stream());
    }
}
