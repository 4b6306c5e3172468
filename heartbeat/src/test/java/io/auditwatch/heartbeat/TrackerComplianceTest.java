package io.auditwatch.heartbeat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alerting.AlertKind;
import io.auditwatch.heartbeat.compliance.CisControl;
import io.auditwatch.heartbeat.compliance.RuleStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tracker's compliance path: headers in, alerts out, rule state in the node's status and snapshot. */
class TrackerComplianceTest {
    static final String ALL_OK = "enabled=1 cis=1.2.3:ok,1.2.4:ok,1.2.5:ok,1.2.6:ok,1.2.7:ok,1.2.8:ok,1.2.9:na,"
            + "1.2.10:ok,1.2.11:ok,1.2.12:ok";

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static void pulse(Harness h, String node, String cis) {
        h.sendHeaders(node, "auditd", h.now(), null, true);
        h.tracker.onCompliance(b(node), b(cis), null, b("hostname"), h.now().toEpochMilli());
    }

    @Test
    void aPulsesRuleStateIsInTheNodesStatusAndSnapshotAndARemovalAlerts() {
        Harness h = new Harness(Inventory.empty());
        assertTrue(h.tracker.node("node-3").isEmpty());
        pulse(h, "node-3", ALL_OK);
        assertEquals(RuleStatus.OK, h.tracker.node("node-3").orElseThrow().rules().status(CisControl.C1_2_3));
        assertEquals(ALL_OK.substring(ALL_OK.indexOf("cis=") + 4),
                h.tracker.drainChanges(false).stream().filter(s -> s.node().equals("node-3")).findFirst()
                        .orElseThrow().rules().cis());

        h.tick(Duration.ofMinutes(1));
        pulse(h, "node-3", ALL_OK.replace("1.2.11:ok", "1.2.11:missing"));
        assertEquals(List.of("audit-rule-missing/node-3/1.2.11"),
                h.alerts.stream().filter(a -> a.kind() == AlertKind.AUDIT_RULE_MISSING).map(a -> a.key()).toList());
    }

    @Test
    void aNodeTheTrackerDoesNotTrackKeepsNoComplianceState() {
        Harness h = new Harness(TestHeartbeatSettings.standard().withUnknownNodes(UnknownNodePolicy.IGNORE), Inventory.empty());
        pulse(h, "stranger", ALL_OK);
        h.tracker.onCompliance(b("stranger"), null, b("what=auditing-disabled auid=0 detail="), b("hostname"),
                h.now().toEpochMilli());
        assertTrue(h.alerts.isEmpty());
        assertNull(h.tracker.rules("stranger").reported());
    }
}
