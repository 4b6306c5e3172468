package io.auditwatch.ingest.pipeline;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.ingest.classify.Classifier;
import io.auditwatch.ingest.classify.FragmentReassembler;
import io.auditwatch.ingest.envelope.EnvelopeCodec;
import io.auditwatch.ingest.envelope.Transport;
import io.auditwatch.ingest.kafka.OutboundEvent;
import io.auditwatch.ingest.syslog.Framing;
import io.auditwatch.ingest.syslog.SyslogFrame;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The envelope's size budget (ingest/README.md, "The envelope"): the message is stored once, so a
 * reassembled 1 MiB Docker line fits one record, and no envelope passes
 * {@link EnvelopeCodec#maxEncodedBytes} whatever its bytes. The frames are Docker's rfc5424 layout
 * ({@code "<%d>%d %s %s %s %d %s - %s"}, moby daemon/logger/syslog), cut at its 16 KiB copier buffer.
 */
class EnvelopeBudgetTest {
    private static final InetSocketAddress DOCKER = new InetSocketAddress("127.0.0.1", 40001);
    private static final String HEADER = "<30>1 2026-12-03T19:30:00.123456Z node-7 ucp-controller/0123456789ab 1234 "
            + "ucp-controller/0123456789ab - ";
    private final Ingestor ingestor = new Ingestor(Clock.fixed(Instant.parse("2026-12-03T19:30:00Z"), ZoneOffset.UTC),
            new Classifier(), new NodeResolver(NodeResolver.AddressMap.NONE), new IngestMetrics(new SimpleMeterRegistry()),
            ZoneOffset.UTC, new FragmentReassembler());
    private final List<OutboundEvent> out = new ArrayList<>();

    @Test
    void aOneMebibyteDockerLineIsOneRecordWithinTheBudgetAndComesBackByteExact() {
        String line = textLine(FragmentReassembler.DEFAULT_MAX_REASSEMBLED_BYTES);
        List<byte[]> frames = send(line, 1);
        assertEquals(1, out.size(), "one event");
        OutboundEvent event = out.get(0);
        JsonNode e = EnvelopeCodec.read(event.value());
        assertEquals(line, EnvelopeCodec.message(e));
        assertEquals(frames.size(), EnvelopeCodec.pieces(e).size());
        for (int i = 0; i < frames.size(); i++) {
            assertArrayEquals(frames.get(i), EnvelopeCodec.pieces(e).get(i), "piece " + i);
        }
        long budget = EnvelopeCodec.maxEncodedBytes(FragmentReassembler.maxReassembledRawBytes(
                FragmentReassembler.DEFAULT_MAX_REASSEMBLED_BYTES));
        assertTrue(event.value().length <= budget, event.value().length + " > " + budget);
        // Stored once: the text of the line plus its quotes escaped and the pieces' headers.
        assertTrue(event.value().length < line.length() * 1.3, "record of " + event.value().length);
        assertTrue(e.get("flags").toString().contains("reassembled"));
    }

    @Test
    void recordSizesOfA250ByteA327KbAndA1MibMessage() {
        int[] sizes = {250, 327_000, FragmentReassembler.DEFAULT_MAX_REASSEMBLED_BYTES};
        for (int i = 0; i < sizes.length; i++) {
            out.clear();
            send(textLine(sizes[i]), 10 + i);
            OutboundEvent event = out.get(0);
            long record = event.sizeInBytes();
            System.out.printf("EnvelopeBudgetTest: %d-byte message -> %d-byte envelope, %d bytes with key and headers%n",
                    sizes[i], event.value().length, record);
            assertTrue(event.value().length < sizes[i] * 1.3 + 1024, sizes[i] + ": " + event.value().length);
        }
    }

    @Test
    void controlBytesAreStoredAsBase64NotSixfoldEscapes() {
        byte[] body = new byte[60_000];
        Arrays.fill(body, (byte) 0x01);
        byte[] raw = concat(HEADER.getBytes(UTF_8), body);
        ingestor.ingest(new SyslogFrame(raw, Framing.LF, false, -1), new Peer(Transport.TCP, "tcp", DOCKER, null, 20),
                out::add);
        JsonNode e = EnvelopeCodec.read(out.get(0).value());
        assertTrue(e.has("raw_base64"), "base64 is shorter than \\u0001 escapes");
        assertArrayEquals(raw, EnvelopeCodec.raw(e));
        assertTrue(out.get(0).value().length <= EnvelopeCodec.maxEncodedBytes(raw.length));
        assertTrue(out.get(0).value().length < raw.length * 4 / 3 + 2048, "record of " + out.get(0).value().length);
    }

    @Test
    void aFrameThatIsAlmostAllStructuredDataIsWrittenReducedWithinTheBudget() {
        StringBuilder sd = new StringBuilder();
        for (int i = 0; sd.length() < 60_000; i++) {
            sd.append("[x@1 p=\"\\\"\u0001\\\"\u0001\\\"\u0001\\\"\u0001\\\"\"]");
        }
        byte[] raw = ("<30>1 2026-12-03T19:30:00Z node-7 app 1 - " + sd + " hello").getBytes(UTF_8);
        ingestor.ingest(new SyslogFrame(raw, Framing.LF, false, -1), new Peer(Transport.TCP, "tcp", DOCKER, null, 21),
                out::add);
        byte[] value = out.get(0).value();
        assertTrue(value.length <= EnvelopeCodec.maxEncodedBytes(raw.length), value.length + " bytes");
        JsonNode e = EnvelopeCodec.read(value);
        assertArrayEquals(raw, EnvelopeCodec.raw(e));
    }

    /** Sends {@code line} as Docker does (16 KiB pieces, then the remainder, empty at a multiple). */
    private List<byte[]> send(String line, long connection) {
        byte[] body = line.getBytes(UTF_8);
        Peer peer = new Peer(Transport.TCP, "tcp", DOCKER, null, connection);
        List<byte[]> frames = new ArrayList<>();
        int at = 0;
        do {
            int n = Math.min(FragmentReassembler.DOCKER_PIECE_BYTES, body.length - at);
            byte[] frame = concat(HEADER.getBytes(UTF_8), Arrays.copyOfRange(body, at, at + n));
            frames.add(frame);
            ingestor.ingest(new SyslogFrame(frame, Framing.LF, false, -1), peer, out::add);
            at += n;
            if (n < FragmentReassembler.DOCKER_PIECE_BYTES) {
                break;
            }
        } while (true);
        return frames;
    }

    /** A UCP-like text with quotes (escaped in JSON) of exactly {@code bytes} bytes. */
    private static String textLine(int bytes) {
        StringBuilder b = new StringBuilder(bytes);
        String unit = "level=info msg=\"audit\" requestURI=\"/containers/json\" ";
        while (b.length() < bytes) {
            b.append(unit);
        }
        b.setLength(bytes);
        return b.toString();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(a.length + b.length);
        o.writeBytes(a);
        o.writeBytes(b);
        return o.toByteArray();
    }
}
