package io.auditwatch.ingest.docker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.ingest.docker.DriverCase.Transport;
import io.auditwatch.ingest.envelope.EnvelopeCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The envelope's size budget with the real sender: Debian's Docker engine runs a busybox container
 * that prints a 700 KB JSON line (a UCP request-level audit entry's size) and a 1 MiB line (the
 * longest the reassembler joins: 64 pieces of 16 KiB) through its
 * syslog driver, over tcp and over tcp+tls with a client certificate ({@code syslog-format=rfc5424},
 * octet counting on TLS). Each line lands in {@code audit.events} exactly once, whole and byte-exact,
 * as one record. Skipped, with the reason, where dockerd cannot run.
 */
class DockerLargeLineIT {
    static final int JSON_LINE_BYTES = 700_000;
    static final int MIB_LINE_BYTES = 1 << 20;

    @TempDir
    static Path dir;

    static DockerHarness h;
    static String runId;

    @BeforeAll
    static void start() throws Exception {
        h = DockerHarness.start(dir);
        runId = Long.toString(System.nanoTime(), 36);
    }

    @AfterAll
    static void stop() {
        if (h != null) {
            h.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"TCP", "TLS"})
    void a700KbJsonLineAndA1MibLineLandExactlyOnceAndWhole(Transport transport) throws Exception {
        String marker = "aw-big-" + transport.envelopeId + "-" + runId;
        String jsonHead = "{\"marker\":\"json-" + marker + "\",\"requestObject\":\"";
        String jsonTail = "\"}";
        String json = jsonHead + "y".repeat(JSON_LINE_BYTES - jsonHead.length() - jsonTail.length()) + jsonTail;
        String mibHead = "mib-" + marker + " ";
        String mib = mibHead + "z".repeat(MIB_LINE_BYTES - mibHead.length());
        List<String> options = new ArrayList<>(List.of("--log-opt", "syslog-format=rfc5424",
                "--log-opt", "tag={{.Name}}/{{.ID}}", "--name", marker));
        if (transport == Transport.TLS) {
            options.addAll(h.tlsOptions(DockerHarness.CLIENT));
        }
        String script = "printf '%s' '" + jsonHead + "'; /bin/busybox head -c "
                + (JSON_LINE_BYTES - jsonHead.length() - jsonTail.length()) + " /dev/zero | /bin/busybox tr '\\000' y; "
                + "printf '%s\\n' '" + jsonTail + "'; "
                + "printf '%s' '" + mibHead + "'; /bin/busybox head -c " + (MIB_LINE_BYTES - mibHead.length())
                + " /dev/zero | /bin/busybox tr '\\000' z; echo";
        h.runContainer(transport, options, script);

        List<JsonNode> jsonEvents = new ArrayList<>();
        List<JsonNode> mibEvents = new ArrayList<>();
        List<Integer> recordBytes = new ArrayList<>();
        int[] scanned = {0};
        Runnable scan = () -> {
            List<ConsumerRecord<byte[], byte[]>> all = h.reader.records();
            for (; scanned[0] < all.size(); scanned[0]++) {
                byte[] value = all.get(scanned[0]).value();
                if (value.length < 100_000 || !new String(value, 0, 100_000, UTF_8).contains(marker)) {
                    continue;
                }
                JsonNode e = EnvelopeCodec.read(value);
                String m = EnvelopeCodec.message(e);
                if (m.startsWith(jsonHead)) {
                    jsonEvents.add(e);
                    recordBytes.add(value.length);
                } else if (m.startsWith(mibHead)) {
                    mibEvents.add(e);
                    recordBytes.add(value.length);
                }
            }
        };
        await().atMost(DockerHarness.DELIVERY_TIMEOUT).until(() -> {
            h.reader.poll();
            scan.run();
            return !jsonEvents.isEmpty() && !mibEvents.isEmpty();
        });
        // A second copy of either line would follow within the reassembly timeout: read until quiet, look again.
        h.reader.pollUntilQuiet(java.time.Duration.ofSeconds(3), java.time.Duration.ofSeconds(30));
        scan.run();
        System.out.printf("DockerLargeLineIT %s: record values %s bytes%n", transport, recordBytes);
        assertEquals(1, jsonEvents.size(), "700 KB JSON line exactly once");
        assertEquals(1, mibEvents.size(), "1 MiB line exactly once");
        assertWhole(jsonEvents.get(0), json, transport, "reassembled");
        // Docker's syslog driver drops the empty remainder of a line of an exact multiple of 16 KiB
        // (its Log skips empty lines): the 64 pieces are joined whole when the reassembly timeout
        // ends the group, which cannot tell that no piece is missing.
        assertWhole(mibEvents.get(0), mib, transport, "reassembly_incomplete");
        assertEquals(MIB_LINE_BYTES / 16_384, EnvelopeCodec.pieces(mibEvents.get(0)).size(), "64 full pieces");
    }

    private static void assertWhole(JsonNode e, String line, Transport transport, String flag) {
        assertEquals(line, EnvelopeCodec.message(e), "byte-exact line");
        assertTrue(e.get("flags").toString().contains("\"" + flag + "\""), e.get("flags").toString());
        assertEquals(transport.envelopeId, e.at("/source/transport").asText());
        byte[] raw = EnvelopeCodec.raw(e);
        StringBuilder joined = new StringBuilder();
        for (byte[] piece : EnvelopeCodec.pieces(e)) {
            String p = new String(piece, UTF_8);
            assertTrue(p.startsWith("<30>1 "), "each piece is Docker's rfc5424 message");
            joined.append(p);
        }
        assertEquals(new String(raw, UTF_8), joined.toString());
    }
}
