package io.auditwatch.ingest.docker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.heartbeat.Stream;
import io.auditwatch.ingest.classify.Classification;
import io.auditwatch.ingest.classify.Classifier;
import io.auditwatch.ingest.classify.FragmentReassembler;
import io.auditwatch.ingest.syslog.Framing;
import io.auditwatch.ingest.syslog.FramingListener;
import io.auditwatch.ingest.syslog.SyslogFormat;
import io.auditwatch.ingest.syslog.SyslogFrame;
import io.auditwatch.ingest.syslog.SyslogFrameDecoder;
import io.auditwatch.ingest.syslog.SyslogMessage;
import io.auditwatch.ingest.syslog.SyslogParser;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bytes a real Docker 20.10.24 engine sent (src/test/resources/docker, provenance in its
 * README) through the framer, the parser, the classifier and the reassembler, without a network:
 * pins what {@link DockerSyslogDriverIT} observed so a framing or parsing change that breaks
 * Docker shows up in the unit tests, also on machines that cannot run dockerd.
 */
class DockerWireFixturesTest {
    /** dockerd's PID during the capture: the PROCID of every fixture message. */
    static final String CAPTURE_PID = "18507";
    static final String CAPTURE_HOST = "vm";
    static final int MAX_MESSAGE = 64 * 1024;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "udp-default.bin,          DATAGRAM,       DOCKER_DEFAULT, false",
        "udp-rfc3164.bin,          DATAGRAM,       RFC3164,        true",
        "udp-rfc5424.bin,          DATAGRAM,       RFC5424,        true",
        "udp-rfc5424micro.bin,     DATAGRAM,       RFC5424,        true",
        "tcp-default.bin,          LF,             DOCKER_DEFAULT, false",
        "tcp-rfc3164.bin,          LF,             RFC3164,        true",
        "tcp-rfc5424.bin,          LF,             RFC5424,        true",
        "tcp-rfc5424micro.bin,     LF,             RFC5424,        true",
        "tcp-tls-default.bin,      LF,             DOCKER_DEFAULT, false",
        "tcp-tls-rfc3164.bin,      LF,             RFC3164,        true",
        "tcp-tls-rfc5424.bin,      OCTET_COUNTING, RFC5424,        true",
        "tcp-tls-rfc5424micro.bin, OCTET_COUNTING, RFC5424,        true",
    })
    void capturedMessageFramesParsesAndClassifiesAsAContainerLine(String file, Framing framing, SyslogFormat format,
            boolean hostname) throws IOException {
        byte[] wire = fixture(file);
        List<SyslogFrame> frames = framing == Framing.DATAGRAM
                ? List.of(SyslogFrame.datagram(wire, MAX_MESSAGE)) : frames(wire);
        assertEquals(1, frames.size());
        SyslogFrame frame = frames.get(0);
        assertEquals(framing, frame.framing());
        SyslogMessage m = SyslogParser.parse(frame.raw());
        assertEquals(format, m.format());
        assertEquals(hostname ? CAPTURE_HOST : null, m.hostname());
        assertEquals(CAPTURE_PID, m.procId());
        assertEquals(6, m.severity());
        assertEquals("Hello from Docker.", m.msg());
        Classification c = new Classifier().classify(m.appName(), m.hostname(), m.msg());
        assertEquals(Stream.CONTAINER, c.stream());
        // Docker's default tag {{.ID}}: the first 12 hex digits of the container ID.
        assertTrue(c.containerId().matches("[0-9a-f]{12}"), c.containerId());
        assertNull(c.containerName());
    }

    @Test
    void octetCountOnTcpTlsIncludesTheTrailingLf() throws IOException {
        String wire = new String(fixture("tcp-tls-rfc5424.bin"), UTF_8);
        int space = wire.indexOf(' ');
        int count = Integer.parseInt(wire.substring(0, space));
        assertEquals(wire.length() - space - 1, count);
        assertTrue(wire.endsWith("\n"));
    }

    @Test
    void microTimestampHasSixDigitsAsDocker2010WritesIt() throws IOException {
        SyslogMessage m = SyslogParser.parse(frames(fixture("tcp-rfc5424micro.bin")).get(0).raw());
        assertTrue(m.timestamp().matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z"), m.timestamp());
    }

    @Test
    void fortyThousandByteLineIsThreePiecesThatJoinIntoOneLine() throws IOException {
        List<SyslogFrame> frames = frames(fixture("tcp-tls-rfc5424micro-40000-byte-line.bin"));
        assertEquals(3, frames.size());
        FragmentReassembler reassembler = new FragmentReassembler();
        List<FragmentReassembler.Reassembled> out = new ArrayList<>();
        int[] sizes = new int[frames.size()];
        for (int i = 0; i < frames.size(); i++) {
            SyslogFrame f = frames.get(i);
            assertEquals(Framing.OCTET_COUNTING, f.framing());
            SyslogMessage m = SyslogParser.parse(f.raw());
            byte[] body = Arrays.copyOfRange(f.raw(), m.msgOffset(), f.raw().length);
            sizes[i] = body.length;
            out.addAll(reassembler.offer(1, m.appName(), f.raw(), body, Instant.EPOCH));
        }
        assertEquals("[16384, 16384, 7232]", Arrays.toString(sizes));
        assertEquals(1, out.size());
        FragmentReassembler.Reassembled whole = out.get(0);
        assertEquals(FragmentReassembler.Outcome.REASSEMBLED, whole.outcome());
        assertEquals(3, whole.pieces());
        String line = new String(whole.msg(), UTF_8);
        assertEquals("long " + "y".repeat(39_995), line);
        assertEquals("aw-capture-long/12432a2cc20f", whole.tag());
        assertEquals(0, reassembler.pendingGroups());
    }

    private static List<SyslogFrame> frames(byte[] wire) {
        EmbeddedChannel channel = new EmbeddedChannel(new SyslogFrameDecoder(MAX_MESSAGE, FramingListener.NONE));
        channel.writeInbound(Unpooled.wrappedBuffer(wire));
        List<SyslogFrame> frames = new ArrayList<>();
        for (Object o; (o = channel.readInbound()) != null; ) {
            frames.add((SyslogFrame) o);
        }
        assertFalse(channel.finish(), "bytes left over after the last frame");
        return frames;
    }

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = DockerWireFixturesTest.class.getResourceAsStream("/docker/" + name)) {
            assertNotNull(in, name);
            return in.readAllBytes();
        }
    }
}
