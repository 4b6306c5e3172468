package io.auditwatch.ingest.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Whole events from real multi-record auditd output: the captured dockerd watch hit of
 * classify/auditd-captured-enriched.log and the auditctl session of auditctl/auditd-config-change.log
 * (provenance in the README.md beside each).
 */
class AuditEventJoinerTest {
    private static final Path CAPTURED = Path.of("src", "test", "resources", "classify", "auditd-captured-enriched.log");
    private static final Path SESSION = Path.of("src", "test", "resources", "auditctl", "auditd-config-change.log");
    private static final long T0 = Instant.parse("2026-12-03T19:49:15Z").toEpochMilli();

    private final Classifier classifier = new Classifier();

    private static List<String> lines(Path file, String eventId) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains("msg=audit(" + eventId + ")")).toList();
    }

    private List<AuditEventJoiner.AuditEvent> offer(AuditEventJoiner j, String line, long at) {
        return j.offer("node-3", line.getBytes(StandardCharsets.UTF_8),
                classifier.classify("audisp-syslog", "node-3", line).fields(), at);
    }

    @Test
    void theDockerdExecveIsOneEventWithItsKeySyscallAndPathsAndTheRawRecordsUnchanged() throws IOException {
        AuditEventJoiner j = new AuditEventJoiner();
        List<String> records = lines(CAPTURED, "1795458557.164:4");
        assertEquals(7, records.size());
        List<AuditEventJoiner.AuditEvent> out = new ArrayList<>();
        for (String r : records) {
            out.addAll(offer(j, r, T0));
        }
        assertEquals(1, out.size(), "emitted at its PROCTITLE, no timeout needed");
        AuditEventJoiner.AuditEvent e = out.get(0);
        assertEquals("1795458557.164:4", e.eventId());
        assertEquals(List.of("SYSCALL", "BPRM_FCAPS", "EXECVE", "CWD", "PATH", "PATH", "PROCTITLE"), e.types());
        assertEquals("docker", e.key());
        assertEquals("execve", e.syscall());
        assertEquals(List.of("/tmp/aw-audit/bin/dockerd", "/lib64/ld-linux-x86-64.so.2"), e.paths());
        assertFalse(e.incomplete());
        assertEquals(AuditEventJoiner.Outcome.COMPLETE, e.outcome());
        for (int i = 0; i < records.size(); i++) {
            assertArrayEquals(records.get(i).getBytes(StandardCharsets.UTF_8), e.raw().get(i), "record " + i);
        }
        assertEquals(0, j.pending());
    }

    @Test
    void interleavedEventsAreJoinedEachToItsOwn() throws IOException {
        AuditEventJoiner j = new AuditEventJoiner();
        List<String> a = lines(SESSION, "1796327355.489:375");
        List<String> b = lines(SESSION, "1796327355.489:376");
        assertEquals(6, a.size()); // CONFIG_CHANGE add_rule, SYSCALL, SOCKADDR, CWD, PATH, PROCTITLE
        assertEquals(a.size(), b.size());
        List<AuditEventJoiner.AuditEvent> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            out.addAll(offer(j, a.get(i), T0));
            out.addAll(offer(j, b.get(i), T0));
        }
        assertEquals(List.of("1796327355.489:375", "1796327355.489:376"), out.stream().map(e -> e.eventId()).toList());
        assertEquals(List.of("/usr/sbin/"), out.get(0).paths());
        assertEquals(List.of("/var/lib/"), out.get(1).paths());
        out.forEach(e -> assertFalse(e.incomplete()));
    }

    @Test
    void anEventMissingItsPathIsEmittedAtTheTimeoutFlaggedIncomplete() throws IOException {
        AuditEventJoiner j = new AuditEventJoiner();
        for (String r : lines(SESSION, "1796327355.489:377")) {
            if (!r.contains("type=PATH")) {
                assertTrue(offer(j, r, T0).isEmpty());
            }
        }
        assertTrue(j.expire(Instant.ofEpochMilli(T0 + 1_999)).isEmpty(), "still within the 2 s timeout");
        List<AuditEventJoiner.AuditEvent> out = j.expire(Instant.ofEpochMilli(T0 + 2_000));
        assertEquals(1, out.size());
        assertTrue(out.get(0).incomplete());
        assertEquals(AuditEventJoiner.Outcome.TIMED_OUT, out.get(0).outcome());
        assertEquals(List.of("CONFIG_CHANGE", "SYSCALL", "SOCKADDR", "CWD", "PROCTITLE"), out.get(0).types());
    }

    @Test
    void aLoneConfigChangeIsCompleteAtTheTimeoutAndAUserRecordAtOnce() throws IOException {
        AuditEventJoiner j = new AuditEventJoiner();
        String change = lines(SESSION, "1796327355.865:429").get(0);
        assertTrue(offer(j, change, T0).isEmpty());
        assertFalse(j.expire(Instant.ofEpochMilli(T0 + 2_000)).get(0).incomplete());
        List<AuditEventJoiner.AuditEvent> pulse = offer(j, lines(SESSION, "1796327355.773:400").get(0), T0);
        assertEquals(List.of("USER"), pulse.get(0).types());
    }

    @Test
    void anOversizedEventIsCutAtTheBoundAndFlagged() throws IOException {
        AuditEventJoiner j = new AuditEventJoiner(Duration.ofSeconds(2), 3, 1 << 20, 16);
        List<AuditEventJoiner.AuditEvent> out = new ArrayList<>();
        for (String r : lines(CAPTURED, "1795458557.164:4")) {
            out.addAll(offer(j, r, T0));
        }
        assertEquals(AuditEventJoiner.Outcome.OVERSIZED, out.get(0).outcome());
        assertTrue(out.get(0).incomplete());
        assertEquals(3, out.get(0).raw().size());
        out.addAll(j.expire(Instant.ofEpochMilli(T0 + 2_000)));
        assertEquals(7, out.stream().mapToInt(e -> e.raw().size()).sum(), "no record lost");
        out.forEach(e -> assertTrue(e.incomplete()));
    }

    @Test
    void pastThePendingBoundTheOldestIsPushedOut() throws IOException {
        AuditEventJoiner j = new AuditEventJoiner(Duration.ofSeconds(2), 128, 1 << 20, 1);
        assertTrue(offer(j, lines(SESSION, "1796327355.489:375").get(0), T0).isEmpty());
        List<AuditEventJoiner.AuditEvent> out = offer(j, lines(SESSION, "1796327355.489:376").get(0), T0 + 1);
        assertEquals(AuditEventJoiner.Outcome.EVICTED, out.get(0).outcome());
        assertEquals("1796327355.489:375", out.get(0).eventId());
        assertEquals(1, j.pending());
    }
}
