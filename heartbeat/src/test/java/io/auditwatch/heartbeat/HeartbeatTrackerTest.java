package io.auditwatch.heartbeat;

import static io.auditwatch.heartbeat.Harness.inventory;
import static io.auditwatch.heartbeat.Harness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertEvent.Status;
import io.auditwatch.alerting.AlertKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeartbeatTrackerTest {

    @Test
    void streamThatStopsTurnsSilentWithinThresholdPlusOneSecond() {
        Harness h = new Harness(inventory(node("mgr-1", "manager")));
        h.send("mgr-1", Stream.UCP_AUDIT);
        Instant last = h.now();
        // auditd keeps flowing, ucp-audit (5m) stops.
        for (int s = 0; s < 6 * 60 && h.withKey("stream-silent/mgr-1/ucp-audit").isEmpty(); s++) {
            h.send("mgr-1", Stream.AUDITD);
            h.tick(Harness.SECOND);
        }
        List<AlertEvent> fired = h.withKey("stream-silent/mgr-1/ucp-audit");
        assertEquals(1, fired.size());
        AlertEvent e = fired.get(0);
        assertEquals(AlertKind.STREAM_SILENT, e.kind());
        assertEquals(Status.FIRING, e.status());
        assertEquals(last, e.lastSeen());
        Duration after = Duration.between(last, e.at());
        assertTrue(after.compareTo(Duration.ofMinutes(5)) >= 0 && after.compareTo(Duration.ofMinutes(5).plusSeconds(1)) <= 0,
                "fired " + after + " after the last event");
        assertEquals(StreamState.SILENT, streamState(h, "mgr-1", Stream.UCP_AUDIT));
    }

    @Test
    void recoversOnNextEventWithTheOutageLength() {
        Harness h = new Harness(inventory(node("mgr-1", "manager")));
        h.send("mgr-1", Stream.UCP_AUDIT);
        Instant last = h.now();
        h.keepSending("mgr-1", Duration.ofMinutes(12), Stream.AUDITD);
        h.clock.advance(Duration.ofMillis(300));
        h.send("mgr-1", Stream.UCP_AUDIT);
        Instant back = h.now();
        h.tick(Harness.SECOND);

        List<AlertEvent> events = h.withKey("stream-silent/mgr-1/ucp-audit");
        assertEquals(List.of(Status.FIRING, Status.RESOLVED), events.stream().map(AlertEvent::status).toList());
        AlertEvent resolved = events.get(1);
        assertEquals(back, resolved.at());
        assertEquals(last, resolved.lastSeen());
        assertEquals(Duration.ofMinutes(12).plusMillis(300), Duration.between(resolved.lastSeen(), resolved.at()));
        assertEquals(StreamState.HEALTHY, streamState(h, "mgr-1", Stream.UCP_AUDIT));
    }

    @Test
    void expectedNodeThatNeverSendsIsNeverSeenAfterTheGracePeriod() {
        Harness h = new Harness(inventory(node("mgr-1", "manager")));
        h.tick(Duration.ofMinutes(5).minusSeconds(1));
        assertTrue(h.alerts.isEmpty());
        assertEquals(StreamState.PENDING, h.tracker.node("mgr-1").orElseThrow().state());
        h.tick(Harness.SECOND);
        assertEquals(1, h.alerts.size());
        AlertEvent e = h.alerts.get(0);
        assertEquals(AlertKind.NODE_NEVER_SEEN, e.kind());
        assertEquals("node-never-seen/mgr-1", e.key());
        assertEquals(StreamState.NEVER_SEEN, h.tracker.node("mgr-1").orElseThrow().state());
    }

    @Test
    void maintenanceSuppressesAlertsUntilItEnds() {
        Harness h = new Harness(inventory(node("w-1", "worker")));
        h.send("w-1", Stream.AUDITD);
        h.tracker.setMaintenance("w-1", h.now().plus(Duration.ofHours(1)), "kernel upgrade");
        h.tick(Duration.ofMinutes(59));
        assertTrue(h.alerts.isEmpty(), h.alerts.toString());
        assertEquals(StreamState.MAINTENANCE, h.tracker.node("w-1").orElseThrow().state());
        h.tick(Duration.ofMinutes(1));
        assertEquals(1, h.withKey("node-silent/w-1").size(), h.alerts.toString());
    }

    @Test
    void enteringMaintenanceClosesOpenAlertsWithTheReason() {
        Harness h = new Harness(inventory(node("w-1", "worker")));
        h.send("w-1", Stream.AUDITD);
        h.tick(Duration.ofMinutes(16));
        h.tracker.setMaintenance("w-1", h.now().plus(Duration.ofHours(1)), "rebuild");
        List<AlertEvent> events = h.withKey("node-silent/w-1");
        assertEquals(List.of(Status.FIRING, Status.RESOLVED), events.stream().map(AlertEvent::status).toList());
        assertTrue(events.get(1).details().get("reason").contains("rebuild"));
    }

    @Test
    void endMaintenanceJudgesAtOnce() {
        Harness h = new Harness(inventory(node("w-1", "worker")));
        h.send("w-1", Stream.AUDITD);
        h.tracker.setMaintenance("w-1", h.now().plus(Duration.ofHours(2)), "rebuild");
        h.tick(Duration.ofMinutes(20));
        assertTrue(h.tracker.endMaintenance("w-1"));
        assertEquals(1, h.withKey("node-silent/w-1").size());
    }

    @Test
    void nodeWhoseEveryStreamStopsIsReportedOnceAsANode() {
        Harness h = new Harness(inventory(node("h-1", "host")));
        h.send("h-1", Stream.AUDITD);
        h.send("h-1", Stream.DOCKERD);
        h.tick(Duration.ofMinutes(16));
        assertEquals(1, h.alerts.size(), h.alerts.toString());
        assertEquals(AlertKind.NODE_SILENT, h.alerts.get(0).kind());
        assertEquals("node-silent/h-1", h.alerts.get(0).key());

        h.send("h-1", Stream.AUDITD);
        h.send("h-1", Stream.DOCKERD);
        h.tick(Harness.SECOND);
        assertEquals(2, h.alerts.size(), h.alerts.toString());
        assertEquals(Status.RESOLVED, h.alerts.get(1).status());
        assertEquals("node-silent/h-1", h.alerts.get(1).key());
    }

    @Test
    void pulsesKeepAnOtherwiseIdleAuditdStreamHealthy() {
        Harness h = new Harness(inventory(node("w-1", "worker")));
        for (int m = 0; m < 60; m++) {
            // auditctl -m "auditwatch-pulse" every minute; ingest flags it aw.pulse=1.
            h.sendHeaders("w-1", "auditd", h.now(), null, true);
            h.tick(Duration.ofMinutes(1));
        }
        assertTrue(h.alerts.isEmpty(), h.alerts.toString());
        assertEquals(StreamState.HEALTHY, streamState(h, "w-1", Stream.AUDITD));
        assertEquals(60.0, h.counter(HeartbeatMetrics.PULSES.name()));
    }

    @Test
    void auditLinesStoppingWhileUcpControllerLogsIsAuditDisabled() {
        Harness h = new Harness(inventory(node("mgr-1", "manager")));
        h.sendHeaders("mgr-1", "ucp-audit", h.now(), "ucp-controller", false);
        for (int m = 0; m < 7; m++) {
            h.sendHeaders("mgr-1", "auditd", h.now(), null, true);
            h.sendHeaders("mgr-1", "container", h.now(), "ucp-controller", false);
            h.tick(Duration.ofMinutes(1));
        }
        assertEquals(1, h.alerts.size(), h.alerts.toString());
        AlertEvent e = h.alerts.get(0);
        assertEquals(AlertKind.AUDIT_DISABLED, e.kind());
        assertEquals("audit-disabled/mgr-1", e.key());
        assertTrue(h.withKey("stream-silent/mgr-1/ucp-audit").isEmpty());
    }

    @Test
    void silentUcpAuditWithoutControllerOutputIsAStreamSilence() {
        Harness h = new Harness(inventory(node("mgr-1", "manager")));
        h.send("mgr-1", Stream.UCP_AUDIT);
        h.keepSending("mgr-1", Duration.ofMinutes(7), Stream.AUDITD);
        assertEquals(1, h.withKey("stream-silent/mgr-1/ucp-audit").size());
        assertTrue(h.withKey("audit-disabled/mgr-1").isEmpty());
    }

    @Test
    void lateBacklogDoesNotEraseASilenceThatAlreadyFired() {
        Harness h = new Harness(inventory(node("w-1", "worker")));
        h.send("w-1", Stream.AUDITD);
        Instant last = h.now();
        h.tick(Duration.ofMinutes(30));
        // The sender's queue flushes 30 minutes of records at once: sent long ago, received now.
        for (int i = 30; i > 0; i--) {
            h.tracker.onEvent("w-1", Stream.AUDITD, h.now(), h.now().minus(Duration.ofMinutes(i)));
        }
        h.tick(Harness.SECOND);
        List<AlertEvent> silence = h.withKey("node-silent/w-1");
        assertEquals(List.of(Status.FIRING, Status.RESOLVED), silence.stream().map(AlertEvent::status).toList());
        AlertEvent resolved = silence.get(1);
        assertEquals(Duration.ofMinutes(30), Duration.between(resolved.lastSeen(), resolved.at()), "the whole outage is reported");
        assertEquals(last, resolved.lastSeen());
        assertEquals(1, h.withKey("event-lag/w-1/auditd").size(), "and the backlog's lag is reported");
    }

    @Test
    void gapFoundOnlyAfterItEndedIsStillReported() {
        Harness h = new Harness(inventory(node("mgr-1", "manager")));
        h.send("mgr-1", Stream.AUDITD);
        h.send("mgr-1", Stream.UCP_AUDIT);
        Instant last = h.now();
        h.tracker.evaluate();
        // No evaluation ran during the gap (instance catching up); the records show 20 minutes of nothing.
        h.clock.advance(Duration.ofMinutes(20));
        h.send("mgr-1", Stream.AUDITD);
        h.send("mgr-1", Stream.UCP_AUDIT);
        h.tracker.evaluate();
        List<AlertEvent> ucp = h.withKey("stream-silent/mgr-1/ucp-audit");
        assertEquals(List.of(Status.FIRING, Status.RESOLVED), ucp.stream().map(AlertEvent::status).toList());
        assertEquals(last.plus(Duration.ofMinutes(5)), ucp.get(0).at());
        assertEquals(Duration.ofMinutes(20), Duration.between(ucp.get(1).lastSeen(), ucp.get(1).at()));
        assertEquals(2, h.withKey("stream-silent/mgr-1/auditd").size());
    }

    @Test
    void degradedPipelineHoldsNodeAlertsUntilHealthy() {
        Harness h = new Harness(inventory(node("w-1", "worker")));
        h.send("w-1", Stream.AUDITD);
        h.tracker.pipelineDegraded("kafka unreachable");
        h.tick(Duration.ofMinutes(20));
        assertTrue(h.alerts.isEmpty(), h.alerts.toString());
        h.tracker.pipelineHealthy();
        h.tick(Harness.SECOND);
        assertEquals(1, h.withKey("node-silent/w-1").size());
    }

    @Test
    void nodeThatRecoversDuringAHoldRaisesNothing() {
        Harness h = new Harness(inventory(node("w-1", "worker")));
        h.send("w-1", Stream.AUDITD);
        h.tracker.pipelineDegraded("kafka unreachable");
        h.tick(Duration.ofMinutes(20));
        h.send("w-1", Stream.AUDITD);
        h.tick(Harness.SECOND);
        h.tracker.pipelineHealthy();
        h.tick(Duration.ofMinutes(1));
        assertTrue(h.alerts.isEmpty(), h.alerts.toString());
    }

    @Test
    void consumerLagRaisesOnePipelineAlertAndHoldsNodeAlerts() {
        Harness h = new Harness(TestHeartbeatSettings.standard().withConsumerLagBound(1000), inventory(node("w-1", "worker")));
        h.send("w-1", Stream.AUDITD);
        h.tracker.reportConsumerLag(5000);
        h.tracker.reportConsumerLag(6000);
        h.tick(Duration.ofMinutes(20));
        assertEquals(1, h.alerts.size(), h.alerts.toString());
        assertEquals(AlertKind.CONSUMER_LAG, h.alerts.get(0).kind());
        h.tracker.reportConsumerLag(10);
        h.tick(Harness.SECOND);
        assertEquals(Status.RESOLVED, h.alerts.get(1).status());
        assertEquals(1, h.withKey("node-silent/w-1").size());
    }

    @Test
    void unknownNodeIsEnrolledWithTheDefaultThreshold() {
        Harness h = new Harness(TestHeartbeatSettings.standard().withDefaultThreshold(Duration.ofMinutes(2)), Inventory.empty());
        h.send("stray", Stream.OTHER);
        NodeStatus st = h.tracker.node("stray").orElseThrow();
        assertEquals(Duration.ofMinutes(2), st.streams().get(0).threshold());
        h.tick(Duration.ofMinutes(2).plusSeconds(1));
        assertEquals(1, h.withKey("node-silent/stray").size());
    }

    @Test
    void unknownNodeIsIgnoredAndCountedByPolicy() {
        Harness h = new Harness(TestHeartbeatSettings.standard().withUnknownNodes(UnknownNodePolicy.IGNORE), Inventory.empty());
        h.send("stray", Stream.OTHER);
        h.send("stray", Stream.OTHER);
        assertTrue(h.tracker.nodes().isEmpty());
        assertEquals(2.0, h.counter(HeartbeatMetrics.IGNORED.name()));
    }

    @Test
    void enrolmentBeyondTheCapIsRefusedAndCounted() {
        Harness h = new Harness(TestHeartbeatSettings.standard().withMaxTrackedStreams(2), Inventory.empty());
        h.send("a", Stream.AUDITD);
        h.send("b", Stream.AUDITD);
        h.send("c", Stream.AUDITD);
        h.send("a", Stream.DOCKERD);
        assertEquals(2, h.tracker.trackedStreams());
        assertEquals(2.0, h.counter(HeartbeatMetrics.REFUSED.name()));
        assertEquals(2, h.registry.find(HeartbeatMetrics.AGE.name()).gauges().size());
    }

    @Test
    void eventLagAboveTheThresholdFiresAndResolves() {
        Harness h = new Harness(inventory(node("w-1", "worker")));
        h.tracker.onEvent("w-1", Stream.AUDITD, h.now(), h.now().minus(Duration.ofMinutes(9)));
        h.tick(Harness.SECOND);
        assertEquals(1, h.withKey("event-lag/w-1/auditd").size());
        assertEquals(Duration.ofMinutes(9).plusSeconds(1).toSeconds(),
                h.registry.find(HeartbeatMetrics.LAG.name()).gauge().value(), 1.5);
        h.tracker.onEvent("w-1", Stream.AUDITD, h.now(), h.now().minusSeconds(2));
        h.tick(Harness.SECOND);
        assertEquals(List.of(Status.FIRING, Status.RESOLVED),
                h.withKey("event-lag/w-1/auditd").stream().map(AlertEvent::status).toList());
    }

    @Test
    void decommissionResolvesOpenAlertsAndForgetsTheNode() {
        Harness h = new Harness(Inventory.empty());
        h.send("old", Stream.AUDITD);
        h.tick(Duration.ofMinutes(16));
        assertTrue(h.tracker.decommission("old"));
        assertEquals(List.of(Status.FIRING, Status.RESOLVED), h.withKey("node-silent/old").stream().map(AlertEvent::status).toList());
        assertTrue(h.tracker.nodes().isEmpty());
        assertEquals(0, h.tracker.trackedStreams());
        assertTrue(h.registry.find(HeartbeatMetrics.AGE.name()).gauges().isEmpty());
    }

    @Test
    void lastSeenAgeGaugeFollowsTheClock() {
        Harness h = new Harness(inventory(node("w-1", "worker")));
        h.send("w-1", Stream.AUDITD);
        h.tick(Duration.ofSeconds(42));
        assertEquals(42.0, h.registry.find(HeartbeatMetrics.AGE.name()).tag("node", "w-1").gauge().value());
        assertEquals(1.0, h.registry.find(HeartbeatMetrics.NODES.name()).tag("state", "healthy").gauge().value());
    }

    @Test
    void invalidHeadersAreCountedNotThrown() {
        Harness h = new Harness(Inventory.empty());
        h.tracker.onHeaders(null, "auditd".getBytes(), EventHeaders.encodeMillis(1), null, null, null, 0);
        h.tracker.onHeaders("n".getBytes(), "auditd".getBytes(), "x".getBytes(), null, null, null, 0);
        assertEquals(2.0, h.counter(HeartbeatMetrics.INVALID.name()));
        assertTrue(h.tracker.nodes().isEmpty());
    }

    @Test
    void aLivenessSummaryCountsTheEventsItStandsForAndSetsLastSeenToItsReceiveTime() {
        Harness h = new Harness(Inventory.empty());
        long now = h.clock.millis();
        h.tracker.onHeaders("n".getBytes(), "auditd".getBytes(), EventHeaders.encodeMillis(now), null, null, null,
                EventHeaders.encodeMillis(250), 0);
        h.tracker.onHeaders("n".getBytes(), "auditd".getBytes(), EventHeaders.encodeMillis(now - 5), null, null, null,
                null, 0);
        assertEquals(251.0, h.counter(HeartbeatMetrics.EVENTS.name()), "a summary of 250 events, then one event");
        assertEquals(java.time.Instant.ofEpochMilli(now), h.tracker.node("n").orElseThrow().streams().get(0).lastSeen());
    }

    private static StreamState streamState(Harness h, String node, Stream stream) {
        return h.tracker.node(node).orElseThrow().streams().stream().filter(s -> s.stream() == stream).findFirst()
                .orElseThrow().state();
    }
}
