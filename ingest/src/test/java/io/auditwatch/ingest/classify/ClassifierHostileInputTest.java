package io.auditwatch.ingest.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.heartbeat.Stream;
import org.junit.jupiter.api.Test;

/**
 * Hostile MSG text (ingest/README.md, "Hostile input"): classify never throws, returns promptly, keeps the stream the
 * cheap checks chose and says why parsing stopped. Durations are printed, not asserted (2 shared
 * cores make wall-clock assertions flaky); the figures go into ingest/README.md.
 */
class ClassifierHostileInputTest {
    private static final int TEN_MB = 10 * 1024 * 1024;
    private final Classifier classifier = new Classifier();

    private Classification timed(String label, String tag, String msg) {
        long t0 = System.nanoTime();
        Classification c = classifier.classify(tag, null, msg);
        long micros = (System.nanoTime() - t0) / 1000;
        System.out.printf("hostile %-34s %,10d chars  %,8d us  -> %s %s%n", label, msg.length(), micros,
                c.stream(), c.shortfall());
        return c;
    }

    @Test
    void tenMegabyteStringInsideAUcpEntryIsNotParsed() {
        String msg = "{\"audit\":{\"auditID\":\"a\",\"requestURI\":\"" + "A".repeat(TEN_MB) + "\"},\"msg\":\"audit\"}";
        Classification c = timed("10 MB string in UCP entry", "ucp-controller", msg);
        assertEquals(Stream.UCP_AUDIT, c.stream());
        assertEquals(ParseShortfall.JSON_TOO_LARGE, c.shortfall());
    }

    @Test
    void stringOverTheStringLimitInsideTheDocumentLimitIsRejected() {
        String msg = "{\"auditID\":\"a\",\"requestURI\":\"" + "A".repeat(JsonLimits.MAX_STRING_CHARS + 1) + "\"}";
        Classification c = timed("512 KiB + 1 string", null, msg);
        assertEquals(Stream.UCP_AUDIT, c.stream());
        assertEquals(ParseShortfall.JSON_STRING_TOO_LONG, c.shortfall());
    }

    @Test
    void tenThousandDeepNestingStopsAtTheDepthLimit() {
        String msg = "{\"auditID\":\"a\",\"x\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";
        Classification c = timed("10,000-deep [[[[", null, msg);
        assertEquals(Stream.UCP_AUDIT, c.stream());
        assertEquals(ParseShortfall.JSON_TOO_DEEP, c.shortfall());
    }

    @Test
    void deepNestingInADtrWebhookStopsAtTheDepthLimit() {
        String msg = "{\"type\":\"TAG_PUSH\",\"contents\":" + "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_001);
        Classification c = timed("10,000-deep {{{{ in webhook", null, msg);
        assertEquals(Stream.DTR_AUDIT, c.stream());
        assertEquals(ParseShortfall.JSON_TOO_DEEP, c.shortfall());
    }

    @Test
    void hundredThousandDigitNumberIsRejected() {
        String msg = "{\"auditID\":\"a\",\"n\":" + "9".repeat(100_000) + "}";
        Classification c = timed("100k-digit number", null, msg);
        assertEquals(ParseShortfall.JSON_NUMBER_TOO_LONG, c.shortfall());
    }

    @Test
    void hugeArrayOfTinyValuesHitsTheTokenLimit() {
        StringBuilder b = new StringBuilder("{\"auditID\":\"a\",\"x\":[");
        for (int i = 0; i < 400_000; i++) {
            b.append("1,");
        }
        b.append("1]}");
        Classification c = timed("400k-element array", null, b.toString());
        assertEquals(ParseShortfall.JSON_TOO_LARGE, c.shortfall());
    }

    @Test
    void truncatedJsonIsReportedAsTruncated() {
        Classification c = timed("truncated k8s event", null, Fixtures.line("k8s-event-real.json").substring(0, 200));
        assertEquals(Stream.UCP_AUDIT, c.stream());
        assertEquals(ParseShortfall.JSON_TRUNCATED, c.shortfall());
    }

    @Test
    void garbageAfterTheOpeningBraceIsMalformed() {
        Classification c = timed("malformed JSON", null, "{\"auditID\" \"a\" ]]]");
        assertEquals(Stream.UCP_AUDIT, c.stream());
        assertEquals(ParseShortfall.JSON_MALFORMED, c.shortfall());
    }

    @Test
    void replacementCharactersFromInvalidUtf8ParseAsText() {
        String msg = Fixtures.line("k8s-event-real.json").replace("kube-probe/1.25", "kube-probe/\uFFFD\uFFFD");
        Classification c = timed("U+FFFD inside JSON", null, msg);
        assertNull(c.shortfall());
        assertEquals("kube-probe/\uFFFD\uFFFD", c.fields().get("userAgent"));
    }

    @Test
    void nulCharactersDoNotStopTheAuditTokenizer() {
        Classification c = timed("NUL inside audit record", "audisp-syslog",
                "type=CWD msg=audit(1700758801.123:4567): cwd=\"/ro\0ot\" x=\0");
        assertEquals(Stream.AUDITD, c.stream());
        assertEquals("1700758801.123:4567", c.fields().get("auditEventId"));
    }

    @Test
    void tenMegabytesWithoutAnyMarkerIsOtherAndCheap() {
        Classification c = timed("10 MB of 'x'", null, "x".repeat(TEN_MB));
        assertEquals(Stream.OTHER, c.stream());
        assertNull(c.shortfall());
    }

    @Test
    void tenMegabyteAuditLookalikeStaysBoundedByTheFieldCap() {
        String msg = "type=SYSCALL msg=audit(1700758801.123:4567): " + "a=1 ".repeat(TEN_MB / 4);
        Classification c = timed("10 MB audit lookalike", "audisp-syslog", msg);
        assertEquals(Stream.AUDITD, c.stream());
        assertEquals(ParseShortfall.FIELDS_INCOMPLETE, c.shortfall());
    }

    @Test
    void unclosedQuoteInAnAuditRecordEndsAtTheLineEnd() {
        Classification c = timed("unclosed quote", "audisp-syslog",
                "type=PATH msg=audit(1700758801.123:4567): name=\"/etc/sha");
        assertEquals(ParseShortfall.FIELDS_INCOMPLETE, c.shortfall());
    }

    @Test
    void brokenAuditHeaderIsMalformed() {
        Classification c = timed("broken audit header", "audisp-syslog", "type=SYSCALL msg=audit(17007588");
        assertEquals(Stream.AUDITD, c.stream());
        assertEquals(ParseShortfall.AUDIT_MALFORMED, c.shortfall());
    }

    @Test
    void nullAndEmptyInputsAreOther() {
        assertEquals(Stream.OTHER, classifier.classify(null, null, null).stream());
        assertEquals(Stream.OTHER, classifier.classify("", "", "").stream());
        assertTrue(classifier.classify(null, null, null).fields().isEmpty());
    }
}
