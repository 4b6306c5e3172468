package io.auditwatch.ingest.fluentd;

import static io.auditwatch.ingest.docker.DockerCaptures.forwardRequests;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

class ForwardCodecTest {

    private static final ForwardLimits LIMITS = ForwardLimits.DEFAULTS;

    @Test
    void dockersRequestWithoutAckIsMessageModeWithContainerFieldsAndNoChunk() {
        List<byte[]> frames = forwardRequests("fluentd-default.bin");
        assertEquals(2, frames.size(), "one request per line: stdout and stderr");
        ForwardRequest out = ForwardCodec.decode(frames.get(0), LIMITS);
        ForwardRequest err = ForwardCodec.decode(frames.get(1), LIMITS);
        if (!"stdout".equals(out.entries().get(0).record().get("source"))) {
            ForwardRequest first = out; // Docker copies stdout and stderr concurrently: either may come first
            out = err;
            err = first;
        }
        assertEquals(ForwardMode.MESSAGE, out.mode());
        assertNull(out.chunk());
        assertTrue(out.tag().matches("[0-9a-f]{12}"), out.tag());
        Map<String, String> record = out.entries().get(0).record();
        assertEquals("Hello from Docker.", record.get("log"));
        assertEquals("stdout", record.get("source"));
        assertTrue(record.get("container_id").matches("[0-9a-f]{64}"));
        assertTrue(record.get("container_id").startsWith(out.tag()));
        assertTrue(record.get("container_name").startsWith("/"));
        assertEquals("to stderr", err.entries().get(0).record().get("log"));
        assertEquals("stderr", err.entries().get(0).record().get("source"));
        assertArrayEquals(frames.get(0), out.entries().get(0).raw(), "Message mode: the event is the request");
    }

    @Test
    void dockersRequestAckCarriesAChunkIdAnsweredWithTheSameId() {
        ForwardRequest r = ForwardCodec.decode(forwardRequests("fluentd-request-ack.bin").get(0), LIMITS);
        assertTrue(r.chunk().matches("[A-Za-z0-9+/]{22}=="), "Base64 of 128 bits: " + r.chunk());
        byte[] ack = ForwardCodec.ack(r.chunk());
        byte[] expected = new byte[6 + r.chunk().length()];
        System.arraycopy(new byte[] {(byte) 0x81, (byte) 0xa3, 'a', 'c', 'k', (byte) (0xa0 | r.chunk().length())},
                0, expected, 0, 6);
        System.arraycopy(r.chunk().getBytes(UTF_8), 0, expected, 6, r.chunk().length());
        assertArrayEquals(expected, ack, "{\"ack\": chunk} as fluent-logger-golang's AckResp reads it");
    }

    @Test
    void dockersSubSecondPrecisionIsAnEventTimeWithNanoseconds() {
        ForwardRequest r = ForwardCodec.decode(forwardRequests("fluentd-request-ack-subsecond.bin").get(0), LIMITS);
        Instant t = r.entries().get(0).time();
        assertTrue(t.getNano() > 0, "EventTime keeps the fraction: " + t);
        ForwardRequest seconds = ForwardCodec.decode(forwardRequests("fluentd-request-ack.bin").get(0), LIMITS);
        assertEquals(0, seconds.entries().get(0).time().getNano());
    }

    @Test
    void dockersFortyThousandByteLineComesAsThreePiecesWithPartialMetadata() {
        List<byte[]> frames = forwardRequests("fluentd-request-ack-40000-byte-line.bin");
        assertEquals(3, frames.size());
        StringBuilder line = new StringBuilder();
        String id = null;
        for (int i = 0; i < 3; i++) {
            ForwardRequest r = ForwardCodec.decode(frames.get(i), LIMITS);
            assertTrue(r.tag().startsWith("aw-capture-long/"), r.tag());
            Map<String, String> rec = r.entries().get(0).record();
            assertEquals("true", rec.get("partial_message"));
            assertEquals(String.valueOf(i + 1), rec.get("partial_ordinal"));
            assertEquals(String.valueOf(i == 2), rec.get("partial_last"));
            id = id == null ? rec.get("partial_id") : id;
            assertEquals(id, rec.get("partial_id"));
            line.append(rec.get("log"));
        }
        assertEquals(40_000, line.length());
        assertTrue(line.toString().startsWith("long yyy"));
    }

    @Test
    void forwardModeCarriesEveryEntryWithItsOwnRawBytes() throws IOException {
        MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
        p.packArrayHeader(3).packString("app").packArrayHeader(2);
        p.packArrayHeader(2).packLong(1_700_000_000L).packMapHeader(1).packString("log").packString("one");
        p.packArrayHeader(2).packLong(1_700_000_001L).packMapHeader(1).packString("log").packString("two");
        p.packMapHeader(2).packString("size").packInt(2).packString("chunk").packString("abc");
        ForwardRequest r = ForwardCodec.decode(p.toByteArray(), LIMITS);
        assertEquals(ForwardMode.FORWARD, r.mode());
        assertEquals("abc", r.chunk());
        assertEquals(List.of("one", "two"), r.entries().stream().map(e -> e.record().get("log")).toList());
        assertEquals(Instant.ofEpochSecond(1_700_000_001L), r.entries().get(1).time());
        ForwardRequest again = ForwardCodec.decode(message(r.entries().get(1).raw()), LIMITS);
        assertEquals("two", again.entries().get(0).record().get("log"), "an entry's raw bytes are the entry");
    }

    @Test
    void packedForwardAcceptsBinAndStr() throws IOException {
        byte[] stream = entries("a", "b", "c");
        for (boolean bin : new boolean[] {true, false}) {
            MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
            p.packArrayHeader(3).packString("app");
            if (bin) {
                p.packBinaryHeader(stream.length);
            } else {
                p.packRawStringHeader(stream.length);
            }
            p.writePayload(stream);
            p.packMapHeader(1).packString("chunk").packString("id1");
            ForwardRequest r = ForwardCodec.decode(p.toByteArray(), LIMITS);
            assertEquals(ForwardMode.PACKED_FORWARD, r.mode());
            assertEquals(List.of("a", "b", "c"), r.entries().stream().map(e -> e.record().get("log")).toList());
        }
    }

    @Test
    void compressedPackedForwardInflatesConcatenatedGzipMembers() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        gz.write(gzip(entries("a", "b")));
        gz.write(gzip(entries("c")));
        ForwardRequest r = ForwardCodec.decode(packed(gz.toByteArray(), "gzip", 3), LIMITS);
        assertEquals(ForwardMode.COMPRESSED_PACKED_FORWARD, r.mode());
        assertEquals(List.of("a", "b", "c"), r.entries().stream().map(e -> e.record().get("log")).toList());
    }

    @Test
    void aGzipBombIsRefusedAtTheInflationBound() throws IOException {
        ForwardLimits small = new ForwardLimits(1 << 20, 1000, 64 * 1024, 100, 8);
        byte[] bomb = gzip(new byte[10 << 20]);
        assertTrue(bomb.length < 20_000, "10 MiB of zeros gzip to " + bomb.length + " bytes");
        ForwardException e = assertThrows(ForwardException.class,
                () -> ForwardCodec.decode(packed(bomb, "gzip", -1), small));
        assertEquals(ForwardError.BAD_COMPRESSION, e.error());
    }

    @Test
    void aSizeOptionAboveTheEntryBoundIsRefusedBeforeDecoding() throws IOException {
        ForwardLimits small = new ForwardLimits(1 << 20, 10, 1 << 20, 100, 8);
        ForwardException e = assertThrows(ForwardException.class,
                () -> ForwardCodec.decode(packed(gzip(entries("a")), "gzip", 1_000_000), small));
        assertEquals(ForwardError.TOO_MANY_ENTRIES, e.error());
    }

    @Test
    void aLengthBeyondTheRequestIsMalformedAndAllocatesNothing() {
        // PackedForward whose stream holds [1, {"log": str32 of 2^31-1 bytes}] and ends there.
        byte[] stream = {(byte) 0x92, 0x01, (byte) 0x81, (byte) 0xa3, 'l', 'o', 'g',
            (byte) 0xdb, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        ForwardException e = assertThrows(ForwardException.class,
                () -> ForwardCodec.decode(packed(stream, null, -1), LIMITS));
        assertEquals(ForwardError.MALFORMED, e.error());
    }

    @Test
    void nestingDeeperThanTheBoundIsRefused() throws IOException {
        MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
        p.packArrayHeader(3).packString("app").packLong(1).packMapHeader(1).packString("deep");
        for (int i = 0; i < 100; i++) {
            p.packArrayHeader(1);
        }
        p.packNil();
        ForwardException e = assertThrows(ForwardException.class, () -> ForwardCodec.decode(p.toByteArray(), LIMITS));
        assertEquals(ForwardError.TOO_DEEP, e.error());
    }

    @Test
    void nestedValuesWithinTheBoundBecomeJsonText() throws IOException {
        MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
        p.packArrayHeader(3).packString("app").packLong(1).packMapHeader(1).packString("kv");
        p.packMapHeader(2).packString("a").packInt(1).packString("b").packArrayHeader(2).packString("x\"").packNil();
        ForwardRequest r = ForwardCodec.decode(p.toByteArray(), LIMITS);
        assertEquals("{\"a\":1,\"b\":[\"x\\\"\",null]}", r.entries().get(0).record().get("kv"));
    }

    @Test
    void invalidUtf8IsReplacedAndFlagged() throws IOException {
        MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
        p.packArrayHeader(3).packString("app").packLong(1).packMapHeader(1).packString("log");
        p.packRawStringHeader(3).writePayload(new byte[] {'a', (byte) 0xff, 'b'});
        ForwardEntry e = ForwardCodec.decode(p.toByteArray(), LIMITS).entries().get(0);
        assertFalse(e.utf8Valid());
        assertEquals("a\ufffdb", e.record().get("log"));
    }

    @Test
    void wrongShapesAndTimesAreTyped() throws IOException {
        MessageBufferPacker shape = MessagePack.newDefaultBufferPacker();
        shape.packArrayHeader(5).packString("a").packLong(1).packMapHeader(0).packMapHeader(0).packNil();
        assertEquals(ForwardError.BAD_SHAPE,
                assertThrows(ForwardException.class, () -> ForwardCodec.decode(shape.toByteArray(), LIMITS)).error());
        MessageBufferPacker time = MessagePack.newDefaultBufferPacker();
        time.packArrayHeader(3).packString("a").packExtensionTypeHeader((byte) 1, 8).writePayload(new byte[8])
                .packMapHeader(0);
        assertEquals(ForwardError.BAD_TIME,
                assertThrows(ForwardException.class, () -> ForwardCodec.decode(time.toByteArray(), LIMITS)).error());
        MessageBufferPacker record = MessagePack.newDefaultBufferPacker();
        record.packArrayHeader(3).packString("a").packLong(1).packString("not a map");
        assertEquals(ForwardError.BAD_RECORD,
                assertThrows(ForwardException.class, () -> ForwardCodec.decode(record.toByteArray(), LIMITS)).error());
        MessageBufferPacker chunk = MessagePack.newDefaultBufferPacker();
        chunk.packArrayHeader(4).packString("a").packLong(1).packMapHeader(0).packMapHeader(1).packString("chunk")
                .packString("x".repeat(ForwardLimits.MAX_CHUNK_BYTES + 1));
        assertEquals(ForwardError.BAD_OPTION,
                assertThrows(ForwardException.class, () -> ForwardCodec.decode(chunk.toByteArray(), LIMITS)).error());
    }

    /** Concatenated {@code [time, {"log": line}]} entries. */
    static byte[] entries(String... lines) throws IOException {
        MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
        long t = 1_700_000_000L;
        for (String line : lines) {
            p.packArrayHeader(2).packLong(t++).packMapHeader(1).packString("log").packString(line);
        }
        return p.toByteArray();
    }

    /** {@code [tag, bin, option]}; {@code size < 0} leaves size out. */
    static byte[] packed(byte[] stream, String compressed, int size) throws IOException {
        MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
        p.packArrayHeader(3).packString("app").packBinaryHeader(stream.length).writePayload(stream);
        p.packMapHeader((compressed != null ? 1 : 0) + (size >= 0 ? 1 : 0));
        if (compressed != null) {
            p.packString("compressed").packString(compressed);
        }
        if (size >= 0) {
            p.packString("size").packInt(size);
        }
        return p.toByteArray();
    }

    /** {@code [tag, time, record]} around an entry's time and record (the entry minus its fixarray header byte). */
    private static byte[] message(byte[] entry) throws IOException {
        MessageBufferPacker m = MessagePack.newDefaultBufferPacker();
        m.packArrayHeader(3).packString("app");
        m.writePayload(entry, 1, entry.length - 1);
        return m.toByteArray();
    }

    static byte[] gzip(byte[] in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(in);
        }
        return out.toByteArray();
    }
}
