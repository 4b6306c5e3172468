package io.auditwatch.ingest.syslog;

import static io.auditwatch.ingest.syslog.HeaderFieldTest.printable;
import static io.auditwatch.ingest.syslog.HeaderFieldTest.rfc5424With;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.ingest.envelope.EnvelopeCodec;
import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.auditwatch.service.TestService;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Header hygiene end to end (ingest/README.md, "Header hygiene"): RFC 5424 header cases built from its
 * own grammar ({@link HeaderFieldTest}), each field exactly at its bound, one byte over, with a control
 * byte and with a line feed inside, sent as raw bytes over octet-counted TCP (RFC 6587 section 3.4.1)
 * and over UDP (RFC 5426) to the running service, and read back from {@code audit.events}: stored
 * exactly, flagged, counted, and a bad HOSTNAME is not the node. Raw sockets, because logger refuses
 * or rewrites such fields.
 */
class HeaderHygieneIT {
    private static final String SENDER = "127.0.0.1";

    @RegisterExtension
    static final TestService service = TestService.with(Map.of());

    /** The RFC 5424 variations of one field: name to value. */
    private static Map<String, byte[]> variations(HeaderField field) {
        Map<String, byte[]> v = new LinkedHashMap<>();
        v.put("at-bound", printable(field.maxBytes));
        v.put("one-over", printable(field.maxBytes + 1));
        v.put("control", new byte[] {'a', 0x01, 'b'});
        v.put("lf", new byte[] {'a', '\n', 'b'});
        return v;
    }

    /** Every variation of every field, by the case name its MSG carries (followed by " end"). */
    private static Map<String, byte[]> cases(String run) {
        Map<String, byte[]> sent = new LinkedHashMap<>();
        for (HeaderField f : HeaderField.values()) {
            variations(f).forEach((name, value) -> {
                String c = run + "-" + f + "-" + name;
                sent.put(c, rfc5424With(f, value, c + " end"));
            });
        }
        return sent;
    }

    @Test
    void headerCasesOverOctetCountedTcp() throws Exception {
        Map<String, byte[]> sent = cases("tcp-" + System.nanoTime());
        double before = invalidCount();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), service.tcpPort())) {
            OutputStream out = s.getOutputStream();
            for (byte[] m : sent.values()) {
                out.write((m.length + " ").getBytes(UTF_8));
                out.write(m);
            }
        }
        check(sent, "octet_counting");
        assertEquals(before + 12, invalidCount(), "three broken variations of each of four fields");
    }

    @Test
    void headerCasesOverUdp() throws Exception {
        Map<String, byte[]> sent = cases("udp-" + System.nanoTime());
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            for (byte[] m : sent.values()) {
                s.send(new DatagramPacket(m, m.length, InetAddress.getLoopbackAddress(), service.udpPort()));
            }
        }
        check(sent, "datagram");
    }

    @Test
    void anImpossibleDateIsStoredAndFlaggedOverTcp() throws Exception {
        // [built] RFC 5424 section 6.5 example 1 with September 31.
        String marker = "impossible-" + System.nanoTime();
        byte[] m = ("<165>1 2003-09-31T22:14:16Z mymachine.example.com evntslog - ID47 - " + marker).getBytes(UTF_8);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), service.tcpPort())) {
            s.getOutputStream().write((m.length + " ").getBytes(UTF_8));
            s.getOutputStream().write(m);
        }
        JsonNode e = service.events().awaitOne(marker);
        assertArrayEquals(m, EnvelopeCodec.raw(e));
        assertEquals("rfc5424", e.get("format").asText());
        assertEquals("mymachine.example.com", e.get("node").asText());
        assertNull(e.get("event_time"));
        assertTrue(e.get("flags").toString().contains("timestamp_invalid"));
        assertTrue(service.service().registry().get(IngestMetrics.TIMESTAMP_INVALID.name()).counter().count() >= 1);
    }

    private static void check(Map<String, byte[]> sent, String framing) {
        for (Map.Entry<String, byte[]> c : sent.entrySet()) {
            String name = c.getKey();
            JsonNode e = service.events().awaitOne(name + " end");
            assertArrayEquals(c.getValue(), EnvelopeCodec.raw(e), name + ": stored exactly");
            assertEquals(framing, e.get("framing").asText(), name);
            assertEquals("rfc5424", e.get("format").asText(), name + ": parsed, not rejected");
            String flags = e.has("flags") ? e.get("flags").toString() : "[]";
            boolean valid = name.endsWith("-at-bound");
            String field = name.replaceAll(".*-(HOSTNAME|APP_NAME|PROCID|MSGID)-.*", "$1").toLowerCase(java.util.Locale.ROOT);
            assertEquals(!valid, flags.contains("\"header_invalid\""), name + " " + flags);
            assertEquals(!valid, flags.contains("header_invalid:" + field), name + " " + flags);
            if (field.equals("hostname")) {
                String node = e.get("node").asText();
                if (valid) {
                    assertEquals(e.at("/syslog/hostname").asText(), node, name);
                    assertEquals("hostname", e.get("node_source").asText(), name);
                } else {
                    assertEquals(SENDER, node, name + ": a bad HOSTNAME is not the node");
                    assertEquals("address", e.get("node_source").asText(), name);
                    assertFalse(node.contains("\n"), name);
                }
            } else {
                assertEquals("host-1", e.get("node").asText(), name);
            }
        }
        assertTrue(List.of("hostname", "app_name", "procid", "msgid").stream().allMatch(f -> invalidCount(f) > 0));
    }

    private static double invalidCount() {
        return service.service().registry().find(IngestMetrics.HEADER_INVALID.name()).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    private static double invalidCount(String field) {
        return service.service().registry().get(IngestMetrics.HEADER_INVALID.name()).tag("field", field).counter().count();
    }
}
