package io.auditwatch.ingest.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.heartbeat.compliance.AuditChange;
import io.auditwatch.heartbeat.compliance.CisControl;
import io.auditwatch.heartbeat.compliance.RuleState;
import io.auditwatch.heartbeat.compliance.RuleStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Compliance signals from the real auditd records of src/test/resources/auditctl/auditd-config-change.log
 * (provenance in the README.md beside it), classified as audisp-syslog delivers them.
 */
class AuditSignalsTest {
    private static final Path LOG = Path.of("src", "test", "resources", "auditctl", "auditd-config-change.log");
    private final Classifier classifier = new Classifier();

    private static String line(String needle) throws IOException {
        List<String> lines = Files.readAllLines(LOG, StandardCharsets.UTF_8);
        return lines.stream().filter(l -> l.contains(needle)).findFirst()
                .orElseThrow(() -> new AssertionError("no line with " + needle));
    }

    private Classification classify(String line) {
        return classifier.classify("audisp-syslog", "node-3", line);
    }

    private AuditChange change(String needle) throws IOException {
        return assertInstanceOf(AuditChange.class, classify(line(needle)).compliance(), needle);
    }

    @Test
    void theRealV2PulseCarriesTheRuleStateAndStillCountsAsAPulse() throws IOException {
        Classification c = classify(line("auditwatch-pulse v=2"));
        assertTrue(c.pulse());
        RuleState s = assertInstanceOf(RuleState.class, c.compliance());
        assertEquals(1, s.enabled());
        assertEquals(RuleStatus.OK, s.status(CisControl.C1_2_3));
        assertEquals(RuleStatus.NA, s.status(CisControl.C1_2_4));
        assertEquals(RuleStatus.NA, s.status(CisControl.C1_2_9));
        assertEquals(RuleStatus.OK, s.status(CisControl.C1_2_12));
        assertEquals("enabled=1 cis=1.2.3:ok,1.2.4:na,1.2.5:ok,1.2.6:ok,1.2.7:ok,1.2.8:ok,1.2.9:na,1.2.10:na,"
                + "1.2.11:ok,1.2.12:ok", new String(s.encode(), StandardCharsets.US_ASCII));
        assertEquals(s, RuleState.decode(s.encode()));
    }

    @Test
    void aV1PulseCarriesNoRuleState() {
        Classification c = classify("node=node-3 type=USER msg=audit(1796327355.773:400): pid=26024 uid=0 "
                + "auid=4294967295 ses=4294967295 msg='text=auditwatch-pulse exe=\"/usr/sbin/auditctl\" hostname=? "
                + "addr=? terminal=? res=success'");
        assertTrue(c.pulse());
        assertNull(c.compliance());
    }

    @Test
    void aRemovedRuleNamesItsKeyAndWhoRemovedIt() throws IOException {
        AuditChange a = change("op=remove_rule");
        assertEquals(AuditChange.What.RULE_REMOVED, a.what());
        assertEquals("1000", a.auid());
        assertEquals("key=docker", a.detail());
    }

    @Test
    void disablingAuditingIsAChangeByItsAuid() throws IOException {
        AuditChange a = change("audit_enabled=0 old=1");
        assertEquals(AuditChange.What.AUDITING_DISABLED, a.what());
        assertEquals("auid 1000", a.who());
        assertEquals(a, AuditChange.decode(a.encode()));
    }

    @Test
    void failureModeChangesBothWaysAreReported() throws IOException {
        assertEquals("audit_failure=0,old=1", change("audit_failure=0 old=1").detail());
        assertEquals(AuditChange.What.FAILURE_MODE_CHANGED, change("audit_failure=1 old=0").what());
    }

    @Test
    void anUnchangedBacklogLimitIsNoChangeAndALoweredOneIs() throws IOException {
        String real = line("audit_backlog_limit=64 old=64");
        assertNull(classify(real).compliance());
        // Built from the real record: only the old value differs.
        AuditChange lowered = assertInstanceOf(AuditChange.class,
                classify(real.replace("old=64", "old=8192")).compliance());
        assertEquals(AuditChange.What.BACKLOG_LIMIT_LOWERED, lowered.what());
    }

    @Test
    void theDaemonStoppingIsReportedWithTheSendersAuid() throws IOException {
        AuditChange a = change("type=DAEMON_END");
        assertEquals(AuditChange.What.DAEMON_END, a.what());
        assertEquals("1000", a.auid());
        assertEquals("op=terminate", a.detail());
    }

    @Test
    void anAbortIsReported() throws IOException {
        // No DAEMON_ABORT could be produced on the capture VM: the real DAEMON_END with its type changed.
        String built = line("type=DAEMON_END").replace("type=DAEMON_END", "type=DAEMON_ABORT");
        assertEquals(AuditChange.What.DAEMON_ABORT,
                assertInstanceOf(AuditChange.class, classify(built).compliance()).what());
    }

    @Test
    void refusedChangesAddedRulesAndOrdinaryRecordsCarryNoSignal() throws IOException {
        assertNull(classify(line("op=set audit_pid=0 old=")).compliance(), "res=0: the kernel refused it");
        assertNull(classify(line("op=add_rule")).compliance());
        assertNull(classify(line("type=SYSCALL")).compliance());
        assertNull(classify(line("type=LOGIN")).compliance());
    }
}
