package io.auditwatch.ingest.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.heartbeat.EventHeaders;
import io.auditwatch.ingest.classify.Classifier;
import io.auditwatch.ingest.classify.FragmentReassembler;
import io.auditwatch.ingest.envelope.EnvelopeCodec;
import io.auditwatch.ingest.envelope.Transport;
import io.auditwatch.ingest.kafka.OutboundEvent;
import io.auditwatch.ingest.syslog.SyslogFrame;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * Header hygiene through the pipeline (ingest/README.md, "Header hygiene"): a header field outside
 * RFC 5424's rule is kept in the envelope, flagged and counted, and a bad HOSTNAME never names the
 * node; an impossible timestamp is flagged; RFC 3164 timestamps are read in the configured zone.
 */
class HeaderHygieneIngestTest {
    private static final InetSocketAddress SENDER = new InetSocketAddress("192.0.2.7", 40000);
    private static final Instant NOW = Instant.parse("2026-11-23T17:00:02Z");
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<OutboundEvent> out = new ArrayList<>();

    private Ingestor ingestor(ZoneId rfc3164Zone) {
        return new Ingestor(Clock.fixed(NOW, ZoneOffset.UTC), new Classifier(), new NodeResolver(NodeResolver.AddressMap.NONE),
                new IngestMetrics(registry), rfc3164Zone, new FragmentReassembler());
    }

    private JsonNode ingest(String raw) {
        return ingest(raw.getBytes(StandardCharsets.UTF_8), ZoneOffset.UTC);
    }

    private JsonNode ingest(byte[] raw, ZoneId zone) {
        out.clear();
        ingestor(zone).ingest(SyslogFrame.datagram(raw, 65536), new Peer(Transport.UDP, "udp", SENDER, null, 0), out::add);
        assertEquals(1, out.size());
        return EnvelopeCodec.read(out.get(0).value());
    }

    @Test
    void aHostnameWithALineFeedIsStoredFlaggedCountedAndTheAddressIsTheNode() {
        byte[] raw = "<14>1 2026-11-23T17:00:01Z ucp-manager-1\nforged app - - - x".getBytes(StandardCharsets.UTF_8);
        JsonNode e = ingest(raw, ZoneOffset.UTC);
        assertArrayEquals(raw, EnvelopeCodec.raw(e), "stored exactly");
        assertEquals("ucp-manager-1\nforged", e.get("syslog").get("hostname").asText(), "kept as sent, JSON-escaped");
        assertEquals("192.0.2.7", e.get("node").asText());
        assertEquals("address", e.get("node_source").asText());
        assertEquals("192.0.2.7", header(out.get(0), EventHeaders.NODE));
        assertTrue(flags(e).contains("header_invalid"));
        assertTrue(flags(e).contains("header_invalid:hostname"));
        assertEquals(1.0, counted("hostname"));
        assertEquals(0.0, counted("app_name"));
    }

    @Test
    void a256ByteHostnameIsNotTheNodeButA255ByteOneIs() {
        String h255 = "h".repeat(255);
        JsonNode ok = ingest("<14>1 2026-11-23T17:00:01Z " + h255 + " app - - - x");
        assertEquals(h255, ok.get("node").asText());
        assertFalse(flags(ok).contains("header_invalid"));

        JsonNode over = ingest("<14>1 2026-11-23T17:00:01Z " + h255 + "h app - - - x");
        assertEquals("192.0.2.7", over.get("node").asText());
        assertTrue(flags(over).contains("header_invalid:hostname"));
    }

    @Test
    void anOverlongAppNameIsFlaggedButStillClassifies() {
        // Docker does not hold its tag to APP-NAME's 48 bytes: the event keeps its node and its tag.
        String tag = "registry.example.org/team/nginx:1.25-alpine/web-frontend/3f2a9c1d0b7e";
        JsonNode e = ingest("<30>1 2026-11-23T17:00:01Z dockerhost " + tag + " 1787791 " + tag + " - hello");
        assertEquals("dockerhost", e.get("node").asText());
        assertEquals(tag, e.get("syslog").get("app_name").asText());
        assertTrue(flags(e).contains("header_invalid:app_name"));
        assertTrue(flags(e).contains("header_invalid:msgid"));
        assertFalse(flags(e).contains("header_invalid:hostname"));
        assertEquals(1.0, counted("app_name"));
        assertEquals(1.0, counted("msgid"));
    }

    @Test
    void anImpossibleDateIsFlaggedNotSilentlyTimeless() {
        JsonNode e = ingest("<165>1 2003-09-31T22:14:16Z mymachine.example.com evntslog - ID47 - x");
        assertEquals("rfc5424", e.get("format").asText());
        assertEquals("2003-09-31T22:14:16Z", e.get("syslog").get("timestamp").asText());
        assertNull(e.get("event_time"));
        assertTrue(flags(e).contains("timestamp_invalid"));
        assertNull(header(out.get(0), EventHeaders.SENT));
        assertEquals(1.0, registry.get(IngestMetrics.TIMESTAMP_INVALID.name()).counter().count());

        JsonNode nil = ingest("<165>1 - mymachine.example.com evntslog - ID47 - x");
        assertFalse(flags(nil).contains("timestamp_invalid"), "NIL is no timestamp, not an impossible one");
    }

    @Test
    void rfc3164TimestampsAreReadInTheConfiguredZoneWestOfUtc() {
        // [built] Docker rfc3164 format "<%d>%s %s %s[%d]: %s" from a host in New York.
        byte[] raw = "<30>Nov 23 12:00:01 dockerhost 5790672ab6a0[1787791]: hello".getBytes(StandardCharsets.UTF_8);
        JsonNode e = ingest(raw, ZoneId.of("America/New_York"));
        assertEquals("2026-11-23T17:00:01Z", e.get("event_time").asText());
        assertEquals(Long.toString(Instant.parse("2026-11-23T17:00:01Z").toEpochMilli()), header(out.get(0), EventHeaders.SENT));
    }

    private double counted(String field) {
        return registry.get(IngestMetrics.HEADER_INVALID.name()).tag("field", field).counter().count();
    }

    private static String flags(JsonNode e) {
        return e.has("flags") ? e.get("flags").toString() : "[]";
    }

    private static String header(OutboundEvent e, String key) {
        for (Header h : e.headers()) {
            if (h.key().equals(key)) {
                return new String(h.value(), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
