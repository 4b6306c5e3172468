package io.auditwatch.ingest.docker;

import io.auditwatch.ingest.envelope.EnvelopeCodec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.service.TestService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docker's own fluentd and gelf log drivers (Debian's docker.io 20.10.24, a private engine as in
 * {@link DockerSyslogDriverIT}) pointed at auditwatch's fluentd and gelf listeners: every line of a
 * container lands in {@code audit.events} exactly once with its container fields, and a
 * 40,000-byte line comes out whole (or, with fluentd acknowledgements, as its three pieces that
 * Docker's partial metadata puts back together).
 */
class DockerForwardingDriversIT {
    /** Lines per run: enough that ordering or a lost ack would show, few enough for a 2-core machine. */
    static final int LINES = 200;
    /** The 40,000-byte line of the captures: Docker cuts it into 16384 + 16384 + 7232 bytes. */
    static final String LONG_LINE = "printf 'long '; /bin/busybox head -c 39995 /dev/zero | /bin/busybox tr '\\000' y; echo";

    @TempDir
    static Path dir;
    static DockerEngine docker;
    static TestService service;
    static int fluentdPort;
    static int gelfPort;

    @BeforeAll
    static void start() throws Exception {
        docker = DockerEngine.start(Files.createDirectories(dir.resolve("e")));
        fluentdPort = TestService.freeTcpPort();
        gelfPort = TestService.freeTcpPort();
        try {
            service = TestService.start(dir.resolve("data"), Map.of(
                    "AUDITWATCH_LISTENERS_FLUENTD_ENABLED", "true",
                    "AUDITWATCH_LISTENERS_FLUENTD_HOST", "127.0.0.1",
                    "AUDITWATCH_LISTENERS_FLUENTD_PORT", Integer.toString(fluentdPort),
                    "AUDITWATCH_LISTENERS_GELF_ENABLED", "true",
                    "AUDITWATCH_LISTENERS_GELF_HOST", "127.0.0.1",
                    "AUDITWATCH_LISTENERS_GELF_PORT", Integer.toString(gelfPort)));
        } catch (RuntimeException | Error e) {
            docker.close();
            throw e;
        }
    }

    @AfterAll
    static void stop() {
        try {
            if (service != null) {
                service.close();
            }
        } finally {
            docker.close();
        }
    }

    /**
     * Only stdout here: Docker copies stdout and stderr on two goroutines that share the driver's one
     * connection, and fluent-logger-golang 1.9 reads each ack outside its connection lock, so a
     * container writing both at once can have its acks read by the wrong writer (a mismatch: the
     * driver reconnects and sends again, duplicates) or swallowed (that stream stalls). Seen here
     * with the last of 200 lines on stderr: once 38 duplicates, once lines still missing after 90 s.
     */
    @Test
    void fluentdWithAcknowledgementsDeliversEveryLineOnceAndTheLongLineAsItsPieces() throws IOException {
        run("fluentd", List.of("--log-opt", "fluentd-address=tcp://127.0.0.1:" + fluentdPort,
                "--log-opt", "fluentd-request-ack=true", "--log-opt", "tag=fd-ack/{{.ID}}"), "fd-ack-", false);
        List<JsonNode> lines = awaitLines("line-fd-ack-");
        assertExactlyOnce(lines, "line-fd-ack-");
        for (JsonNode e : lines) {
            assertContainerFields(e, "fluentd", false);
            assertEquals(24, e.at("/docker/chunk").asText().length(), "acknowledged under its chunk id");
        }
        List<JsonNode> pieces = new ArrayList<>(service.events().awaitEnvelopes("\"tag\":\"long-fd-ack-", 3));
        pieces.sort(Comparator.comparingInt(e -> e.at("/docker/partial/ordinal").asInt()));
        String joined = pieces.stream().map(e -> EnvelopeCodec.message(e)).collect(Collectors.joining());
        assertEquals(40_000, joined.length());
        assertTrue(pieces.get(2).at("/docker/partial/last").asBoolean());
        assertEquals(1, pieces.stream().map(e -> e.at("/docker/partial/id").asText()).distinct().count());
    }

    @Test
    void fluentdWithoutAcknowledgementsDeliversEveryLineOnceAndTheLongLineWhole() throws IOException {
        run("fluentd", List.of("--log-opt", "fluentd-address=tcp://127.0.0.1:" + fluentdPort,
                "--log-opt", "tag=fd-plain/{{.ID}}"), "fd-plain-", true);
        List<JsonNode> lines = service.events().awaitEnvelopes("line-fd-plain-", LINES);
        assertExactlyOnce(lines, "line-fd-plain-");
        lines.forEach(e -> assertContainerFields(e, "fluentd"));
        JsonNode whole = service.events().awaitOne("\"tag\":\"long-fd-plain-");
        io.auditwatch.ingest.envelope.EnvelopeAssertions.assertDriverLineFromRawOnly(whole, 40_000);
        assertEquals(3, whole.get("pieces").size());
    }

    @Test
    void fluentdOverTlsIsNotOfferedByDocker20() {
        IOException e = assertThrows(IOException.class, () -> docker.docker("run", "--rm", "--network", "none",
                "--log-driver", "fluentd", "--log-opt", "fluentd-address=tcp+tls://127.0.0.1:" + fluentdPort,
                DockerEngine.IMAGE, "/bin/true"));
        assertTrue(e.getMessage().contains("unknown network tcp+tls"), e.getMessage());
    }

    @Test
    void gelfOverUdpWithGzipDeliversEveryLineOnceAndAChunkedLineWhole() throws IOException {
        run("gelf", List.of("--log-opt", "gelf-address=udp://127.0.0.1:" + gelfPort,
                "--log-opt", "tag=gelf-udp/{{.ID}}"), "gelf-udp-", true);
        List<JsonNode> lines = service.events().awaitEnvelopes("line-gelf-udp-", LINES);
        assertExactlyOnce(lines, "line-gelf-udp-");
        lines.forEach(e -> assertContainerFields(e, "gelf"));
        JsonNode whole = service.events().awaitOne("\"tag\":\"long-gelf-udp-");
        io.auditwatch.ingest.envelope.EnvelopeAssertions.assertDriverLineFromRawOnly(whole, 40_000);
    }

    @Test
    void gelfOverTcpDeliversEveryLineOnceAndTheLongLineWhole() throws IOException {
        run("gelf", List.of("--log-opt", "gelf-address=tcp://127.0.0.1:" + gelfPort,
                "--log-opt", "tag=gelf-tcp/{{.ID}}"), "gelf-tcp-", true);
        List<JsonNode> lines = service.events().awaitEnvelopes("line-gelf-tcp-", LINES);
        assertExactlyOnce(lines, "line-gelf-tcp-");
        lines.forEach(e -> assertContainerFields(e, "gelf"));
        JsonNode whole = service.events().awaitOne("\"tag\":\"long-gelf-tcp-");
        io.auditwatch.ingest.envelope.EnvelopeAssertions.assertDriverLineFromRawOnly(whole, 40_000);
    }

    /**
     * Two containers: {@link #LINES} lines {@code line-<prefix><n>} (the last on stderr if asked), and the
     * 40,000-byte line under the tag {@code long-<prefix>/<id>}.
     */
    private static void run(String driver, List<String> options, String prefix, boolean lastOnStderr)
            throws IOException {
        List<String> args = new ArrayList<>(List.of("run", "--rm", "--network", "none", "--log-driver", driver));
        args.addAll(options);
        args.addAll(List.of(DockerEngine.IMAGE, "/bin/sh", "-c", "i=1; while [ $i -lt " + LINES + " ]; do echo "
                + "line-" + prefix + "$i; i=$((i+1)); done; echo line-" + prefix + LINES + (lastOnStderr ? " >&2" : "")));
        docker.docker(args.toArray(String[]::new));
        List<String> longRun = new ArrayList<>(List.of("run", "--rm", "--network", "none", "--log-driver", driver));
        for (String o : options) {
            longRun.add(o.startsWith("tag=") ? "tag=long-" + prefix + "/{{.ID}}" : o);
        }
        longRun.addAll(List.of(DockerEngine.IMAGE, "/bin/sh", "-c", LONG_LINE));
        docker.docker(longRun.toArray(String[]::new));
    }

    private static void assertExactlyOnce(List<JsonNode> events, String prefix) {
        Set<String> messages = new TreeSet<>();
        for (JsonNode e : events) {
            assertTrue(messages.add(EnvelopeCodec.message(e)), "twice: " + e.at("/syslog/message") + " "
                    + events.stream().filter(o -> o.at("/syslog/message").equals(e.at("/syslog/message")))
                            .map(o -> o.get("id") + " " + o.get("received_at") + " " + o.at("/docker/chunk") + " "
                                    + o.at("/source/port")).toList());
        }
        assertEquals(IntStream.rangeClosed(1, LINES).mapToObj(i -> prefix + i).collect(Collectors.toCollection(TreeSet::new)),
                messages);
    }

    /** Every envelope carrying {@code marker}, once all {@link #LINES} distinct lines are there. */
    private static List<JsonNode> awaitLines(String marker) {
        List<JsonNode> found = new ArrayList<>();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(90)).until(() -> {
            found.clear();
            for (var r : service.events().poll()) {
                if (new String(r.value(), java.nio.charset.StandardCharsets.UTF_8).contains(marker)) {
                    found.add(io.auditwatch.ingest.envelope.EnvelopeCodec.read(r.value()));
                }
            }
            return found.stream().map(e -> EnvelopeCodec.message(e)).distinct().count() >= LINES;
        });
        return found;
    }

    private static void assertContainerFields(JsonNode e, String driver) {
        assertContainerFields(e, driver, true);
    }

    private static void assertContainerFields(JsonNode e, String driver, boolean lastOnStderr) {
        assertEquals(driver, e.get("format").asText());
        assertEquals(driver, e.at("/docker/driver").asText());
        assertTrue(e.at("/docker/container_id").asText().matches("[0-9a-f]{64}"), e.toString());
        assertNotNull(e.at("/docker/container_name").textValue());
        assertEquals("container", e.get("stream").asText());
        String source = e.at("/docker/source").asText();
        assertEquals(lastOnStderr && EnvelopeCodec.message(e).endsWith("-" + LINES) ? "stderr" : "stdout", source);
    }

}
