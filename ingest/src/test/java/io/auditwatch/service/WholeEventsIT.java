package io.auditwatch.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.ingest.envelope.EnvelopeCodec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole audit events through the real service and broker: real auditd records of
 * src/test/resources/auditctl/auditd-config-change.log (README.md there) sent over TCP, interleaved and
 * with one record missing, come out of {@code kafka.whole-events-topic} one record per event, each with
 * the raw records exactly as {@code audit.events} holds them.
 */
class WholeEventsIT {
    private static final Path LOG = Path.of("src", "test", "resources", "auditctl", "auditd-config-change.log");
    private static final String TOPIC = "audit.auditd-events";

    @TempDir
    Path dir;
    TestService service;
    TopicReader joined;

    @BeforeEach
    void start() {
        service = TestService.start(dir, Map.of("AUDITWATCH_KAFKA_WHOLE_EVENTS_TOPIC", TOPIC));
        joined = new TopicReader(service.bootstrapServers(), TOPIC);
    }

    @AfterEach
    void stop() {
        joined.close();
        service.close();
    }

    private static List<String> records(String eventId) throws IOException {
        return Files.readAllLines(LOG, UTF_8).stream().filter(l -> l.contains("msg=audit(" + eventId + ")")).toList();
    }

    @Test
    void interleavedRecordsBecomeOneEventEachAndAMissingPathIsFlagged() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> service.service().wholeEvents().reading());
        List<String> a = records("1796327355.489:375");
        List<String> b = records("1796327355.489:376");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            lines.add(a.get(i));
            lines.add(b.get(i));
        }
        records("1796327355.489:377").stream().filter(l -> !l.contains("type=PATH")).forEach(lines::add);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), service.tcpPort())) {
            for (String r : lines) {
                s.getOutputStream().write(("<174>1 2026-12-03T19:49:15.489Z node-3 audisp-syslog - - - " + r + "\n")
                        .getBytes(UTF_8));
            }
        }

        JsonNode first = joined.awaitOne("1796327355.489:375\"");
        assertEquals("node-3", first.path("node").asText());
        assertEquals("[\"CONFIG_CHANGE\",\"SYSCALL\",\"SOCKADDR\",\"CWD\",\"PATH\",\"PROCTITLE\"]",
                first.path("types").toString());
        assertEquals("[\"/usr/sbin/\"]", first.path("paths").toString());
        assertEquals("sendto", first.path("syscall").asText());
        assertTrue(first.path("key").isNull());
        assertEquals("complete", first.path("outcome").asText());
        assertFalse(first.path("incomplete").asBoolean());
        // Byte-exact: each joined record is the raw record audit.events holds for it.
        List<JsonNode> stored = service.events().awaitEnvelopes("msg=audit(1796327355.489:375)", a.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(EnvelopeCodec.raw(stored.get(i)),
                    first.path("records").get(i).path("raw").asText().getBytes(UTF_8), "record " + i);
        }
        assertEquals("[\"/var/lib/\"]", joined.awaitOne("1796327355.489:376\"").path("paths").toString());

        JsonNode cut = joined.awaitOne("1796327355.489:377\"");
        assertTrue(cut.path("incomplete").asBoolean(), cut.toString());
        assertEquals("timed_out", cut.path("outcome").asText());
        assertEquals(5, cut.path("records").size());
    }
}
