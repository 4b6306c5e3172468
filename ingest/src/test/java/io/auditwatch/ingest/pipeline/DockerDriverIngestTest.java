package io.auditwatch.ingest.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.ingest.classify.Classifier;
import io.auditwatch.ingest.classify.FragmentReassembler;
import io.auditwatch.ingest.docker.DockerCaptures;
import io.auditwatch.ingest.envelope.EnvelopeCodec;
import io.auditwatch.ingest.envelope.Transport;
import io.auditwatch.ingest.fluentd.ForwardCodec;
import io.auditwatch.ingest.fluentd.ForwardLimits;
import io.auditwatch.ingest.fluentd.ForwardRequest;
import io.auditwatch.ingest.gelf.GelfChunkAssembler;
import io.auditwatch.ingest.gelf.GelfCodec;
import io.auditwatch.ingest.gelf.GelfException;
import io.auditwatch.ingest.kafka.OutboundEvent;
import io.auditwatch.ingest.syslog.Framing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The real engine's fluentd and gelf captures (src/test/resources/docker) through the pipeline:
 * Docker's fields land in the envelope, and a 40,000-byte line comes out whole, or as its three
 * flagged pieces when the sender waits for acknowledgements.
 */
class DockerDriverIngestTest {
    private static final InetSocketAddress DOCKER = new InetSocketAddress("127.0.0.1", 40000);
    private final Ingestor ingestor = new Ingestor(Clock.fixed(Instant.parse("2026-12-03T19:30:00Z"), ZoneOffset.UTC),
            new Classifier(), new NodeResolver(NodeResolver.AddressMap.NONE), new IngestMetrics(new SimpleMeterRegistry()),
            ZoneOffset.UTC, new FragmentReassembler());
    private final List<OutboundEvent> out = new ArrayList<>();

    @Test
    void aFluentdLineCarriesTheContainersFieldsAndTheChunkIdItWasAckedUnder() {
        Peer peer = new Peer(Transport.TCP, "fluentd", DOCKER, null, 1);
        for (ForwardRequest r : requests("fluentd-request-ack.bin")) {
            ingestor.ingestDocker(DockerLine.fromFluentd(r.tag(), r.entries().get(0), r.chunk()), peer, false, out::add);
        }
        assertEquals(2, out.size());
        JsonNode e = stdout(out);
        assertEquals("fluentd", e.get("format").asText());
        assertEquals("msgpack", e.get("framing").asText());
        assertEquals("Hello from Docker.", EnvelopeCodec.message(e));
        assertEquals("container", e.get("stream").asText());
        assertEquals("127.0.0.1", e.get("node").asText(), "fluentd sends no host name: the address decides");
        assertEquals("address", e.get("node_source").asText());
        JsonNode d = e.get("docker");
        assertEquals("fluentd", d.get("driver").asText());
        assertEquals("stdout", d.get("source").asText());
        assertTrue(d.get("container_id").asText().matches("[0-9a-f]{64}"));
        assertTrue(d.get("container_name").asText().startsWith("/"));
        assertEquals(24, d.get("chunk").asText().length());
        assertEquals(d.get("container_id").asText().substring(0, 12), e.get("syslog").get("app_name").asText());
        assertTrue(e.has("raw_base64"), "MessagePack is kept byte for byte");
    }

    @Test
    void aFortyThousandByteFluentdLineWithoutAcksComesOutWhole() {
        Peer peer = new Peer(Transport.TCP, "fluentd", DOCKER, null, 2);
        for (ForwardRequest r : requests("fluentd-request-ack-40000-byte-line.bin")) {
            ingestor.ingestDocker(DockerLine.fromFluentd(r.tag(), r.entries().get(0), null), peer, true, out::add);
        }
        assertEquals(1, out.size());
        JsonNode e = EnvelopeCodec.read(out.get(0).value());
        io.auditwatch.ingest.envelope.EnvelopeAssertions.assertDriverLineFromRawOnly(e, 40_000);
        assertEquals(3, e.get("pieces").size());
        assertTrue(e.get("flags").toString().contains("reassembled"));
        assertTrue(e.get("docker").get("container_name").asText().equals("/aw-capture-long"));
    }

    @Test
    void withAcksEachPieceIsAnEventWithItsPlaceInTheLine() {
        Peer peer = new Peer(Transport.TCP, "fluentd", DOCKER, null, 3);
        for (ForwardRequest r : requests("fluentd-request-ack-40000-byte-line.bin")) {
            ingestor.ingestDocker(DockerLine.fromFluentd(r.tag(), r.entries().get(0), r.chunk()), peer, false, out::add);
        }
        assertEquals(3, out.size());
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            JsonNode e = EnvelopeCodec.read(out.get(i).value());
            assertEquals(i + 1, e.get("docker").get("partial").get("ordinal").asInt());
            assertEquals(i == 2, e.get("docker").get("partial").get("last").asBoolean());
            assertTrue(e.get("flags").toString().contains("partial"));
            line.append(EnvelopeCodec.message(e));
        }
        assertEquals(40_000, line.length());
    }

    @Test
    void aChunkedGelfLineComesOutWholeWithTheHostAsNode() throws GelfException {
        Peer peer = new Peer(Transport.UDP, "gelf-udp", DOCKER, null, 0);
        GelfChunkAssembler chunks = new GelfChunkAssembler(GelfChunkAssembler.DEFAULT_TIMEOUT, 1 << 20, 16, 4 << 20,
                (reason, held) -> { });
        for (byte[] d : DockerCaptures.datagrams("gelf-udp-none-40000-byte-line.bin")) {
            byte[] whole = chunks.offer(DOCKER, d, Instant.EPOCH);
            if (whole != null) {
                ingestor.ingestDocker(DockerLine.fromGelf(GelfCodec.decode(whole, 1 << 20), Framing.DATAGRAM), peer,
                        true, out::add);
            }
        }
        assertEquals(1, out.size());
        JsonNode e = EnvelopeCodec.read(out.get(0).value());
        assertEquals("gelf", e.get("format").asText());
        io.auditwatch.ingest.envelope.EnvelopeAssertions.assertDriverLineFromRawOnly(e, 40_000);
        assertEquals("vm", e.get("node").asText());
        assertEquals("hostname", e.get("node_source").asText());
        assertEquals("auditwatch-it/busybox:static", e.get("docker").get("image_name").asText());
        assertFalse(e.get("docker").has("chunk"));
    }

    private static JsonNode stdout(List<OutboundEvent> events) {
        for (OutboundEvent ev : events) {
            JsonNode e = EnvelopeCodec.read(ev.value());
            if (e.get("docker").get("source").asText().equals("stdout")) {
                return e;
            }
        }
        throw new AssertionError("no stdout event");
    }

    private static List<ForwardRequest> requests(String name) {
        return DockerCaptures.forwardRequests(name).stream()
                .map(f -> ForwardCodec.decode(f, ForwardLimits.DEFAULTS)).toList();
    }
}
