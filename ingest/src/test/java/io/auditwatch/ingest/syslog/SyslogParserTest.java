package io.auditwatch.ingest.syslog;

import static io.auditwatch.ingest.syslog.Fixtures.ascii;
import static io.auditwatch.ingest.syslog.Fixtures.concat;
import static io.auditwatch.ingest.syslog.Fixtures.onlyFrame;
import static io.auditwatch.ingest.syslog.Fixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Header parsing. Provenance of each vector: [real] copied from a public source or captured from the
 * named sender; [built] assembled from the sender's own format string (ingest/README.md, "Wire formats").
 */
class SyslogParserTest {

    // ---- Docker's four syslog-format values (ingest/README.md, "Docker's syslog log driver") ----

    @Test
    void dockerDefaultFormatHasNoHostname() {
        // [built] srslog UnixFormatter "<%d>%s %s[%d]: %s", time.Stamp, tag {{.ID}}.
        SyslogMessage m = parse("<30>Apr  1 17:41:05 5790672ab6a0[1787791]: Hello from Docker.");
        assertEquals(SyslogFormat.DOCKER_DEFAULT, m.format());
        assertNull(m.hostname());
        assertEquals("5790672ab6a0", m.appName());
        assertEquals("1787791", m.procId());
        assertEquals("Apr  1 17:41:05", m.timestamp());
        assertEquals("Hello from Docker.", m.msg());
        assertEquals(3, m.facility());
        assertEquals(6, m.severity());
        assertEquals(0, m.version());
    }

    @Test
    void dockerDefaultFormatKeepsATagWithColonsAndSlashesWhole() {
        // [built] tag template {{.ImageName}}/{{.Name}}/{{.ID}} with image nginx:alpine, stderr (<27>).
        SyslogMessage m = parse("<27>Nov 23 17:00:01 nginx:alpine/web/3f2a9c1d0b7e[1234]: error: upstream timed out");
        assertEquals(SyslogFormat.DOCKER_DEFAULT, m.format());
        assertEquals("nginx:alpine/web/3f2a9c1d0b7e", m.appName());
        assertEquals("1234", m.procId());
        assertEquals("error: upstream timed out", m.msg());
        assertEquals(3, m.severity());
    }

    @Test
    void dockerDefaultFormatWithTheDocsBraceTag() {
        // [built] the tag {taskid:aa,version:} of the Docker syslog docs page, in the default format.
        SyslogMessage m = parse("<30>Apr  1 17:41:05 {taskid:aa,version:}[1787791]: hi");
        assertEquals(SyslogFormat.DOCKER_DEFAULT, m.format());
        assertEquals("{taskid:aa,version:}", m.appName());
        assertEquals("hi", m.msg());
    }

    @Test
    void dockerRfc3164FormatHasAHostname() {
        // [built] srslog RFC3164Formatter "<%d>%s %s %s[%d]: %s".
        SyslogMessage m = parse("<30>Apr  1 17:41:05 a.vm 5790672ab6a0[1787791]: Hello from Docker.");
        assertEquals(SyslogFormat.RFC3164, m.format());
        assertEquals("a.vm", m.hostname());
        assertEquals("5790672ab6a0", m.appName());
        assertEquals("1787791", m.procId());
        assertEquals("Hello from Docker.", m.msg());
    }

    @Test
    void dockerRfc5424FormatRepeatsTheTagAsMsgId() {
        // [built] rfc5424formatterWithAppNameAsTag "<%d>%d %s %s %s %d %s - %s".
        SyslogMessage m = parse("<30>1 2017-04-01T17:41:05+08:00 a.vm 5790672ab6a0 1787791 5790672ab6a0 - Hello from Docker.");
        assertEquals(SyslogFormat.RFC5424, m.format());
        assertEquals(1, m.version());
        assertEquals("2017-04-01T17:41:05+08:00", m.timestamp());
        assertEquals("a.vm", m.hostname());
        assertEquals("5790672ab6a0", m.appName());
        assertEquals("1787791", m.procId());
        assertEquals("5790672ab6a0", m.msgId());
        assertEquals(List.of(), m.structuredData());
        assertEquals("Hello from Docker.", m.msg());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".6", ".61", ".616", ".6166", ".61664", ".616647"})
    void dockerRfc5424MicroFormatHasZeroToSixFractionDigits(String fraction) {
        // [built] Go layout "2006-01-02T15:04:05.999999Z07:00" trims trailing zeros, dot included.
        String ts = "2017-04-01T17:41:05" + fraction + "+08:00";
        SyslogMessage m = parse("<30>1 " + ts + " a.vm 5790672ab6a0 1787791 5790672ab6a0 - x");
        assertEquals(SyslogFormat.RFC5424, m.format());
        assertEquals(ts, m.timestamp());
    }

    @Test
    void dockerDocsHeaderWithBraceTagInAppNameAndMsgId() {
        // [real] header fields from docs.docker.com/engine/logging/drivers/syslog/ (PRI, VERSION, SD and MSG [built]).
        SyslogMessage m = parse("<30>1 2017-04-01T17:41:05.616647+08:00 a.vm {taskid:aa,version:} 1787791 {taskid:aa,version:} - ok");
        assertEquals("{taskid:aa,version:}", m.appName());
        assertEquals("{taskid:aa,version:}", m.msgId());
        assertEquals("1787791", m.procId());
    }

    @Test
    void appNameAndMsgIdLongerThanTheRfcLimitsAreKept() {
        String tag = "registry.example.com/team/nginx:1.27-alpine/web-frontend-production/3f2a9c1d0b7e";
        SyslogMessage m = parse("<30>1 2026-11-23T17:00:01Z host " + tag + " 1 " + tag + " - x");
        assertEquals(tag, m.appName());
        assertEquals(tag, m.msgId());
    }

    // ---- real logger (util-linux 2.38.1) captures, see resources/syslog/logger/PROVENANCE.md ----

    @Test
    void loggerRfc5424OctetCounted() {
        SyslogMessage m = SyslogParser.parse(onlyFrame("logger/rfc5424-tcp-octet.bin"));
        assertEquals(SyslogFormat.RFC5424, m.format());
        assertEquals("2026-11-23T18:25:50.449039+00:00", m.timestamp());
        assertEquals("vm", m.hostname());
        assertEquals("auditwatch-test", m.appName());
        assertEquals("4350", m.procId());
        assertNull(m.msgId());
        assertEquals("hello from logger", m.msg());
    }

    @Test
    void loggerStructuredDataWithEscapes() {
        SyslogMessage m = SyslogParser.parse(onlyFrame("logger/rfc5424-sd-octet.bin"));
        assertEquals(List.of(
                new SdElement("timeQuality", List.of(new SdParam("tzKnown", "1"), new SdParam("isSynced", "0"))),
                new SdElement("zoo@123", List.of(new SdParam("tiger", "hungry"),
                        new SdParam("zebra", "stri]ped \"q\" back\\slash")))), m.structuredData());
        assertEquals("sd message", m.msg());
    }

    @Test
    void loggerRfc5424NotqLfFramed() {
        SyslogMessage m = SyslogParser.parse(onlyFrame("logger/rfc5424-notq-tcp.bin"));
        assertEquals(List.of(), m.structuredData());
        assertEquals("notq message", m.msg());
    }

    @Test
    void loggerNilTimestampNilHostAndLongMsgId() {
        SyslogMessage m = SyslogParser.parse(onlyFrame("logger/rfc5424-notime-msgid.bin"));
        assertEquals(SyslogFormat.RFC5424, m.format());
        assertNull(m.timestamp());
        assertNull(m.hostname());
        assertEquals("nginx:alpine/web/3f2a9c1d0b7e", m.appName());
        assertEquals("a-very-long-message-id-that-exceeds-the-rfc-32-limit", m.msgId());
        assertEquals("long fields", m.msg());
        assertNull(m.eventTime(java.time.Instant.EPOCH, null));
    }

    @Test
    void loggerRfc3164() {
        SyslogMessage m = SyslogParser.parse(onlyFrame("logger/rfc3164-tcp.bin"));
        assertEquals(SyslogFormat.RFC3164, m.format());
        assertEquals("Nov 23 18:25:52", m.timestamp());
        assertEquals("vm", m.hostname());
        assertEquals("myapp", m.appName());
        assertNull(m.procId());
        assertEquals("plain 3164 message", m.msg());
    }

    @Test
    void loggerRfc3164WithPid() {
        SyslogMessage m = SyslogParser.parse(onlyFrame("logger/rfc3164-tcp-octet.bin"));
        assertEquals("myapp", m.appName());
        assertEquals("4581", m.procId());
        assertEquals("octet 3164", m.msg());
    }

    @Test
    void loggerUdpDatagrams() {
        SyslogMessage a = SyslogParser.parse(SyslogFrame.datagram(Fixtures.resource("logger/rfc5424-udp.bin"), 65536).raw());
        SyslogMessage b = SyslogParser.parse(SyslogFrame.datagram(Fixtures.resource("logger/rfc3164-udp.bin"), 65536).raw());
        assertEquals("udp message", a.msg());
        assertEquals("udp 3164", b.msg());
    }

    // ---- RFC examples and other real senders ----

    @Test
    void rfc5424ExampleWithBom() {
        // [real] RFC 5424 section 6.5 example 1; "BOM" stands for EF BB BF.
        byte[] raw = concat(ascii("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - "),
                new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, ascii("'su root' failed for lonvick on /dev/pts/8"));
        SyslogMessage m = SyslogParser.parse(raw);
        assertTrue(m.bom());
        assertEquals("'su root' failed for lonvick on /dev/pts/8", m.msg());
        assertEquals(raw.length - m.msg().length(), m.msgOffset());
        assertEquals(4, m.facility());
        assertEquals(2, m.severity());
        assertNull(m.procId());
        assertEquals("ID47", m.msgId());
    }

    @Test
    void rfc5424ExampleWithTwoSdElementsAndNoMsg() {
        // [real] RFC 5424 section 6.5 example 4.
        byte[] raw = ascii("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
                + "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]");
        SyslogMessage m = SyslogParser.parse(raw);
        assertEquals(2, m.structuredData().size());
        assertEquals(new SdParam("eventSource", "Application"), m.structuredData().get(0).params().get(1));
        assertEquals(new SdElement("examplePriority@32473", List.of(new SdParam("class", "high"))), m.structuredData().get(1));
        assertEquals("", m.msg());
        assertEquals(raw.length, m.msgOffset());
    }

    @Test
    void sdEscapesAreResolvedAndOtherBackslashesKept() {
        SyslogMessage m = parse("<13>1 - h a - - [x q=\"say \\\"hi\\\"\" b=\"c:\\\\dir\" k=\"a\\]b\" o=\"keep\\n\" u=\"un]escaped\"] m");
        assertEquals(List.of(new SdParam("q", "say \"hi\""), new SdParam("b", "c:\\dir"), new SdParam("k", "a]b"),
                new SdParam("o", "keep\\n"), new SdParam("u", "un]escaped")), m.structuredData().get(0).params());
        assertEquals("m", m.msg());
    }

    @Test
    void unterminatedStructuredDataIsUnparsed() {
        SyslogMessage m = parse("<13>1 - h a - - [x a=\"open");
        assertEquals(ParseError.BAD_STRUCTURED_DATA, m.error());
        assertEquals(SyslogFormat.UNPARSED, m.format());
    }

    @Test
    void rfc3164Example() {
        // [real] RFC 3164 section 5.4 example 1.
        SyslogMessage m = parse("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8");
        assertEquals(SyslogFormat.RFC3164, m.format());
        assertEquals("mymachine", m.hostname());
        assertEquals("su", m.appName());
        assertEquals("'su root' failed for lonvick on /dev/pts/8", m.msg());
    }

    @Test
    void audispSyslogRecordRelayedByRsyslog() {
        // [real] audisp-syslog, raw RFC 3164 as received by a central rsyslog (tail shortened; ingest/README.md, "auditd records").
        SyslogMessage m = parse("<14>May 10 21:18:38 STG01-0101-0111-14T1 audisp-syslog: type=SYSCALL msg=audit(1715375918.777:364628): arch=c000003e syscall=257");
        assertEquals(SyslogFormat.RFC3164, m.format());
        assertEquals("STG01-0101-0111-14T1", m.hostname());
        assertEquals("audisp-syslog", m.appName());
        assertTrue(m.msg().startsWith("type=SYSCALL msg=audit(1715375918.777:364628):"));
    }

    @Test
    void rsyslogRfc3339TimestampInsideRfc3164() {
        // [built] rsyslog RSYSLOG_ForwardFormat-style line; the header after PRI is [real] (ingest/README.md, "auditd records").
        SyslogMessage m = parse("<14>2026-08-19T10:58:05+00:00 alp-nginx-web audisp-syslog: type=SYSCALL msg=audit(1787137085.050:2169): arch=c000003e");
        assertEquals(SyslogFormat.RFC3164, m.format());
        assertEquals("2026-08-19T10:58:05+00:00", m.timestamp());
        assertEquals("alp-nginx-web", m.hostname());
        assertEquals("audisp-syslog", m.appName());
    }

    @Test
    void isoLocalTimestampWithoutOffsetInsideRfc3164() {
        // [real] syslog-ng 3.38 loggen without -P, captured from the wire here.
        SyslogMessage m = parse("<38>2026-12-01T21:22:44 localhost prg00000[1234]: seq: 0000000000, thread: 0000, runid: 1796160164");
        assertEquals(SyslogFormat.RFC3164, m.format());
        assertEquals("2026-12-01T21:22:44", m.timestamp());
        assertEquals("localhost", m.hostname());
        assertEquals("prg00000", m.appName());
        assertEquals("1234", m.procId());
        assertEquals("seq: 0000000000, thread: 0000, runid: 1796160164", m.msg());
        Instant received = Instant.parse("2026-12-01T21:22:45Z");
        assertEquals(Instant.parse("2026-12-01T21:22:44Z"), m.eventTime(received, null));
        assertEquals(Instant.parse("2026-12-01T20:22:44.5Z"),
                parse("<38>2026-12-01T21:22:44.5 h t: m").eventTime(received, java.time.ZoneId.of("Europe/Berlin")));
    }

    @Test
    void rfc5424StillRequiresTheOffset() {
        assertEquals(ParseError.BAD_TIMESTAMP, parse("<38>1 2026-12-01T21:22:44 h a - - - x").error());
    }

    @Test
    void goDefaultFormatterWithSpaceAfterPri() {
        // [built] srslog DefaultFormatter "<%d> %s %s %s[%d]: %s" with time.RFC3339 (ingest/README.md, "RFC rules and the deviations accepted").
        SyslogMessage m = parse("<30> 2026-11-23T17:00:01Z host tag[42]: msg");
        assertEquals(SyslogFormat.RFC3164, m.format());
        assertEquals("2026-11-23T17:00:01Z", m.timestamp());
        assertEquals("host", m.hostname());
        assertEquals("tag", m.appName());
        assertEquals("42", m.procId());
        assertEquals("msg", m.msg());
    }

    @Test
    void rfc3164TagWithoutPidAndNoHostname() {
        // busybox syslogd style (jeromer/syslogparser #12): no HOSTNAME, "tag: msg".
        SyslogMessage m = parse("<13>Nov 23 17:00:01 myapp: hello");
        assertEquals(SyslogFormat.DOCKER_DEFAULT, m.format());
        assertEquals("myapp", m.appName());
        assertEquals("hello", m.msg());
    }

    @Test
    void rfc3164TokenAfterHostnameWithoutTagEndIsMsg() {
        SyslogMessage m = parse("<13>Nov 23 17:00:01 host just some words");
        assertEquals("host", m.hostname());
        assertNull(m.appName());
        assertEquals("just some words", m.msg());
    }

    @Test
    void rfc3164DayMayBeSpaceOrZeroPaddedOrBare() {
        assertEquals("Nov  3 17:00:01", parse("<13>Nov  3 17:00:01 h t: m").timestamp());
        assertEquals("Nov 03 17:00:01", parse("<13>Nov 03 17:00:01 h t: m").timestamp());
        assertEquals("Nov 3 17:00:01", parse("<13>Nov 3 17:00:01 h t: m").timestamp());
    }

    @Test
    void rfc3164WithoutTimestampIsUnparsedButKeepsPriAndContent() {
        SyslogMessage m = parse("<13>hello world");
        assertEquals(ParseError.BAD_TIMESTAMP, m.error());
        assertEquals(1, m.facility());
        assertEquals(5, m.severity());
        assertEquals("hello world", m.msg());
        assertEquals(4, m.msgOffset());
    }

    // ---- empty, multi-line, BOM, UTF-8 ----

    @Test
    void rfc5424HeaderOnlyWithoutTrailingSpace() {
        SyslogMessage m = parse("<13>1 2026-11-23T17:00:01Z host app - - -");
        assertEquals(SyslogFormat.RFC5424, m.format());
        assertEquals("", m.msg());
    }

    @Test
    void rfc5424HeaderOnlyWithTrailingSpace() {
        SyslogMessage m = parse("<13>1 2026-11-23T17:00:01Z host app - - - ");
        assertEquals(SyslogFormat.RFC5424, m.format());
        assertEquals("", m.msg());
        assertEquals(m.msgOffset(), "<13>1 2026-11-23T17:00:01Z host app - - - ".length());
    }

    @Test
    void rfc5424HeaderWithoutStructuredData() {
        SyslogMessage m = parse("<13>1 2026-11-23T17:00:01Z host app - id");
        assertEquals("id", m.msgId());
        assertEquals("", m.msg());
    }

    @Test
    void dockerDefaultWithEmptyMsg() {
        SyslogMessage m = parse("<30>Nov 23 17:00:01 app[1]:");
        assertEquals(SyslogFormat.DOCKER_DEFAULT, m.format());
        assertEquals("app", m.appName());
        assertEquals("", m.msg());
    }

    @Test
    void multiLineMsgIsKept() {
        SyslogMessage m = parse("<13>1 - h a - - - line one\nline two\n\tat x");
        assertEquals("line one\nline two\n\tat x", m.msg());
    }

    @Test
    void invalidUtf8InMsgIsFlaggedAndDecodedLossily() {
        byte[] raw = concat(ascii("<13>1 - h a - - - caf"), new byte[] {(byte) 0xC3, (byte) 0x28});
        SyslogMessage m = SyslogParser.parse(raw);
        assertEquals(SyslogFormat.RFC5424, m.format());
        assertFalse(m.utf8Valid());
        assertEquals("caf\uFFFD(", m.msg());
    }

    @Test
    void validUtf8InMsgIsFlaggedValid() {
        SyslogMessage m = SyslogParser.parse(utf8("<13>Nov 23 17:00:01 h t: Grüße 日本 🚀"));
        assertTrue(m.utf8Valid());
        assertEquals("Grüße 日本 🚀", m.msg());
    }

    @Test
    void msgOffsetPointsAtMsgInRaw() {
        byte[] raw = utf8("<30>Apr  1 17:41:05 a.vm tag[1]: héllo");
        SyslogMessage m = SyslogParser.parse(raw);
        assertEquals(m.msg(), new String(raw, m.msgOffset(), raw.length - m.msgOffset(), StandardCharsets.UTF_8));
    }

    // ---- PRI and VERSION ----

    @Test
    void priZeroIsKernEmerg() {
        SyslogMessage m = parse("<0>1 - - - - - -");
        assertEquals(0, m.facility());
        assertEquals(0, m.severity());
        assertEquals(SyslogFormat.RFC5424, m.format());
    }

    @Test
    void pri191IsLocal7Debug() {
        SyslogMessage m = parse("<191>1 - - - - - -");
        assertEquals(23, m.facility());
        assertEquals(7, m.severity());
    }

    @Test
    void pri192IsOutOfRange() {
        SyslogMessage m = parse("<192>1 - - - - - -");
        assertEquals(SyslogFormat.UNPARSED, m.format());
        assertEquals(ParseError.PRI_OUT_OF_RANGE, m.error());
        assertEquals(-1, m.facility());
    }

    @Test
    void missingPriIsUnparsedWithTheWholeFrameAsContent() {
        // [real] an rsyslog file-template line, no PRI (ingest/README.md, "auditd records").
        String line = "2026-08-19T10:58:05+00:00 alp-nginx-web audisp-syslog: type=SYSCALL";
        SyslogMessage m = parse(line);
        assertEquals(ParseError.NO_PRI, m.error());
        assertEquals(0, m.msgOffset());
        assertEquals(line, m.msg());
    }

    @ParameterizedTest
    @ValueSource(strings = {"<>1 - - - - - -", "<1234>x", "<13", "<", "<1a>x", "<13>"})
    void malformedPriIsBadPri(String raw) {
        SyslogMessage m = parse(raw);
        assertEquals(SyslogFormat.UNPARSED, m.format());
        assertTrue(m.error() == ParseError.BAD_PRI || (raw.equals("<13>") && m.error() == ParseError.BAD_TIMESTAMP), m::toString);
    }

    @Test
    void version2IsBadVersion() {
        SyslogMessage m = parse("<13>2 2026-11-23T17:00:01Z h a - - - x");
        assertEquals(ParseError.BAD_VERSION, m.error());
        assertEquals(2, m.version());
    }

    @Test
    void emptyFrameIsEmpty() {
        assertEquals(ParseError.EMPTY, SyslogParser.parse(new byte[0]).error());
    }

    @Test
    void binaryGarbageIsUnparsed() {
        SyslogMessage m = SyslogParser.parse(new byte[] {(byte) 0xff, 0, 1, 2, '<', '>'});
        assertEquals(ParseError.NO_PRI, m.error());
        assertFalse(m.utf8Valid());
    }

    @Test
    void malformedRfc5424TimestampIsUnparsed() {
        assertEquals(ParseError.BAD_TIMESTAMP, parse("<13>1 2026-1-23T17:00:01Z h a - - - x").error());
        assertEquals(ParseError.BAD_TIMESTAMP, parse("<13>1 2026-11-23 17:00:01Z h a - - - x").error());
    }

    @Test
    void wellShapedImpossibleRfc5424TimestampKeepsTheHeader() {
        // Month 13: the shape of RFC 3339, so HOSTNAME and APP-NAME are still read; eventTime is null and flagged.
        SyslogMessage m = parse("<13>1 2026-13-23T17:00:01Z h a - - - x");
        assertEquals(SyslogFormat.RFC5424, m.format());
        assertEquals("2026-13-23T17:00:01Z", m.timestamp());
        assertEquals("h", m.hostname());
        assertNull(m.eventTime(Instant.parse("2026-11-23T17:00:02Z"), null));
    }

    @Test
    void truncatedRfc5424HeaderIsBadHeader() {
        assertEquals(ParseError.BAD_HEADER, parse("<13>1 2026-11-23T17:00:01Z host app").error());
    }

    @Test
    void adversarialInputsParseInLinearTime() {
        // netty-codec-syslog's RFC 5424 regex backtracked for 10 s on a 134-byte datagram; ours is index-based.
        // 64 KiB of each shape that a naive scanner would rescan; generous bound for a loaded 2-core machine.
        List<String> shapes = List.of("<30>Nov 23 17:00:01 " + "[".repeat(262144), "<30>Nov 23 17:00:01 " + "a[1]b".repeat(13000),
                "<13>1 - h a - - [x" + " a=\"\\\"".repeat(8000), "<13>1 2026-11-23T17:00:01." + "9".repeat(65536) + "Z h a - - - x",
                "<30>Nov 23 17:00:01 " + "x:".repeat(32768));
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(2), () -> {
            for (String shape : shapes) {
                SyslogParser.parse(utf8(shape));
            }
        });
    }

    private static SyslogMessage parse(String s) {
        return SyslogParser.parse(utf8(s));
    }
}
