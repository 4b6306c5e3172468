package io.auditwatch.ingest.envelope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.heartbeat.Stream;
import io.auditwatch.ingest.classify.Classification;
import io.auditwatch.ingest.syslog.Framing;
import io.auditwatch.ingest.syslog.ParseError;
import io.auditwatch.ingest.syslog.SdElement;
import io.auditwatch.ingest.syslog.SdParam;
import io.auditwatch.ingest.syslog.SyslogFormat;
import io.auditwatch.ingest.syslog.SyslogMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

/**
 * {@link EnvelopeCodec#encode} against the Jackson encoder it replaced ({@link JacksonEnvelopeEncoder}),
 * over arbitrary envelopes: text with quotes, backslashes, control characters, characters outside
 * the Basic Multilingual Plane and lone surrogates; raw bytes that are valid UTF-8, invalid, or so
 * full of control bytes that base64 is shorter; pieces, Docker fields and nested parsed fields.
 *
 * <p>The two outputs are the same bytes, once Jackson's escapes of a surrogate pair are written as
 * the character's four UTF-8 bytes (the one way the writer differs, see {@link JsonBytes}); so they
 * also parse to the same JSON and read back the same raw bytes, pieces and message.
 */
class EnvelopeWriterPropertiesTest {

    @Property(tries = 1000)
    void writesWhatJacksonWrote(@ForAll("envelopes") Envelope e) {
        byte[] written = EnvelopeCodec.encode(e);
        byte[] jackson = JacksonEnvelopeEncoder.encode(e);
        assertEquals(new String(Jackson.withSupplementaryAsUtf8(jackson), StandardCharsets.UTF_8),
                new String(written, StandardCharsets.UTF_8));
        assertArrayEquals(Jackson.withSupplementaryAsUtf8(jackson), written);
        JsonNode read = EnvelopeCodec.read(written);
        assertEquals(EnvelopeCodec.read(jackson), read);
        assertArrayEquals(e.raw(), EnvelopeCodec.raw(read));
        assertEquals(EnvelopeCodec.message(EnvelopeCodec.read(jackson)), EnvelopeCodec.message(read));
        List<byte[]> pieces = EnvelopeCodec.pieces(read);
        for (int i = 0; i < pieces.size(); i++) {
            assertArrayEquals(EnvelopeCodec.pieces(EnvelopeCodec.read(jackson)).get(i), pieces.get(i));
        }
        assertTrue(written.length <= EnvelopeCodec.maxEncodedBytes(e.raw().length));
    }

    /** A frame that is almost all structured data passes the size budget: both write it reduced. */
    @Test
    void anEnvelopeOverTheBudgetIsReducedAsJacksonReducedIt() {
        String value = "\"".repeat(80_000);
        List<SdElement> sd = List.of(new SdElement("big@32473", List.of(new SdParam("a", value), new SdParam("b", value))));
        Envelope e = envelope(syslogMessage(sd, "x"), "x".getBytes(StandardCharsets.UTF_8), null);
        byte[] written = EnvelopeCodec.encode(e);
        assertTrue(EnvelopeCodec.read(written).path("flags").toString().contains("envelope_reduced"));
        assertArrayEquals(JacksonEnvelopeEncoder.encode(e), written);
    }

    @Test
    void fieldsOverTheirBoundAreOmittedAsJacksonOmittedThem() {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < 4000; i++) {
            fields.put("key" + i, "value with \"quotes\" " + i);
        }
        Envelope e = envelope(syslogMessage(List.of(), "m"), "m".getBytes(StandardCharsets.UTF_8),
                new Classification(Stream.AUDITD, "audisp-syslog", null, null, false, fields, null, null));
        byte[] written = EnvelopeCodec.encode(e);
        assertTrue(EnvelopeCodec.read(written).path("flags").toString().contains("fields_omitted"));
        assertArrayEquals(JacksonEnvelopeEncoder.encode(e), written);
    }

    /** The writer's array, grown for a 1 MiB message and then let go, leaves nothing behind for the next envelope. */
    @Test
    void aSmallEnvelopeAfterALargeOneIsWrittenWhole() {
        byte[] large = "a\"b".repeat(350_000).getBytes(StandardCharsets.UTF_8);
        byte[] small = "<13>1 - h a p m - small".getBytes(StandardCharsets.UTF_8);
        for (byte[] raw : List.of(large, small, large, small)) {
            Envelope e = envelope(syslogMessage(List.of(), "text"), raw, null);
            assertArrayEquals(JacksonEnvelopeEncoder.encode(e), EnvelopeCodec.encode(e));
        }
    }

    private static SyslogMessage syslogMessage(List<SdElement> sd, String msg) {
        return new SyslogMessage(SyslogFormat.RFC5424, null, 1, 5, 1, "2026-11-23T17:00:01Z", "h", "a", "p", "m", sd,
                false, 0, msg, true);
    }

    private static Envelope envelope(SyslogMessage m, byte[] raw, Classification c) {
        return new Envelope(new UUID(1, 2), Instant.parse("2026-11-23T17:00:01.842Z"), "node-7", NodeSource.HOSTNAME,
                Stream.OTHER, Transport.TCP, "tcp", "10.0.0.5", 40000, null, Framing.LF, false, -1, m, null, c, List.of(),
                raw, List.of(), null, null);
    }

    @Provide
    Arbitrary<Envelope> envelopes() {
        Arbitrary<Identity> identity = Combinators.combine(Arbitraries.longs(), Arbitraries.longs(), instants(),
                text(), Arbitraries.of(NodeSource.class), Arbitraries.of(Stream.class), Arbitraries.of(Transport.class),
                text().injectNull(0.1)).as((msb, lsb, at, node, source, stream, transport, listener) ->
                        new Identity(new UUID(msb, lsb), at, node, source, stream, transport, listener));
        Arbitrary<Peer> peer = Combinators.combine(text().injectNull(0.1), Arbitraries.integers(), text().injectNull(0.7),
                Arbitraries.of(Framing.class), Arbitraries.integers().between(-1, 1 << 20).injectNull(0.8),
                instants().injectNull(0.3), text().list().ofMaxSize(4), text().injectNull(0.8))
                .as(Peer::new);
        Arbitrary<Body> body = raws().flatMap(raw -> Combinators.combine(syslog(raw), pieces(raw), docker().injectNull(0.7))
                .as((m, p, d) -> new Body(raw, m, p, d)));
        return Combinators.combine(identity, peer, body, classification().injectNull(0.3)).as((i, p, b, c) ->
                new Envelope(i.id, i.at, i.node, i.source, i.stream, i.transport, i.listener, p.address, p.port,
                        p.certificate, p.framing, p.originalLength != null, p.originalLength == null ? -1 : p.originalLength,
                        b.syslog, p.eventTime, c, p.flags, b.raw, b.pieces, b.docker, p.claimedNode));
    }

    private record Identity(UUID id, Instant at, String node, NodeSource source, Stream stream, Transport transport,
            String listener) {
    }

    private record Peer(String address, int port, String certificate, Framing framing, Integer originalLength,
            Instant eventTime, List<String> flags, String claimedNode) {
    }

    private record Body(byte[] raw, SyslogMessage syslog, List<Envelope.Piece> pieces, DockerLog docker) {
    }

    /** Mostly near now, some anywhere an Instant reaches (years before 0000 and after 9999 too). */
    static Arbitrary<Instant> instants() {
        Arbitrary<Long> seconds = Arbitraries.frequencyOf(
                weighted(8, Arbitraries.longs().between(1_600_000_000L, 2_000_000_000L)),
                weighted(2, Arbitraries.longs().between(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond())),
                weighted(1, Arbitraries.of(-62_167_219_200L, -62_167_219_201L, 253_402_300_799L, 253_402_300_800L, 0L, -1L)));
        Arbitrary<Integer> nanos = Arbitraries.frequencyOf(
                weighted(2, Arbitraries.just(0)),
                weighted(2, Arbitraries.integers().between(0, 999).map(ms -> ms * 1_000_000)),
                weighted(2, Arbitraries.integers().between(0, 999_999).map(us -> us * 1000)),
                weighted(3, Arbitraries.integers().between(0, 999_999_999)));
        return Combinators.combine(seconds, nanos).as(Instant::ofEpochSecond);
    }

    /** Text of every kind a String can hold, weighted to what needs care: escapes, supplementary characters, lone surrogates. */
    static Arbitrary<String> text() {
        Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
                weighted(6, Arbitraries.integers().between(0x20, 0x7E)),
                weighted(3, Arbitraries.of((int) '"', (int) '\\', (int) '/', 0x7F)),
                weighted(3, Arbitraries.integers().between(0, 0x1F)),
                weighted(2, Arbitraries.integers().between(0x80, 0x7FF)),
                weighted(2, Arbitraries.integers().between(0x800, 0xFFFF)),
                weighted(2, Arbitraries.integers().between(0x10000, 0x10FFFF)));
        return Arbitraries.oneOf(
                codePoint.list().ofMaxSize(40).map(EnvelopeWriterPropertiesTest::fromCodePoints),
                Arbitraries.strings().all().ofMaxLength(20));
    }

    private static String fromCodePoints(List<Integer> codePoints) {
        StringBuilder s = new StringBuilder();
        codePoints.forEach(s::appendCodePoint);
        return s.toString();
    }

    /** Raw bytes: valid UTF-8 text (short and past a few words), invalid bytes, and text mostly of control bytes. */
    static Arbitrary<byte[]> raws() {
        Arbitrary<String> longText = text().list().ofMaxSize(12).map(l -> String.join("", l));
        return Arbitraries.frequencyOf(
                weighted(5, longText.map(s -> s.getBytes(StandardCharsets.UTF_8))),
                weighted(2, Arbitraries.bytes().array(byte[].class).ofMaxSize(200)),
                weighted(1, Arbitraries.bytes().between((byte) 0, (byte) 0x22).array(byte[].class).ofMaxSize(100)),
                weighted(1, Arbitraries.strings().withChars("abcdefgh \"\\\n\t\u0001").ofMaxLength(300)
                        .map(s -> s.getBytes(StandardCharsets.UTF_8))));
    }

    private static Arbitrary<SyslogMessage> syslog(byte[] raw) {
        Arbitrary<SdElement> element = Combinators.combine(text(),
                Combinators.combine(text(), text()).as(SdParam::new).list().ofMaxSize(3)).as(SdElement::new);
        Arbitrary<List<String>> header = text().injectNull(0.3).list().ofSize(5);
        Arbitrary<SyslogFormat> format = Arbitraries.of(SyslogFormat.class);
        Arbitrary<ParseError> error = Arbitraries.of(ParseError.class);
        Arbitrary<int[]> numbers = Combinators.combine(Arbitraries.integers().between(-1, 23),
                Arbitraries.integers().between(-1, 7), Arbitraries.integers().between(-1, 2),
                Arbitraries.integers().between(0, raw.length + 3)).as((f, s, v, o) -> new int[] {f, s, v, o});
        return Combinators.combine(format, error, numbers, header, element.list().ofMaxSize(3), Arbitraries.of(true, false),
                text(), Arbitraries.of(true, false)).as((fmt, err, n, h, sd, bom, msg, valid) -> new SyslogMessage(fmt,
                        fmt == SyslogFormat.UNPARSED ? err : null, n[0], n[1], n[2], h.get(0), h.get(1), h.get(2), h.get(3),
                        h.get(4), sd, bom, n[3], msg, valid));
    }

    /** No pieces, or {@code raw} cut at arbitrary points. */
    private static Arbitrary<List<Envelope.Piece>> pieces(byte[] raw) {
        if (raw.length == 0) {
            return Arbitraries.just(List.of());
        }
        Arbitrary<List<Envelope.Piece>> cut = Arbitraries.integers().between(1, raw.length).list().ofMaxSize(4)
                .flatMap(cuts -> {
                    TreeSet<Integer> ends = new TreeSet<>(cuts);
                    ends.add(raw.length);
                    List<Integer> lengths = new ArrayList<>();
                    int from = 0;
                    for (int end : ends) {
                        lengths.add(end - from);
                        from = end;
                    }
                    // A reassembled syslog line's pieces all have a MSG offset, a fluentd or gelf line's none.
                    return Arbitraries.integers().between(0, Integer.MAX_VALUE).list().ofSize(lengths.size())
                            .injectNull(0.3).map(offsets -> {
                                List<Envelope.Piece> pieces = new ArrayList<>();
                                for (int i = 0; i < lengths.size(); i++) {
                                    int offset = offsets == null ? -1 : offsets.get(i) % (lengths.get(i) + 1);
                                    pieces.add(new Envelope.Piece(lengths.get(i), offset));
                                }
                                return pieces;
                            });
                });
        return Arbitraries.oneOf(Arbitraries.just(List.of()), cut);
    }

    private static Arbitrary<DockerLog> docker() {
        Arbitrary<DockerLog.Partial> partial = Combinators.combine(text(), Arbitraries.integers().between(1, 64),
                Arbitraries.of(true, false)).as(DockerLog.Partial::new);
        Arbitrary<List<String>> strings = text().injectNull(0.3).list().ofSize(8);
        return Combinators.combine(strings, partial.injectNull(0.5), Arbitraries.maps(text(), text()).ofMaxSize(3))
                .as((s, p, extra) -> new DockerLog(s.get(0) == null ? "fluentd" : s.get(0), s.get(1), s.get(2), s.get(3),
                        s.get(4), s.get(5), s.get(6), s.get(7), p, extra));
    }

    private static Arbitrary<Classification> classification() {
        Arbitrary<List<String>> strings = text().injectNull(0.4).list().ofSize(4);
        return Combinators.combine(Arbitraries.of(Stream.class), strings, Arbitraries.of(true, false), fields())
                .as((stream, s, pulse, fields) -> new Classification(stream, s.get(0), s.get(1), s.get(2), pulse,
                        fields, null, s.get(3)));
    }

    /** Parsed fields as the classifier makes them (String, Long, Integer, Boolean, List, Map, null), and a Double it never makes. */
    private static Arbitrary<Map<String, Object>> fields() {
        Arbitrary<Object> leaf = Arbitraries.oneOf(text().map(s -> (Object) s), Arbitraries.longs().map(l -> (Object) l),
                Arbitraries.integers().map(i -> (Object) i), Arbitraries.of(true, false).map(b -> (Object) b),
                Arbitraries.just(null), Arbitraries.doubles().map(d -> (Object) d).injectNull(0.9));
        Arbitrary<Object> nested = Arbitraries.oneOf(leaf, leaf.list().ofMaxSize(3).map(l -> (Object) l),
                Arbitraries.maps(text(), leaf).ofMaxSize(3).map(m -> (Object) new LinkedHashMap<>(m)));
        return Arbitraries.maps(text(), nested).ofMaxSize(5).map(m -> {
            Map<String, Object> ordered = new LinkedHashMap<>();
            m.forEach(ordered::put);
            return ordered;
        });
    }

    private static <T> Tuple.Tuple2<Integer, Arbitrary<? extends T>> weighted(int weight, Arbitrary<? extends T> a) {
        return Tuple.of(weight, a);
    }

    /** What Jackson's output would be with a character outside the BMP as UTF-8, not as an escaped surrogate pair. */
    static final class Jackson {
        private Jackson() {
        }

        static byte[] withSupplementaryAsUtf8(byte[] json) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(json.length);
            int i = 0;
            while (i < json.length) {
                if (json[i] != '\\') {
                    out.write(json[i++]);
                    continue;
                }
                if (json[i + 1] == 'u' && i + 12 <= json.length && json[i + 6] == '\\' && json[i + 7] == 'u') {
                    char high = (char) Integer.parseInt(new String(json, i + 2, 4, StandardCharsets.US_ASCII), 16);
                    char low = (char) Integer.parseInt(new String(json, i + 8, 4, StandardCharsets.US_ASCII), 16);
                    if (Character.isSurrogatePair(high, low)) {
                        out.writeBytes(new String(new char[] {high, low}).getBytes(StandardCharsets.UTF_8));
                        i += 12;
                        continue;
                    }
                }
                // Any other escape, copied whole so that its letters are not read as text.
                int length = json[i + 1] == 'u' ? 6 : 2;
                out.write(json, i, length);
                i += length;
            }
            return out.toByteArray();
        }
    }
}
