package io.auditwatch.ingest.syslog;

import static io.auditwatch.ingest.syslog.Fixtures.ascii;
import static io.auditwatch.ingest.syslog.Fixtures.concat;
import static io.auditwatch.ingest.syslog.Fixtures.counted;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ResourceLeakDetector;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SyslogFrameDecoderTest {

    private static final int MAX = 256;

    private final CountingListener listener = new CountingListener();
    private final SyslogFrameDecoder decoder = new SyslogFrameDecoder(MAX, listener);
    private final EmbeddedChannel channel = new EmbeddedChannel(decoder);
    private final List<ByteBuf> written = new ArrayList<>();

    @BeforeAll
    static void paranoidLeakDetection() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @AfterEach
    void everyInputBufferWasReleased() {
        channel.finishAndReleaseAll();
        for (ByteBuf buf : written) {
            assertEquals(0, buf.refCnt(), "input buffer leaked");
        }
    }

    @Test
    void octetCountedFrame() {
        write(counted(ascii("<13>1 - - - - - hello")));
        assertFrame("<13>1 - - - - - hello", Framing.OCTET_COUNTING);
        assertFalse(channel.finish());
    }

    @Test
    void lfFrame() {
        write(ascii("<13>Nov 23 18:25:52 vm myapp: hi\n"));
        assertFrame("<13>Nov 23 18:25:52 vm myapp: hi", Framing.LF);
        assertFalse(channel.finish());
    }

    @Test
    void crlfFrameLosesItsCr() {
        write(ascii("<13>hi\r\n"));
        assertFrame("<13>hi", Framing.CRLF);
        assertFalse(channel.finish());
    }

    @Test
    void nulFrame() {
        write(ascii("<13>hi\0"));
        assertFrame("<13>hi", Framing.NUL);
        assertFalse(channel.finish());
    }

    @Test
    void crInsideAnLfFrameIsKept() {
        write(ascii("<13>a\rb\n"));
        assertFrame("<13>a\rb", Framing.LF);
        assertFalse(channel.finish());
    }

    @Test
    void framingIsDecidedPerFrameOnOneConnection() {
        write(concat(counted(ascii("<13>one")), ascii("<13>two\n"), counted(ascii("<13>three")),
                ascii("<13>four\r\n"), ascii("<13>five\0"), counted(ascii("<13>six\nline"))));
        assertFrame("<13>one", Framing.OCTET_COUNTING);
        assertFrame("<13>two", Framing.LF);
        assertFrame("<13>three", Framing.OCTET_COUNTING);
        assertFrame("<13>four", Framing.CRLF);
        assertFrame("<13>five", Framing.NUL);
        assertFrame("<13>six\nline", Framing.OCTET_COUNTING);
        assertFalse(channel.finish());
    }

    @Test
    void dockerTcpTlsCountIncludesTheTrailingLfWhichIsNotInRaw() {
        // [built] rfc5424micro over tcp+tls: srslog RFC5425MessageLengthFramer, "%d %s" over a message ending in LF
        // (ingest/README.md, "Docker's syslog log driver").
        write(ascii("99 <30>1 2017-04-01T17:41:05.616647+08:00 a.vm 5790672ab6a0 1787791 5790672ab6a0 - Hello from Docker.\n"));
        assertFrame("<30>1 2017-04-01T17:41:05.616647+08:00 a.vm 5790672ab6a0 1787791 5790672ab6a0 - Hello from Docker.",
                Framing.OCTET_COUNTING);
        assertFalse(channel.finish());
    }

    @Test
    void dockerTcpTlsFramesBackToBack() {
        write(concat(counted(ascii("<30>first\n")), counted(ascii("<30>second\r\n"))));
        assertFrame("<30>first", Framing.OCTET_COUNTING);
        assertFrame("<30>second", Framing.OCTET_COUNTING);
        assertFalse(channel.finish());
    }

    @Test
    void oneLfAfterACountedFrameIsSkipped() {
        // rsyslog sends LF after octet-counted frames on some versions (ingest/README.md, "Receiver rules").
        write(ascii("5 <13>a\n5 <13>b\r\n"));
        assertFrame("<13>a", Framing.OCTET_COUNTING);
        assertFrame("<13>b", Framing.OCTET_COUNTING);
        assertFalse(channel.finish());
    }

    @Test
    void realLoggerOctetCountedConnection() {
        write(Fixtures.resource("logger/multi-rfc5424-octet.bin"));
        assertTrue(readFrame().msgContains("first line"));
        assertTrue(readFrame().msgContains("second line"));
        SyslogFrame third = channel.readInbound();
        assertEquals(Framing.OCTET_COUNTING, third.framing());
        assertTrue(new String(third.raw()).endsWith("] third line"));
        assertFalse(channel.finish());
    }

    @Test
    void realLoggerLfConnection() {
        write(Fixtures.resource("logger/multi-rfc3164-lf.bin"));
        for (String line : List.of("first line", "second line", "third line")) {
            SyslogFrame frame = channel.readInbound();
            assertEquals(Framing.LF, frame.framing());
            assertTrue(new String(frame.raw()).endsWith("vm multi: " + line), frame.toString());
        }
        assertFalse(channel.finish());
    }

    @Test
    void frameSplitAtEveryBytePositionDecodesTheSame() {
        byte[] stream = concat(counted(ascii("<13>1 - - - - - counted")), ascii("<13>lf\n"), ascii("<13>crlf\r\n"),
                ascii("<13>nul\0"), ascii("99 <30>1 2017-04-01T17:41:05.616647+08:00 a.vm 5790672ab6a0 1787791 5790672ab6a0 - Hello from Docker.\n"));
        List<SyslogFrame> expected = decodeWhole(stream);
        assertEquals(5, expected.size());
        for (int split = 1; split < stream.length; split++) {
            EmbeddedChannel ch = new EmbeddedChannel(new SyslogFrameDecoder(MAX, FramingListener.NONE));
            ch.writeInbound(Unpooled.wrappedBuffer(stream, 0, split));
            ch.writeInbound(Unpooled.wrappedBuffer(stream, split, stream.length - split));
            assertEquals(expected, drain(ch), "split at " + split);
            assertFalse(ch.finish());
        }
    }

    @Test
    void frameDeliveredByteByByteDecodesTheSame() {
        byte[] stream = concat(counted(ascii("<13>counted")), ascii("<13>lf\n"), ascii("2024-01-01 digits\n"), ascii("<13>crlf\r\n"));
        for (byte b : stream) {
            write(new byte[] {b});
        }
        assertEquals(decodeWhole(stream), drain(channel));
        assertFalse(channel.finish());
    }

    @Test
    void severalFramesInOneRead() {
        write(ascii("<13>a\n<13>b\n<13>c\n"));
        assertFrame("<13>a", Framing.LF);
        assertFrame("<13>b", Framing.LF);
        assertFrame("<13>c", Framing.LF);
        assertFalse(channel.finish());
    }

    @Test
    void oversizedLfFrameIsTruncatedCountedAndTheNextFrameSurvives() {
        String big = "<13>" + "x".repeat(500);
        write(ascii(big + "\n<13>next\n"));
        SyslogFrame frame = channel.readInbound();
        assertArrayEquals(ascii(big.substring(0, MAX)), frame.raw());
        assertTrue(frame.truncated());
        assertEquals(-1, frame.originalLength());
        assertEquals(List.of(-1), listener.oversized);
        assertFrame("<13>next", Framing.LF);
        assertFalse(channel.finish());
    }

    @Test
    void lfFrameOneByteOverTheMaximumKnowsItsLength() {
        String big = "<13>" + "x".repeat(MAX - 3);
        write(ascii(big + "\n"));
        SyslogFrame frame = channel.readInbound();
        assertTrue(frame.truncated());
        assertEquals(MAX + 1, frame.originalLength());
        assertEquals(MAX, frame.raw().length);
        assertFalse(channel.finish());
    }

    @Test
    void lfFrameOfExactlyTheMaximumWithCrlfIsWhole() {
        String exact = "<13>" + "x".repeat(MAX - 4);
        write(ascii(exact + "\r\n"));
        assertFrame(exact, Framing.CRLF);
        assertTrue(listener.oversized.isEmpty());
        assertFalse(channel.finish());
    }

    @Test
    void oversizedLfFrameStreamingInIsNeverBuffered() {
        write(ascii("<13>"));
        for (int i = 0; i < 1000; i++) {
            write(ascii("0123456789"));
            assertTrue(decoder.bufferedBytes() <= MAX + 2, "buffered " + decoder.bufferedBytes());
        }
        write(ascii("tail\n<13>next\n"));
        SyslogFrame first = channel.readInbound();
        assertTrue(first.truncated());
        assertFrame("<13>next", Framing.LF);
        assertEquals(1, listener.oversized.size());
        assertFalse(channel.finish());
    }

    @Test
    void oversizedCountedFrameIsTruncatedCountedAndTheNextFrameSurvives() {
        String big = "<13>" + "y".repeat(996);
        write(concat(counted(ascii(big)), counted(ascii("<13>next"))));
        SyslogFrame frame = channel.readInbound();
        assertArrayEquals(ascii(big.substring(0, MAX)), frame.raw());
        assertEquals(Framing.OCTET_COUNTING, frame.framing());
        assertTrue(frame.truncated());
        assertEquals(1000, frame.originalLength());
        assertEquals(List.of(1000), listener.oversized);
        assertFrame("<13>next", Framing.OCTET_COUNTING);
        assertFalse(channel.finish());
    }

    @Test
    void countedFrameOfExactlyTheMaximumPlusItsLfIsWhole() {
        String exact = "<30>" + "d".repeat(MAX - 4);
        write(counted(ascii(exact + "\n")));
        assertFrame(exact, Framing.OCTET_COUNTING);
        assertTrue(listener.oversized.isEmpty());
        assertFalse(channel.finish());
    }

    @Test
    void countedFrameOneByteOverTheMaximumKnowsItsLength() {
        String big = "<30>" + "d".repeat(MAX - 3);
        write(counted(ascii(big)));
        SyslogFrame frame = channel.readInbound();
        assertTrue(frame.truncated());
        assertEquals(MAX + 1, frame.originalLength());
        assertEquals(List.of(MAX + 1), listener.oversized);
        assertFalse(channel.finish());
    }

    @Test
    void oversizedCountedFrameStreamingInIsNeverBuffered() {
        write(ascii("100000 <13>"));
        for (int i = 0; i < 9999; i++) {
            write(ascii("0123456789"));
            assertTrue(decoder.bufferedBytes() <= MAX + SyslogFrameDecoder.MAX_OVERHEAD);
        }
        write(ascii("012345\n<13>next\n"));
        SyslogFrame first = channel.readInbound();
        assertEquals(100000, first.originalLength());
        assertFrame("<13>next", Framing.LF);
        assertFalse(channel.finish());
    }

    @Test
    void twentyDigitCountIsReadAsALineAndReported() {
        write(ascii("12345678901234567890 <13>hello\n"));
        assertFrame("12345678901234567890 <13>hello", Framing.LF);
        assertEquals(1, listener.invalidOctetCounts);
        assertFalse(channel.finish());
    }

    @Test
    void twentyDigitCountArrivingByteByByteIsReportedOnce() {
        for (byte b : ascii("12345678901234567890 <13>hello\n")) {
            write(new byte[] {b});
        }
        assertFrame("12345678901234567890 <13>hello", Framing.LF);
        assertEquals(1, listener.invalidOctetCounts);
        assertFalse(channel.finish());
    }

    @Test
    void longDigitRunWithoutSpaceIsAPlainLine() {
        write(ascii("1".repeat(40) + " x\n"));
        assertFrame("1".repeat(40) + " x", Framing.LF);
        assertEquals(0, listener.invalidOctetCounts);
        assertFalse(channel.finish());
    }

    @Test
    void oversizedCountCutShortByCloseIsReportedAsIncomplete() {
        write(ascii("1000 <13>abc"));
        assertTrue(channel.finish());
        SyslogFrame frame = channel.readInbound();
        assertEquals(new SyslogFrame(ascii("<13>abc"), Framing.EOF, true, 1000), frame);
        assertEquals(List.of("1000/7"), listener.incomplete);
    }

    @Test
    void countLargerThanTheDataIsEmittedTruncatedAtClose() {
        write(ascii("50 <13>short"));
        assertNull(channel.readInbound());
        assertTrue(channel.finish());
        SyslogFrame frame = channel.readInbound();
        assertArrayEquals(ascii("<13>short"), frame.raw());
        assertEquals(Framing.EOF, frame.framing());
        assertTrue(frame.truncated());
        assertEquals(50, frame.originalLength());
        assertEquals(List.of("50/9"), listener.incomplete);
        assertNull(channel.readInbound());
    }

    @Test
    void countWithinTheLineEndAllowanceCutShortAtCloseIsStillCappedAtTheMaximum() {
        // A count of MAX + 2 is accepted (the CR LF may be counted); MAX + 1 bytes arrive, then close.
        write(ascii((MAX + 2) + " <13>" + "x".repeat(MAX - 3)));
        assertNull(channel.readInbound());
        assertTrue(channel.finish());
        SyslogFrame frame = channel.readInbound();
        assertEquals(MAX, frame.raw().length);
        assertTrue(frame.truncated());
        assertEquals(MAX + 2, frame.originalLength());
        assertEquals(List.of((MAX + 2) + "/" + (MAX + 1)), listener.incomplete);
    }

    @Test
    void countThatLiesSwallowsTheFollowingFramesUpToTheCount() {
        // RFC 6587 gives a receiver no way to notice a wrong count; document what happens.
        write(ascii("12 <13>a\n<13>b\n<13>c\n"));
        assertFrame("<13>a\n<13>b", Framing.OCTET_COUNTING);
        assertFrame("<13>c", Framing.LF);
        assertFalse(channel.finish());
    }

    @Test
    void lineStartingWithDigitsIsNotACount() {
        write(ascii("2024-01-01 boot ok\n"));
        assertFrame("2024-01-01 boot ok", Framing.LF);
        assertEquals(0, listener.invalidOctetCounts);
        assertFalse(channel.finish());
    }

    @Test
    void garbageBinaryIsFramedAtItsLfAndNulBytes() {
        write(new byte[] {(byte) 0xff, (byte) 0xfe, 0x01, '\n', (byte) 0x80, 0, 0x7f});
        SyslogFrame a = channel.readInbound();
        assertArrayEquals(new byte[] {(byte) 0xff, (byte) 0xfe, 0x01}, a.raw());
        SyslogFrame b = channel.readInbound();
        assertArrayEquals(new byte[] {(byte) 0x80}, b.raw());
        assertEquals(Framing.NUL, b.framing());
        assertTrue(channel.finish());
        SyslogFrame c = channel.readInbound();
        assertArrayEquals(new byte[] {0x7f}, c.raw());
        assertEquals(Framing.EOF, c.framing());
    }

    @Test
    void emptyLinesAndLoneTrailersAreSkipped() {
        write(ascii("\n\r\n\0\n<13>a\n\n\n"));
        assertFrame("<13>a", Framing.LF);
        assertFalse(channel.finish());
    }

    @Test
    void countedFrameHoldingOnlyALineEndIsSkipped() {
        write(ascii("1 \n2 \r\n<13>a\n"));
        assertFrame("<13>a", Framing.LF);
        assertFalse(channel.finish());
    }

    @Test
    void lastFrameWithoutTrailerIsEmittedAtClose() {
        write(ascii("<13>a\n<13>b"));
        assertFrame("<13>a", Framing.LF);
        assertNull(channel.readInbound());
        assertTrue(channel.finish());
        assertFrame("<13>b", Framing.EOF);
        assertNull(channel.readInbound());
    }

    @Test
    void digitsOnlyAtCloseAreALastLine() {
        write(ascii("123"));
        assertTrue(channel.finish());
        assertFrame("123", Framing.EOF);
    }

    @Test
    void closeWhileDiscardingAnOversizedFrameEmitsNothingMore() {
        write(ascii("<13>" + "z".repeat(600)));
        assertTrue(channel.readInbound() instanceof SyslogFrame);
        assertFalse(channel.finish());
    }

    @Test
    void halfCrlfAtCloseIsNotPartOfTheFrame() {
        write(ascii("<13>a\r"));
        assertTrue(channel.finish());
        assertFrame("<13>a", Framing.EOF);
    }

    private void write(byte[] bytes) {
        ByteBuf buf = Unpooled.copiedBuffer(bytes);
        written.add(buf);
        channel.writeInbound(buf);
    }

    private void assertFrame(String expected, Framing framing) {
        SyslogFrame frame = channel.readInbound();
        assertEquals(new SyslogFrame(ascii(expected), framing, false, expected.length()), frame);
    }

    private FrameText readFrame() {
        SyslogFrame frame = channel.readInbound();
        assertEquals(Framing.OCTET_COUNTING, frame.framing());
        return new FrameText(new String(frame.raw()));
    }

    private record FrameText(String text) {
        boolean msgContains(String s) {
            return text.contains(s);
        }
    }

    private static List<SyslogFrame> decodeWhole(byte[] stream) {
        EmbeddedChannel ch = new EmbeddedChannel(new SyslogFrameDecoder(MAX, FramingListener.NONE));
        ch.writeInbound(Unpooled.wrappedBuffer(stream));
        List<SyslogFrame> frames = drain(ch);
        assertFalse(ch.finish());
        return frames;
    }

    private static List<SyslogFrame> drain(EmbeddedChannel ch) {
        List<SyslogFrame> frames = new ArrayList<>();
        for (SyslogFrame f = ch.readInbound(); f != null; f = ch.readInbound()) {
            frames.add(f);
        }
        return frames;
    }

    static final class CountingListener implements FramingListener {
        final List<Integer> oversized = new ArrayList<>();
        final List<String> incomplete = new ArrayList<>();
        int invalidOctetCounts;

        @Override
        public void oversized(int originalLength) {
            oversized.add(originalLength);
        }

        @Override
        public void invalidOctetCount() {
            invalidOctetCounts++;
        }

        @Override
        public void incompleteAtClose(int expectedLength, int receivedLength) {
            incomplete.add(expectedLength + "/" + receivedLength);
        }
    }
}
