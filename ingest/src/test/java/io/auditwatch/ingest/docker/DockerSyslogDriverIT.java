package io.auditwatch.ingest.docker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.ingest.docker.DriverCase.Transport;
import io.auditwatch.ingest.envelope.EnvelopeCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real sender: Debian's Docker engine (started privately by {@link DockerEngine}) runs a busybox
 * container per transport (udp, tcp, tcp+tls with a client certificate) and format (default,
 * rfc3164, rfc5424, rfc5424micro), through Docker's own syslog driver, into auditwatch on the
 * embedded broker. Each container writes a stdout line, a stderr line and a 40,000-byte line; every
 * one must land in {@code audit.events} exactly once with the right node, stream, container, text,
 * framing, format and raw bytes. Skipped, with the reason, where dockerd cannot run.
 */
class DockerSyslogDriverIT {
    /** Docker's copier cuts lines at 16 KiB: 40,000 bytes arrive as 16384 + 16384 + 7232. */
    static final int LONG_LINE_BYTES = 40_000;
    static final int[] LONG_PIECES = {16_384, 16_384, 7_232};
    /** Containers at once: the runs mostly wait on dockerd; more would only queue on 2 cores. */
    static final int PARALLEL_RUNS = 3;

    @TempDir
    static Path dir;

    static DockerHarness h;
    static String runId;
    static long startedAt;
    static long runsMillis;
    static final Map<DriverCase, String> containerIds = new ConcurrentHashMap<>();
    static final Map<DriverCase, String> runFailures = new ConcurrentHashMap<>();
    /** Envelopes by "kind marker" (kind: out, err, long), in arrival order. */
    static final Map<String, List<JsonNode>> events = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        startedAt = System.nanoTime();
        h = DockerHarness.start(dir);
        runId = Long.toString(System.nanoTime(), 36);
        long runsStart = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_RUNS);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (DriverCase c : DriverCase.all()) {
                runs.add(pool.submit(() -> run(c)));
            }
            for (Future<?> f : runs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        runsMillis = (System.nanoTime() - runsStart) / 1_000_000;
        collect();
    }

    @AfterAll
    static void stop() {
        if (h != null) {
            h.close();
            System.out.printf("DockerSyslogDriverIT: %d container runs in %d ms, class total %d ms%n",
                    DriverCase.all().size(), runsMillis, (System.nanoTime() - startedAt) / 1_000_000);
        }
    }

    static List<DriverCase> cases() {
        return DriverCase.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void stdoutLineLandsWithNodeStreamContainerAndText(DriverCase c) {
        JsonNode e = one("out", c);
        assertEquals(expectedNode(c), e.get("node").asText());
        assertEquals(expectedNodeSource(c), e.get("node_source").asText());
        assertEquals("container", e.get("stream").asText());
        assertEquals(containerId(c).substring(0, 12), e.at("/container/id").asText(), e.toString());
        if (c.nameAndIdTag()) {
            assertEquals(c.name(), e.at("/container/name").asText(), e.toString());
        } else {
            assertTrue(e.at("/container/name").isMissingNode(), e.toString());
        }
        assertEquals(stdoutText(c), EnvelopeCodec.message(e));
        assertEquals(c.format().envelopeFormat, e.get("format").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rawBytesAreDockersFormatStringExactly(DriverCase c) {
        for (String kind : List.of("out", "err")) {
            JsonNode e = one(kind, c);
            String timestamp = e.at("/syslog/timestamp").asText();
            assertTrue(c.format().timestamp.matcher(timestamp).matches(), "timestamp layout: " + timestamp);
            int severity = kind.equals("out") ? DriverCase.SEVERITY_STDOUT : DriverCase.SEVERITY_STDERR;
            String text = kind.equals("out") ? stdoutText(c) : stderrText(c);
            assertEquals(c.format().wire(severity, timestamp, h.hostname, tag(c), h.docker.pid(), text),
                    new String(EnvelopeCodec.raw(e), UTF_8));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void framingFollowsTransportAndFormat(DriverCase c) {
        JsonNode e = one("out", c);
        assertEquals(c.framing(), e.get("framing").asText());
        assertEquals(c.transport().envelopeId, e.at("/source/transport").asText());
        assertEquals("127.0.0.1", e.at("/source/address").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void stderrGetsSeverity3AndStdoutSeverity6(DriverCase c) {
        assertEquals(DriverCase.SEVERITY_STDERR, one("err", c).at("/syslog/severity").asInt());
        assertEquals(DriverCase.SEVERITY_STDOUT, one("out", c).at("/syslog/severity").asInt());
        assertEquals(DriverCase.FACILITY_DAEMON, one("err", c).at("/syslog/facility").asInt());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void lineLongerThan16KibIsOneEventReassembledFromItsPieces(DriverCase c) {
        JsonNode e = one("long", c);
        String line = longText(c);
        assertEquals(line, EnvelopeCodec.message(e));
        assertTrue(e.get("flags").toString().contains("\"reassembled\""), e.get("flags").toString());
        JsonNode pieces = e.get("pieces");
        assertEquals(LONG_PIECES.length, pieces.size());
        String timestamp = e.at("/syslog/timestamp").asText();
        StringBuilder joined = new StringBuilder();
        int at = 0;
        for (int i = 0; i < LONG_PIECES.length; i++) {
            String pieceText = line.substring(at, at + LONG_PIECES[i]);
            at += LONG_PIECES[i];
            String raw = new String(EnvelopeCodec.pieces(e).get(i), UTF_8);
            // Each piece is its own message with its own timestamp; only the first one's is parsed.
            String expected = c.format().wire(DriverCase.SEVERITY_STDOUT, i == 0 ? timestamp : timestampOf(c, raw),
                    h.hostname, tag(c), h.docker.pid(), pieceText);
            assertEquals(expected, raw, "piece " + i);
            joined.append(raw);
        }
        assertEquals(joined.toString(), new String(EnvelopeCodec.raw(e), UTF_8));
        assertEquals(expectedNode(c), e.get("node").asText());
        assertEquals("container", e.get("stream").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void mutualTlsNodeIsTheCertificateWithoutMismatch(DriverCase c) {
        JsonNode e = one("out", c);
        if (c.transport() == Transport.TLS) {
            assertEquals(h.certificateIdentity, e.at("/source/certificate_identity").asText());
        } else {
            assertTrue(e.at("/source/certificate_identity").isMissingNode());
        }
        assertFalse(e.path("flags").toString().contains("identity_mismatch"), e.toString());
    }

    @Test
    void everyLineLandedExactlyOnce() {
        int expected = DriverCase.all().size() * 3;
        List<String> problems = new ArrayList<>();
        for (DriverCase c : DriverCase.all()) {
            for (String kind : List.of("out", "err", "long")) {
                int n = events.getOrDefault(kind + " " + marker(c), List.of()).size();
                if (n != 1) {
                    problems.add(kind + " " + c + ": " + n);
                }
            }
        }
        int total = events.values().stream().mapToInt(List::size).sum();
        assertEquals(List.of(), problems);
        assertEquals(expected, total);
    }

    @Test
    void aBurstOverTlsEndedByTheContainersExitLandsExactlyOnce() throws Exception {
        // Docker closes its syslog connection when the container exits: every line written before
        // must be in Kafka, exactly once. (This passed also while the server still sent a TLS 1.3
        // ticket, because auditwatch had read everything by the close; loggen's faster close showed
        // the loss, see TlsContextSource.)
        String m = "burst-" + runId;
        int lines = 20_000;
        h.runContainer(Transport.TLS, h.tlsOptions(DockerHarness.CLIENT),
                "/bin/busybox seq 1 " + lines + " | /bin/busybox sed 's/^/" + m + " /'");
        Map<String, Integer> seen = new HashMap<>();
        int[] scanned = {0};
        await().atMost(DockerHarness.DELIVERY_TIMEOUT).until(() -> {
            List<ConsumerRecord<byte[], byte[]>> all = h.reader.poll();
            for (; scanned[0] < all.size(); scanned[0]++) {
                String text = EnvelopeCodec.message(EnvelopeCodec.read(all.get(scanned[0]).value()));
                if (text.startsWith(m + " ")) {
                    seen.merge(text, 1, Integer::sum);
                }
            }
            return seen.size() >= lines;
        });
        assertEquals(lines, seen.size());
        assertEquals(List.of(), seen.entrySet().stream().filter(e -> e.getValue() != 1).map(Map.Entry::getKey).toList(),
                "lines that landed more than once");
    }

    @Test
    void containerdIsTheEnginesChildAndNoContainerOutlivesItsRun() {
        assertTrue(h.docker.children().stream().anyMatch(h -> h.info().command().orElse("").endsWith("containerd")),
                "containerd among dockerd's children: " + h.docker.children());
        // Every container ran with --rm and exited: only dockerd and containerd are left, no shim.
        for (ProcessHandle p : h.docker.processes()) {
            String command = p.info().command().orElse("?");
            assertTrue(p.pid() == h.docker.pid() || h.docker.children().contains(p), p.pid() + " " + command);
        }
    }

    // ---- running the containers and reading what landed

    private static void run(DriverCase c) {
        Path cidFile = dir.resolve("cid-" + c.name());
        List<String> options = new ArrayList<>(List.of("--name", c.name(), "--cidfile", cidFile.toString()));
        if (!c.format().option.isEmpty()) {
            options.addAll(List.of("--log-opt", "syslog-format=" + c.format().option));
        }
        if (c.nameAndIdTag()) {
            options.addAll(List.of("--log-opt", "tag={{.Name}}/{{.ID}}"));
        }
        if (c.transport() == Transport.TLS) {
            options.addAll(h.tlsOptions(DockerHarness.CLIENT));
        }
        int fill = LONG_LINE_BYTES - ("long " + marker(c) + " ").length();
        // Docker copies stdout and stderr concurrently onto one connection with one tag: the stderr
        // line is written while the long stdout line is under way, so it can land between its
        // pieces, and must come out as its own event (reassembly keys on the severity too).
        String script = "printf 'out " + marker(c) + " caf\\303\\251 [x] a=1 b:2\\n'; "
                + "printf 'long " + marker(c) + " '; "
                + "/bin/busybox head -c " + (fill / 2) + " /dev/zero | /bin/busybox tr '\\000' y; "
                + "echo 'err " + marker(c) + "' >&2; "
                + "/bin/busybox head -c " + (fill - fill / 2) + " /dev/zero | /bin/busybox tr '\\000' y; echo";
        try {
            h.runContainer(c.transport(), options, script);
            containerIds.put(c, Files.readString(cidFile, UTF_8).strip());
        } catch (IOException | RuntimeException e) {
            runFailures.put(c, e.toString());
        }
    }

    /** Reads audit.events until every line of every container that ran is there (or the time is up). */
    private static void collect() {
        int[] scanned = {0};
        int expected = containerIds.size() * 3;
        try {
            await().atMost(DockerHarness.DELIVERY_TIMEOUT).until(() -> {
                List<ConsumerRecord<byte[], byte[]>> all = h.reader.poll();
                for (; scanned[0] < all.size(); scanned[0]++) {
                    JsonNode e = EnvelopeCodec.read(all.get(scanned[0]).value());
                    Matcher m = LINE.matcher(String.valueOf(EnvelopeCodec.message(e)));
                    if (m.lookingAt() && m.group(2).endsWith("-" + runId)) {
                        events.computeIfAbsent(m.group(1) + " " + m.group(2),
                                k -> Collections.synchronizedList(new ArrayList<>())).add(e);
                    }
                }
                return events.size() >= expected;
            });
        } catch (ConditionTimeoutException e) {
            // Each test names what is missing.
        }
    }

    private static final Pattern LINE = Pattern.compile("(out|err|long) (aw-[a-z0-9-]+)");

    private static JsonNode one(String kind, DriverCase c) {
        if (runFailures.containsKey(c)) {
            fail("docker run failed for " + c + ": " + runFailures.get(c));
        }
        List<JsonNode> found = events.get(kind + " " + marker(c));
        assertNotNull(found, "no event for the " + kind + " line of " + c + " within " + DockerHarness.DELIVERY_TIMEOUT);
        assertEquals(1, found.size(), kind + " line of " + c + " landed more than once");
        return found.get(0);
    }

    private static String timestampOf(DriverCase c, String raw) {
        String afterPri = raw.substring(raw.indexOf('>') + 1);
        boolean rfc5424 = c.format() == DriverCase.Format.RFC5424 || c.format() == DriverCase.Format.RFC5424MICRO;
        Matcher m = c.format().timestamp.matcher(rfc5424 ? afterPri.substring("1 ".length()) : afterPri);
        assertTrue(m.lookingAt(), "no timestamp in " + raw.substring(0, Math.min(80, raw.length())));
        return m.group();
    }

    private static String marker(DriverCase c) {
        return c.name() + "-" + runId;
    }

    private static String stdoutText(DriverCase c) {
        return "out " + marker(c) + " caf\u00e9 [x] a=1 b:2";
    }

    private static String stderrText(DriverCase c) {
        return "err " + marker(c);
    }

    private static String longText(DriverCase c) {
        String head = "long " + marker(c) + " ";
        return head + "y".repeat(LONG_LINE_BYTES - head.length());
    }

    private static String containerId(DriverCase c) {
        String id = containerIds.get(c);
        assertNotNull(id, "no container ID for " + c + ": " + runFailures.get(c));
        return id;
    }

    private static String tag(DriverCase c) {
        String shortId = containerId(c).substring(0, 12);
        return c.nameAndIdTag() ? c.name() + "/" + shortId : shortId;
    }

    private static String expectedNode(DriverCase c) {
        if (c.transport() == Transport.TLS) {
            return h.certificateIdentity;
        }
        return c.format().hasHostname() ? h.hostname : "127.0.0.1";
    }

    private static String expectedNodeSource(DriverCase c) {
        if (c.transport() == Transport.TLS) {
            return "certificate";
        }
        return c.format().hasHostname() ? "hostname" : "address";
    }
}
