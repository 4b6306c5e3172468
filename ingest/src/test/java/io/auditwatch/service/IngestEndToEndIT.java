package io.auditwatch.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.heartbeat.EventHeaders;
import io.auditwatch.ingest.envelope.EnvelopeCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole ingest path over real sockets into the real embedded broker: what a sender writes is
 * what a consumer of {@code audit.events} reads, byte for byte, with the right key and fields.
 */
class IngestEndToEndIT {
    @RegisterExtension
    static final TestService service = TestService.with(Map.of());

    /** Docker's wire formats ([built] from moby's format strings: ingest/README.md, "Docker's syslog log driver"). */
    static final String DOCKER_DEFAULT = "<30>Nov 23 17:00:01 e2e-default/3f2a9c1d0b7e[1234]: hello from the default format";
    static final String DOCKER_RFC3164 = "<30>Nov 23 17:00:01 e2e-host-3164 web/3f2a9c1d0b7e[1234]: hello rfc3164";
    static final String DOCKER_RFC5424 =
            "<30>1 2026-11-23T17:00:01+01:00 e2e-host-5424 nginx:alpine/web/3f2a9c1d0b7e 1234 nginx:alpine/web/3f2a9c1d0b7e - hello rfc5424";
    static final String DOCKER_MICRO =
            "<27>1 2026-11-23T17:00:01.1234Z e2e-host-micro web 1234 web - hello micro [stderr]";

    @Test
    void framingsOnOneConnectionLandByteForByteWithKeyAndFields() throws Exception {
        String tag = "mixed-" + System.nanoTime();
        String sd = "<14>1 2026-11-23T17:00:02Z e2e-host-sd app - ID47 [ex@32473 a=\"q\\\"uote\" b=\"br\\]\"] " + tag + " sd";
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        octet(wire, DOCKER_MICRO + " " + tag + "\n"); // Docker tcp+tls: the count includes the LF
        wire.write((DOCKER_DEFAULT + " " + tag + "\n").getBytes(UTF_8));
        wire.write((DOCKER_RFC3164 + " " + tag + "\r\n").getBytes(UTF_8));
        wire.write((DOCKER_RFC5424 + " " + tag + "\0").getBytes(UTF_8));
        octet(wire, sd);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), service.tcpPort())) {
            s.getOutputStream().write(wire.toByteArray());
        }

        List<ConsumerRecord<byte[], byte[]>> mine = awaitRecords(tag, 5);
        Map<String, JsonNode> byNode = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : mine) {
            JsonNode env = EnvelopeCodec.read(r.value());
            assertEquals(env.get("node").asText(), new String(r.key(), UTF_8));
            assertEquals(env.get("node").asText(), new String(r.headers().lastHeader(EventHeaders.NODE).value(), UTF_8));
            byNode.put(env.get("node").asText(), env);
        }
        JsonNode micro = byNode.get("e2e-host-micro");
        assertEquals(DOCKER_MICRO + " " + tag, new String(EnvelopeCodec.raw(micro), UTF_8));
        assertEquals("octet_counting", micro.get("framing").asText());
        assertEquals("rfc5424", micro.get("format").asText());
        assertEquals(3, micro.at("/syslog/severity").asInt());
        assertEquals("2026-11-23T17:00:01.1234Z", micro.at("/syslog/timestamp").asText());
        assertEquals("2026-11-23T17:00:01.123400Z", micro.get("event_time").asText());

        // Docker's default format has no HOSTNAME: the node is the sender's address.
        JsonNode dflt = byNode.get("127.0.0.1");
        assertEquals("address", dflt.get("node_source").asText());
        assertEquals("docker_default", dflt.get("format").asText());
        assertEquals("e2e-default/3f2a9c1d0b7e", dflt.at("/syslog/app_name").asText());
        assertEquals(DOCKER_DEFAULT + " " + tag, new String(EnvelopeCodec.raw(dflt), UTF_8));

        JsonNode b3164 = byNode.get("e2e-host-3164");
        assertEquals("crlf", b3164.get("framing").asText());
        assertEquals("web/3f2a9c1d0b7e", b3164.at("/syslog/app_name").asText());
        assertEquals("1234", b3164.at("/syslog/proc_id").asText());

        JsonNode r5424 = byNode.get("e2e-host-5424");
        assertEquals("nul", r5424.get("framing").asText());
        assertEquals("nginx:alpine/web/3f2a9c1d0b7e", r5424.at("/syslog/msg_id").asText());

        JsonNode withSd = byNode.get("e2e-host-sd");
        assertEquals("ex@32473", withSd.at("/syslog/structured_data/0/id").asText());
        assertEquals("q\"uote", withSd.at("/syslog/structured_data/0/params/0/1").asText());
        assertEquals("br]", withSd.at("/syslog/structured_data/0/params/1/1").asText());
        assertEquals(tag + " sd", EnvelopeCodec.message(withSd));
    }

    @Test
    void udpDatagramsLandOnePerMessage() throws Exception {
        String tag = "udp-" + System.nanoTime();
        List<String> sent = List.of(DOCKER_DEFAULT + " " + tag, DOCKER_RFC3164 + " " + tag,
                DOCKER_RFC5424 + " " + tag, DOCKER_MICRO + " " + tag);
        try (DatagramSocket s = new DatagramSocket()) {
            for (String m : sent) {
                byte[] b = (m + "\n").getBytes(UTF_8); // Docker appends LF to every message
                s.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), service.udpPort()));
            }
        }
        List<ConsumerRecord<byte[], byte[]>> mine = awaitRecords(tag, 4);
        List<String> raws = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : mine) {
            JsonNode env = EnvelopeCodec.read(r.value());
            assertEquals("udp", env.at("/source/transport").asText());
            assertEquals("datagram", env.get("framing").asText());
            raws.add(new String(EnvelopeCodec.raw(env), UTF_8));
        }
        assertEquals(new java.util.TreeSet<>(sent), new java.util.TreeSet<>(raws));
    }

    @Test
    void garbageAndInvalidUtf8AreStoredUnparsedAndExact() throws Exception {
        String tag = "garbage-" + System.nanoTime();
        byte[] binary = concat(("not syslog at all " + tag + " ").getBytes(UTF_8), new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF, 1, 2});
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), service.tcpPort())) {
            OutputStream out = s.getOutputStream();
            out.write(binary);
            out.write('\n');
        }
        ConsumerRecord<byte[], byte[]> r = awaitRecords(tag, 1).get(0);
        JsonNode env = EnvelopeCodec.read(r.value());
        assertEquals("unparsed", env.get("format").asText());
        assertTrue(env.has("raw_base64"));
        assertArrayEquals(binary, EnvelopeCodec.raw(env));
        assertTrue(env.get("flags").toString().contains("invalid_utf8"), env.get("flags").toString());
    }

    @Test
    void dockerSixteenKibPiecesAreJoinedIntoOneEventKeepingEveryPiece() throws Exception {
        // Docker's copier cuts a 40,000-byte line into 16384 + 16384 + 7232 bytes and its syslog
        // driver sends each piece as its own message with the same tag (ingest/README.md, "Docker's syslog log driver").
        String marker = "reasm-" + System.nanoTime();
        StringBuilder line = new StringBuilder("{\"audit\":{\"auditID\":\"" + marker + "\",\"requestObject\":\"");
        while (line.length() < 40_000 - 3) {
            line.append('x');
        }
        line.append("\"}}");
        String full = line.substring(0, 40_000);
        String header = "<30>1 2026-11-23T17:00:01.5Z e2e-reasm ucp-controller 1 ucp-controller - ";
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        List<String> pieces = List.of(full.substring(0, 16_384), full.substring(16_384, 32_768), full.substring(32_768));
        for (String p : pieces) {
            wire.write((header + p + "\n").getBytes(UTF_8));
        }
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), service.tcpPort())) {
            s.getOutputStream().write(wire.toByteArray());
        }
        ConsumerRecord<byte[], byte[]> r = awaitRecords(marker, 1).get(0);
        JsonNode env = EnvelopeCodec.read(r.value());
        assertEquals(full, EnvelopeCodec.message(env));
        assertEquals(3, env.get("pieces").size());
        for (int i = 0; i < 3; i++) {
            assertEquals(header + pieces.get(i), new String(EnvelopeCodec.pieces(env).get(i), java.nio.charset.StandardCharsets.UTF_8));
        }
        assertTrue(env.get("flags").toString().contains("reassembled"), env.get("flags").toString());
        assertEquals("ucp-audit", env.get("stream").asText());
    }

    @Test
    void hundredThousandMessagesOverSeveralConnectionsAllLandExactlyOnce() throws Exception {
        int connections = 4;
        int perConnection = 25_000;
        String run = "bulk" + System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<?>> sends = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                int conn = c;
                sends.add(pool.submit(() -> {
                    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), service.tcpPort())) {
                        OutputStream out = new java.io.BufferedOutputStream(s.getOutputStream(), 1 << 16);
                        for (int i = 0; i < perConnection; i++) {
                            int seq = conn * perConnection + i;
                            String m = "<30>1 2026-11-23T17:00:01.5Z " + run + "-" + conn + " app 1 app - seq=" + seq
                                    + " padding-to-look-like-a-docker-line-of-about-two-hundred-and-fifty-bytes-"
                                    + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
                            if (i % 2 == 0) {
                                out.write((m + "\n").getBytes(UTF_8));
                            } else {
                                byte[] b = m.getBytes(UTF_8);
                                out.write((b.length + " ").getBytes(UTF_8));
                                out.write(b);
                            }
                        }
                        out.flush();
                    }
                    return null;
                }));
            }
            for (Future<?> f : sends) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        int total = connections * perConnection;
        BitSet seen = new BitSet(total);
        int[] duplicates = {0};
        int[] scanned = {0};
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ZERO).until(() -> {
            List<ConsumerRecord<byte[], byte[]>> all = service.events().poll();
            for (; scanned[0] < all.size(); scanned[0]++) {
                String v = new String(all.get(scanned[0]).value(), UTF_8);
                int at = v.indexOf("seq=");
                if (at < 0 || !v.contains(run)) {
                    continue;
                }
                int end = at + 4;
                while (Character.isDigit(v.charAt(end))) {
                    end++;
                }
                int seq = Integer.parseInt(v.substring(at + 4, end));
                if (seen.get(seq)) {
                    duplicates[0]++;
                }
                seen.set(seq);
            }
            return seen.cardinality() == total;
        });
        assertEquals(total, seen.cardinality());
        assertEquals(0, duplicates[0]);
    }

    private static List<ConsumerRecord<byte[], byte[]>> awaitRecords(String marker, int count) {
        List<ConsumerRecord<byte[], byte[]>> mine = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            mine.clear();
            for (ConsumerRecord<byte[], byte[]> r : service.events().poll()) {
                if (TopicReader.indexOf(r.value(), marker.getBytes(UTF_8)) >= 0) {
                    mine.add(r);
                }
            }
            return mine.size() >= count;
        });
        assertEquals(count, mine.size());
        return mine;
    }

    private static void octet(ByteArrayOutputStream wire, String message) throws IOException {
        byte[] b = message.getBytes(UTF_8);
        wire.write((b.length + " ").getBytes(UTF_8));
        wire.write(b);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
