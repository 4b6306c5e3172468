package io.auditwatch.ingest.syslog;

import static io.auditwatch.ingest.syslog.Fixtures.ascii;
import static io.auditwatch.ingest.syslog.Fixtures.concat;
import static io.auditwatch.ingest.syslog.Fixtures.counted;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties over arbitrary input: the parser is total, the framer is split-invariant and bounded. */
class SyslogPropertiesTest {

    private static final int MAX = 512;

    /** Headers that lead the parser deep into each branch before the arbitrary tail. */
    private static final List<String> PREFIXES = List.of("", "<", "<13>", "<13>1 ", "<13>1 - ", "<13>1 - h a p m ",
            "<13>1 - h a p m [", "<13>1 - h a p m [id a=\"", "<13>1 2026-11-23T17:00:01.", "<30>Nov 23 17:00:01 ",
            "<30>Nov 23 17:00:01 app[", "<30>Nov 23 17:00:01 host ", "<14>2026-08-19T10:58:05+", "<30> ", "<191>2 ");

    @Property(tries = 3000)
    boolean parseIsTotal(@ForAll("frames") byte[] raw) {
        SyslogMessage m = SyslogParser.parse(raw);
        return m != null && (m.format() == SyslogFormat.UNPARSED) == (m.error() != null)
                && m.msgOffset() >= 0 && m.msgOffset() <= raw.length && m.msg() != null
                && (m.facility() == -1 || (m.facility() <= 23 && m.severity() <= 7));
    }

    @Property(tries = 1000)
    boolean eventTimeIsTotal(@ForAll("frames") byte[] raw) {
        SyslogMessage m = SyslogParser.parse(raw);
        m.eventTime(java.time.Instant.parse("2026-11-23T17:00:02Z"), java.time.ZoneId.of("Europe/Berlin"));
        return true;
    }

    @Property(tries = 500)
    boolean splittingAStreamAnywhereGivesTheSameFrames(@ForAll("streams") List<Framed> messages,
                                                       @ForAll @Size(max = 8) List<@IntRange(min = 0, max = 4000) Integer> cuts) {
        byte[] stream = concat(messages.stream().map(Framed::wire).toArray(byte[][]::new));
        List<SyslogFrame> expected = messages.stream().map(Framed::frame).toList();
        return expected.equals(decode(stream, cuts, MAX));
    }

    @Property(tries = 500)
    boolean truncationNeverYieldsMoreThanTheMaximum(@ForAll @Size(max = 2000) byte[] stream,
                                                    @ForAll @IntRange(min = 1, max = 64) int max,
                                                    @ForAll @Size(max = 8) List<@IntRange(min = 0, max = 2000) Integer> cuts) {
        return decode(stream, cuts, max).stream().allMatch(f -> f.raw().length <= max);
    }

    @Property(tries = 500)
    boolean listenerSeesTheSameWhateverTheReads(@ForAll("tokenStreams") byte[] stream,
                                                @ForAll @Size(max = 8) List<@IntRange(min = 0, max = 600) Integer> cuts) {
        SyslogFrameDecoderTest.CountingListener whole = new SyslogFrameDecoderTest.CountingListener();
        SyslogFrameDecoderTest.CountingListener split = new SyslogFrameDecoderTest.CountingListener();
        List<SyslogFrame> a = decode(stream, List.of(), 48, whole);
        List<SyslogFrame> b = decode(stream, cuts, 48, split);
        return a.equals(b) && whole.oversized.equals(split.oversized) && whole.incomplete.equals(split.incomplete)
                && whole.invalidOctetCounts == split.invalidOctetCounts;
    }

    @Property(tries = 300)
    boolean digitRunsStayWithinTheBufferBoundEvenForTinyMaxima(@ForAll("tokenStreams") byte[] stream,
                                                               @ForAll @IntRange(min = 1, max = 8) int max,
                                                               @ForAll @Size(max = 8) List<@IntRange(min = 0, max = 600) Integer> cuts) {
        return decode(stream, cuts, max).stream().allMatch(f -> f.raw().length <= max);
    }

    /** Streams of framing-relevant pieces: counts valid, too long and oversized, lines, trailers, digits. */
    @Provide
    Arbitrary<byte[]> tokenStreams() {
        Arbitrary<String> piece = Arbitraries.of("12345678901234567890 ", "5 ", "60 ", "100 ", "\n", "\r\n", "\0",
                "<13>x", "<13>" + "y".repeat(60), "2024-01-01 ", "1".repeat(40), "abc", " ");
        return piece.list().ofMaxSize(30).map(l -> ascii(String.join("", l)));
    }

    @Property(tries = 500)
    boolean datagramNeverYieldsMoreThanTheMaximum(@ForAll @Size(max = 300) byte[] datagram,
                                                  @ForAll @IntRange(min = 1, max = 64) int max) {
        SyslogFrame f = SyslogFrame.datagram(datagram, max);
        return f.raw().length <= max && f.truncated() == (f.originalLength() > max);
    }

    /** Decodes {@code stream} written in pieces cut at {@code cuts}, closing the channel at the end. */
    private static List<SyslogFrame> decode(byte[] stream, List<Integer> cuts, int max) {
        return decode(stream, cuts, max, FramingListener.NONE);
    }

    private static List<SyslogFrame> decode(byte[] stream, List<Integer> cuts, int max, FramingListener listener) {
        SyslogFrameDecoder decoder = new SyslogFrameDecoder(max, listener);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        TreeSet<Integer> points = new TreeSet<>();
        for (int cut : cuts) {
            points.add(Math.min(cut, stream.length));
        }
        points.add(stream.length);
        int from = 0;
        for (int to : points) {
            channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(stream, from, to)));
            if (decoder.bufferedBytes() > max + SyslogFrameDecoder.MAX_OVERHEAD) {
                throw new AssertionError("buffered " + decoder.bufferedBytes() + " bytes, max " + max);
            }
            from = to;
        }
        channel.finish();
        List<SyslogFrame> frames = new ArrayList<>();
        for (SyslogFrame f = channel.readInbound(); f != null; f = channel.readInbound()) {
            frames.add(f);
        }
        return frames;
    }

    @Provide
    Arbitrary<byte[]> frames() {
        Arbitrary<byte[]> tail = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(120),
                Arbitraries.strings().withChars(" -:[]=\"\\<>0123456789TZabcNov").ofMaxLength(80).map(Fixtures::ascii));
        return Combinators.combine(Arbitraries.of(PREFIXES), tail).as((p, t) -> concat(ascii(p), t));
    }

    /** One message and how it is framed on the wire. */
    record Framed(byte[] wire, SyslogFrame frame) {
    }

    @Provide
    Arbitrary<List<Framed>> streams() {
        // Line content: no LF, NUL or CR, and a first byte that cannot start an octet count.
        Arbitrary<byte[]> line = Arbitraries.bytes().filter(b -> b != '\n' && b != 0 && b != '\r')
                .array(byte[].class).ofMinSize(1).ofMaxSize(MAX - 4).map(b -> concat(ascii("<13>"), b));
        // Counted content: anything, as long as it does not end in a line end (which would be stripped).
        Arbitrary<byte[]> any = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(MAX)
                .filter(b -> b[b.length - 1] != '\n' && b[b.length - 1] != '\r');
        Arbitrary<Framed> framed = Arbitraries.oneOf(
                any.map(b -> new Framed(counted(b), new SyslogFrame(b, Framing.OCTET_COUNTING, false, b.length))),
                any.map(b -> new Framed(counted(concat(b, ascii("\n"))), new SyslogFrame(b, Framing.OCTET_COUNTING, false, b.length))),
                line.map(b -> new Framed(concat(b, ascii("\n")), new SyslogFrame(b, Framing.LF, false, b.length))),
                line.map(b -> new Framed(concat(b, ascii("\r\n")), new SyslogFrame(b, Framing.CRLF, false, b.length))),
                line.map(b -> new Framed(concat(b, new byte[] {0}), new SyslogFrame(b, Framing.NUL, false, b.length))));
        return framed.list().ofMaxSize(8);
    }
}
