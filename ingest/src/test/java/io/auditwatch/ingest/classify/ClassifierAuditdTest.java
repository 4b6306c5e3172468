package io.auditwatch.ingest.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.heartbeat.Stream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ClassifierAuditdTest {
    private static final String CAPTURED = "auditd-captured-enriched.log";
    private final Classifier classifier = new Classifier();

    private Classification audisp(String msg) {
        return classifier.classify("audisp-syslog", "node-7", msg);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> map(Classification c, String key) {
        return (Map<String, String>) c.fields().get(key);
    }

    @Test
    void capturedDockerdWatchHitSyscallCarriesKeyEventIdAndNode() {
        Classification c = audisp(Fixtures.lineWith(CAPTURED, "type=SYSCALL msg=audit(1795458557.164:4)"));
        assertEquals(Stream.AUDITD, c.stream());
        assertEquals("audisp-syslog", c.component());
        assertNull(c.shortfall());
        assertEquals("aw-sandbox", c.fields().get("node"));
        assertEquals("SYSCALL", c.fields().get("type"));
        assertEquals("1795458557.164:4", c.fields().get("auditEventId"));
        assertEquals(1795458557164L, c.fields().get("eventTimeMillis"));
        assertEquals("docker", c.fields().get("key"));
        assertEquals("/tmp/aw-audit/bin/dockerd", map(c, "record").get("exe"));
        assertEquals("59", map(c, "record").get("syscall"));
    }

    @Test
    void enrichedFieldsAfterTheGroupSeparatorAreKeptApart() {
        Classification c = audisp(Fixtures.lineWith(CAPTURED, "type=SYSCALL msg=audit(1795458557.164:4)"));
        assertEquals("execve", map(c, "interpreted").get("SYSCALL"));
        assertEquals("unset", map(c, "interpreted").get("AUID"));
        assertFalse(map(c, "record").containsKey("AUID"));
        assertEquals("docker", map(c, "record").get("key"));
    }

    @Test
    void recordsOfOneEventShareTheEventIdAndOnlySyscallHasTheKey() {
        List<Classification> event = Fixtures.lines(CAPTURED).stream()
                .filter(l -> l.contains("msg=audit(1795458557.164:4)"))
                .map(this::audisp).toList();
        assertEquals(Set.of("SYSCALL", "BPRM_FCAPS", "EXECVE", "CWD", "PATH", "PROCTITLE"),
                event.stream().map(c -> (String) c.fields().get("type")).collect(Collectors.toSet()));
        assertTrue(event.stream().allMatch(c -> "1795458557.164:4".equals(c.fields().get("auditEventId"))));
        assertEquals(1, event.stream().filter(c -> c.fields().containsKey("key")).count());
    }

    @Test
    void hexEncodedProctitleIsDecodedToACommandLineAndTheRawKept() {
        Classification c = audisp(Fixtures.lineWith(CAPTURED, "type=PROCTITLE msg=audit(1795458557.164:4)"));
        assertEquals("/tmp/aw-audit/bin/dockerd --iptables=false --data-root /tmp/a b",
                map(c, "decoded").get("proctitle"));
        assertTrue(map(c, "record").get("proctitle").startsWith("2F746D702F"));
    }

    @Test
    void hexEncodedExecveArgumentWithASpaceIsDecoded() {
        Classification c = audisp(Fixtures.lineWith(CAPTURED, "type=EXECVE"));
        assertEquals("/tmp/a b", map(c, "decoded").get("a3"));
        assertEquals("--data-root", map(c, "record").get("a2"));
        assertFalse(map(c, "decoded").containsKey("a2"));
    }

    @Test
    void syscallArgumentsAreNumbersNotHexStrings() {
        Classification c = audisp(Fixtures.lineWith(CAPTURED, "type=SYSCALL msg=audit(1795458557.164:4)"));
        assertNull(c.fields().get("decoded"));
    }

    @Test
    void nullKeyReadsAsNoKey() {
        Classification c = audisp(Fixtures.lineWith(CAPTURED, "type=SYSCALL msg=audit(1795458557.160:3)"));
        assertTrue(c.fields().containsKey("key"));
        assertNull(c.fields().get("key"));
        assertEquals("(null)", map(c, "record").get("key"));
    }

    @Test
    void interpretedBraceValueWithSpacesStaysOneField() {
        Classification c = audisp(Fixtures.lineWith(CAPTURED, "type=SOCKADDR"));
        assertEquals("{ saddr_fam=netlink nlnk-fam=16 nlnk-pid=0 }", map(c, "interpreted").get("SADDR"));
        assertNull(c.shortfall());
    }

    @Test
    void capturedAuditctlMessageIsAPulse() {
        Classification c = audisp(Fixtures.lineWith(CAPTURED, "type=USER"));
        assertTrue(c.pulse());
        assertEquals(Stream.AUDITD, c.stream());
        assertEquals("auditwatch-pulse", map(c, "msgFields").get("text"));
        assertEquals("/usr/sbin/auditctl", map(c, "msgFields").get("exe"));
    }

    @Test
    void olderAuditctlMessageWithoutTextPrefixIsAPulse() {
        // [built] from libaudit before "text=" (the shape quoted in public notes: msg='test exe=...').
        Classification c = audisp("type=USER msg=audit(1700758801.123:4567): pid=812 uid=0 auid=1000 ses=3 "
                + "msg='auditwatch-pulse exe=\"/usr/sbin/auditctl\" hostname=r7 addr=? terminal=pts/2 res=success'");
        assertTrue(c.pulse());
        assertEquals("auditwatch-pulse", map(c, "msgFields").get("text"));
    }

    @Test
    void pulseTextOutsideAUserRecordIsNoPulse() {
        Classification c = audisp("type=SYSCALL msg=audit(1700758801.123:4568): arch=c000003e syscall=59 "
                + "comm=\"auditwatch-pulse\" exe=\"/usr/local/bin/auditwatch-pulse\" key=\"docker\"");
        assertFalse(c.pulse());
    }

    @Test
    void numericUserTypeFromAnOldLibauditIsAPulse() {
        Classification c = audisp("type=UNKNOWN[1005] msg=audit(1700758801.123:4569): pid=1 uid=0 "
                + "msg='text=auditwatch-pulse exe=\"/usr/sbin/auditctl\" res=success'");
        assertTrue(c.pulse());
    }

    @Test
    void realWatchHitWithoutNodePrefixParses() {
        List<Classification> event = Fixtures.lines("auditd-grubb-watch-hit.log").stream()
                .map(l -> classifier.classify("audit", null, l)).toList();
        assertTrue(event.stream().allMatch(c -> c.stream() == Stream.AUDITD && c.shortfall() == null));
        assertEquals("shadow-file-changed", event.get(0).fields().get("key"));
        assertEquals("/etc/shadow", map(event.get(3), "record").get("name"));
        assertEquals("touch /etc/shadow", map(event.get(4), "decoded").get("proctitle"));
        assertNull(event.get(0).component());
        assertFalse(event.get(0).fields().containsKey("node"));
    }

    @Test
    void realAudispLineWhoseSeparatorBecameASpaceStillSeparatesInterpretedFields() {
        Classification c = audisp(Fixtures.lines("audisp-syslog-real.log").get(0));
        assertEquals(Stream.AUDITD, c.stream());
        assertEquals("passwd_changes", c.fields().get("key"));
        assertEquals("openat", map(c, "interpreted").get("SYSCALL"));
        assertEquals("anp_dcfx_rw1", map(c, "interpreted").get("AUID"));
        assertEquals("1715375918.777:364628", c.fields().get("auditEventId"));
    }

    @Test
    void elidedTextInARealLineIsReportedAsIncompleteFields() {
        Classification c = audisp(Fixtures.lines("audisp-syslog-real.log").get(1));
        assertEquals(ParseShortfall.FIELDS_INCOMPLETE, c.shortfall());
        assertEquals("nginx_conf_changes", c.fields().get("key"));
        assertEquals("sadmin", map(c, "interpreted").get("AUID"));
    }

    @Test
    void endOfEventRecordHasNoFields() {
        // [built] auditd's EOE shape (no fields after the header); not emitted in the capture here.
        Classification c = classifier.classify("audit", null, "type=EOE msg=audit(1608297571.005:160): ");
        assertEquals("EOE", c.fields().get("type"));
        assertEquals(Map.of(), c.fields().get("record"));
        assertNull(c.shortfall());
    }

    @Test
    void severalKeysOnOneRuleArriveHexEncodedAndAreSplit() {
        // [built] the kernel hex-encodes a key list joined by 0x01: "docker\u0001containerd".
        Classification c = audisp("type=SYSCALL msg=audit(1700758801.123:4570): syscall=59 "
                + "key=646F636B657201636F6E7461696E657264");
        assertEquals("docker", c.fields().get("key"));
        assertEquals(List.of("docker", "containerd"), c.fields().get("keys"));
    }

    @Test
    void audispIdentWithoutARecordIsAuditdButMalformed() {
        Classification c = classifier.classify("audispd", null, "plugin /sbin/audisp-remote terminated unexpectedly");
        assertEquals(Stream.AUDITD, c.stream());
        assertEquals("audispd", c.component());
        assertEquals(ParseShortfall.AUDIT_MALFORMED, c.shortfall());
    }

    @Test
    void recordFromAnyTagIsRecognisedByItsMarker() {
        Classification c = classifier.classify("myforwarder", null, Fixtures.lines("auditd-grubb-watch-hit.log").get(1));
        assertEquals(Stream.AUDITD, c.stream());
        assertEquals("/root", map(c, "record").get("cwd"));
    }

    @Test
    void millisecondsKeepTheirLeadingZeros() {
        assertEquals(1608297571005L, AuditRecordParser.eventMillis("1608297571.005:160"));
        assertEquals(Long.MIN_VALUE, AuditRecordParser.eventMillis("1608297571:160"));
        assertEquals(Long.MIN_VALUE, AuditRecordParser.eventMillis("x.005:160"));
    }

    @Test
    void replacementCharacterInAValueIsKept() {
        Classification c = audisp("type=PATH msg=audit(1700758801.123:4571): item=0 name=\"/tmp/\uFFFD\" nametype=CREATE");
        assertEquals("/tmp/\uFFFD", map(c, "record").get("name"));
        assertNull(c.shortfall());
    }

    @Test
    void containerPrintingAPulseRecordIsNeitherAuditdNorAPulse() {
        Classification c = classifier.classify("5790672ab6a0", null,
                Fixtures.lineWith(CAPTURED, "type=USER").substring("node=aw-sandbox ".length()));
        assertEquals(Stream.CONTAINER, c.stream());
        assertFalse(c.pulse());
    }

    @Test
    void markerInsideJsonDoesNotMakeAnAuditRecord() {
        Classification c = classifier.classify(null, null,
                "{\"auditID\":\"a\",\"requestURI\":\"/q?type=x msg=audit(1.000:1):\"}");
        assertEquals(Stream.UCP_AUDIT, c.stream());
    }

    @Test
    void parsedFieldsAreImmutableAllTheWayDown() {
        Classification c = audisp(Fixtures.lineWith(CAPTURED, "type=SYSCALL msg=audit(1795458557.164:4)"));
        org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
                () -> map(c, "record").put("key", "forged"));
    }
}
