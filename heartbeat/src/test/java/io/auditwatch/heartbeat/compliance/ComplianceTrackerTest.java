package io.auditwatch.heartbeat.compliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertKind;
import io.auditwatch.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ComplianceTrackerTest {
    static final String ALL_OK = "enabled=1 cis=1.2.3:ok,1.2.4:ok,1.2.5:ok,1.2.6:ok,1.2.7:ok,1.2.8:ok,1.2.9:na,"
            + "1.2.10:ok,1.2.11:ok,1.2.12:ok";
    static final String DOCKERD_GONE = ALL_OK.replace("1.2.3:ok", "1.2.3:missing");

    final ManualClock clock = ManualClock.at("2026-12-03T20:00:00Z");
    final List<AlertEvent> alerts = new ArrayList<>();
    /** mgr-1 has addresses in the inventory, node-3 has none. */
    final Set<String> inventory = Set.of("mgr-1");
    final ComplianceTracker tracker = new ComplianceTracker(inventory, clock, alerts::add, node -> false);

    private static byte[] b(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.US_ASCII);
    }

    private boolean pulse(String node, String cis, String source) {
        return tracker.onHeaders(b(node), b(cis), null, b(source), clock.millis());
    }

    private boolean change(String node, String change, String source) {
        return tracker.onHeaders(b(node), null, b(change), b(source), clock.millis());
    }

    @Test
    void okToMissingFiresNamingTheControlAndTheRuleAndOkAgainResolves() {
        pulse("node-3", ALL_OK, "hostname");
        assertTrue(alerts.isEmpty());
        clock.advance(Duration.ofMinutes(1));
        pulse("node-3", DOCKERD_GONE, "hostname");
        assertEquals(1, alerts.size());
        AlertEvent a = alerts.get(0);
        assertEquals(AlertKind.AUDIT_RULE_MISSING, a.kind());
        assertEquals("audit-rule-missing/node-3/1.2.3", a.key());
        assertEquals(AlertEvent.Status.FIRING, a.status());
        assertEquals("CIS Docker Benchmark v1.2.0 1.2.3 audit rule missing on node-3: -w /usr/bin/dockerd -k docker",
                a.summary());
        assertTrue(a.details().get("control").contains("Ensure auditing is configured for the Docker daemon"));
        assertTrue(a.details().get("rule").contains("/usr/sbin/dockerd"));

        clock.advance(Duration.ofMinutes(1));
        pulse("node-3", DOCKERD_GONE, "hostname");
        assertEquals(1, alerts.size(), "still missing: no second alert");
        pulse("node-3", ALL_OK, "hostname");
        assertEquals(AlertEvent.Status.RESOLVED, alerts.get(1).status());
        assertEquals("audit-rule-missing/node-3/1.2.3", alerts.get(1).key());
    }

    @Test
    void aFirstReportOfMissingOrANotApplicableControlRaisesNothing() {
        pulse("node-3", DOCKERD_GONE, "hostname");
        pulse("node-3", DOCKERD_GONE.replace("1.2.3:missing", "1.2.3:na"), "hostname");
        assertTrue(alerts.isEmpty());
    }

    @Test
    void aNodeThatNeverReportedIsUnknown() {
        NodeRules r = tracker.rules("node-3");
        assertNull(r.reported());
        assertEquals(CisControl.values().length, r.controls().size());
        r.controls().values().forEach(s -> assertEquals("unknown", s));
        assertEquals(-1, r.enabled());
    }

    @Test
    void auditingDisabledFiresAtOnceNamingNodeAndAuidAndAPulseWithAuditingOnResolves() {
        change("node-3", "what=auditing-disabled auid=1000 detail=audit_enabled=0,old=1", "hostname");
        assertEquals(1, alerts.size());
        assertEquals("auditing disabled on node-3 by auid 1000", alerts.get(0).summary());
        assertEquals(AlertKind.AUDIT_CONFIG_CHANGED, alerts.get(0).kind());
        pulse("node-3", ALL_OK, "hostname");
        assertEquals(AlertEvent.Status.RESOLVED, alerts.get(1).status());
        assertEquals("audit-config-changed/node-3/auditing-disabled", alerts.get(1).key());
    }

    @Test
    void twentyFiveRemovedRulesAreOneAlert() {
        for (int i = 0; i < 25; i++) {
            change("node-3", "what=rule-removed auid=1000 detail=key=docker", "certificate");
        }
        assertEquals(1, alerts.size());
        assertEquals("audit rule removed on node-3 by auid 1000", alerts.get(0).summary());
    }

    @Test
    void aHostnameClaimForANodeWithKnownAddressesDoesNotCount() {
        assertFalse(change("mgr-1", "what=auditing-disabled auid=0 detail=", "hostname"));
        assertFalse(pulse("mgr-1", ALL_OK, null));
        assertTrue(alerts.isEmpty());
        assertEquals(2, tracker.untrusted());
        assertTrue(change("mgr-1", "what=daemon-end auid=4294967295 detail=op=terminate", "inventory"));
        assertEquals("auditd stopped on mgr-1 by no login uid (auid unset)", alerts.get(0).summary());
    }

    @Test
    void aNodeInMaintenanceIsRecordedButRaisesNothing() {
        ComplianceTracker quiet = new ComplianceTracker(inventory, clock, alerts::add, node -> true);
        quiet.onHeaders(b("node-3"), b(ALL_OK), null, b("hostname"), clock.millis());
        quiet.onHeaders(b("node-3"), b(DOCKERD_GONE), b("what=daemon-end auid=0 detail="), b("hostname"), clock.millis());
        assertTrue(alerts.isEmpty());
        assertEquals(RuleStatus.MISSING, quiet.rules("node-3").status(CisControl.C1_2_3));
    }

    @Test
    void stateAndOpenAlertsSurviveASnapshotAndRestore() {
        pulse("node-3", ALL_OK, "hostname");
        pulse("node-3", DOCKERD_GONE, "hostname");
        RuleSnapshot s = tracker.snapshot("node-3");
        assertEquals(List.of("audit-rule-missing/node-3/1.2.3"), s.openAlerts());

        ComplianceTracker restarted = new ComplianceTracker(inventory, clock, alerts::add, node -> false);
        restarted.restore("node-3", s);
        assertEquals(RuleStatus.MISSING, restarted.rules("node-3").status(CisControl.C1_2_3));
        restarted.onHeaders(b("node-3"), b(DOCKERD_GONE), null, b("hostname"), clock.millis());
        assertEquals(1, alerts.size(), "the restored open alert is not fired again");
        restarted.onHeaders(b("node-3"), b(ALL_OK), null, b("hostname"), clock.millis());
        assertEquals(AlertEvent.Status.RESOLVED, alerts.get(1).status());
    }
}
