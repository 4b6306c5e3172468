package io.auditwatch.ingest.transport;

import io.auditwatch.ingest.pipeline.IngestMetrics;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.service.TestService;
import io.auditwatch.ingest.envelope.EnvelopeCodec;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hostile input over real sockets (ingest/README.md, "Hostile input"): the service stays up, honest senders keep
 * flowing, every rejected or altered message is counted, and nothing valid is lost. Limits are
 * lowered here (max connections per source, frame deadline) so that each defence can be seen.
 * Honest senders use 127.0.0.2, a different source address on the loopback network.
 */
class HostileInputIT {
    static final InetAddress HONEST = loopback(2);
    static final int PER_SOURCE = 64;

    @RegisterExtension
    static final TestService service = TestService.with(Map.of(
            "AUDITWATCH_LISTENERS_MAX_CONNECTIONS_PER_SOURCE", Integer.toString(PER_SOURCE),
            "AUDITWATCH_LISTENERS_FRAME_DEADLINE", "5s"));

    @Test
    void tenMebibyteFrameIsTruncatedCountedAndTheConnectionGoesOn() throws Exception {
        String marker = "huge-" + System.nanoTime();
        double before = count(IngestMetrics.TRUNCATED.name());
        try (Socket s = connect(HONEST)) {
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
            out.write(("<14>1 2026-11-23T17:00:01Z hostile app - - - " + marker + " ").getBytes(UTF_8));
            byte[] chunk = new byte[1 << 16];
            Arrays.fill(chunk, (byte) 'a');
            for (int i = 0; i < 160; i++) {
                out.write(chunk);
            }
            out.write(("\n<14>1 2026-11-23T17:00:02Z hostile app - - - after-" + marker + "\n").getBytes(UTF_8));
            out.flush();
        }
        JsonNode big = service.events().awaitOne(marker + " ");
        assertEquals(64 * 1024, EnvelopeCodec.raw(big).length);
        assertTrue(big.get("truncated").asBoolean());
        assertTrue(big.get("flags").toString().contains("truncated"));
        service.events().awaitOne("after-" + marker);
        assertTrue(count(IngestMetrics.TRUNCATED.name()) > before);
    }

    @Test
    void octetCountsThatLieOrOverflowDoNotSwallowTheNextFrames() throws Exception {
        String marker = "lying-" + System.nanoTime();
        try (Socket s = connect(HONEST)) {
            OutputStream out = s.getOutputStream();
            // 20 digits: not a count the framer can hold; treated as the start of an LF-framed line.
            out.write(("12345678901234567890 " + marker + "-20digits\n").getBytes(UTF_8));
            String ok = "<14>1 2026-11-23T17:00:01Z hostile app - - - " + marker + "-counted";
            out.write((ok.getBytes(UTF_8).length + " " + ok).getBytes(UTF_8));
            out.flush();
        }
        JsonNode twenty = service.events().awaitOne(marker + "-20digits");
        assertEquals("unparsed", twenty.get("format").asText());
        service.events().awaitOne(marker + "-counted");

        // A count larger than what follows: the connection's last frame is kept when it closes.
        String shortMarker = "short-count-" + System.nanoTime();
        try (Socket s = connect(HONEST)) {
            s.getOutputStream().write(("500 <14>1 2026-11-23T17:00:01Z hostile app - - - " + shortMarker).getBytes(UTF_8));
        }
        JsonNode cut = service.events().awaitOne(shortMarker);
        assertEquals("eof", cut.get("framing").asText());
    }

    @Test
    void badBytesAreStoredExactlyAndCounted() throws Exception {
        String marker = "bytes-" + System.nanoTime();
        byte[] invalidUtf8 = concat(("<14>1 2026-11-23T17:00:01Z hostile app - - - " + marker + "-utf8 ").getBytes(UTF_8),
                new byte[] {(byte) 0xC0, (byte) 0xAF, (byte) 0xED, (byte) 0xA0, (byte) 0x80});
        byte[] withNul = ("<14>1 2026-11-23T17:00:01Z hostile app - - - " + marker + "-nul a\u0001b").getBytes(UTF_8);
        byte[] badPri = ("<192>1 2026-11-23T17:00:01Z hostile app - - - " + marker + "-pri").getBytes(UTF_8);
        double parseFailures = count(IngestMetrics.PARSE_FAILURES.name());
        try (Socket s = connect(HONEST)) {
            OutputStream out = s.getOutputStream();
            for (byte[] m : List.of(invalidUtf8, withNul, badPri)) {
                out.write((m.length + " ").getBytes(UTF_8));
                out.write(m);
            }
        }
        JsonNode u = service.events().awaitOne(marker + "-utf8");
        assertArrayEquals(invalidUtf8, EnvelopeCodec.raw(u));
        assertTrue(u.get("flags").toString().contains("invalid_utf8"));
        assertArrayEquals(withNul, EnvelopeCodec.raw(service.events().awaitOne(marker + "-nul")));
        JsonNode p = service.events().awaitOne(marker + "-pri");
        assertEquals("unparsed", p.get("format").asText());
        assertEquals("pri_out_of_range", p.get("parse_error").asText());
        assertTrue(count(IngestMetrics.PARSE_FAILURES.name()) > parseFailures);
    }

    @Test
    void hugeAndDeeplyNestedJsonIsKeptAndCounted() throws Exception {
        String marker = "json-" + System.nanoTime();
        StringBuilder deep = new StringBuilder("{\"auditID\":\"" + marker + "\",\"x\":");
        for (int i = 0; i < 10_000; i++) {
            deep.append('[');
        }
        String msg = "<14>1 2026-11-23T17:00:01Z hostile ucp-controller - - - " + deep;
        double shortfalls = count(IngestMetrics.CLASSIFY_SHORTFALLS.name());
        try (Socket s = connect(HONEST)) {
            s.getOutputStream().write((msg + "\n").getBytes(UTF_8));
        }
        JsonNode env = service.events().awaitOne(marker);
        assertEquals(msg, new String(EnvelopeCodec.raw(env), UTF_8));
        assertTrue(env.has("classify_note"), env.toString().substring(0, 300));
        assertTrue(count(IngestMetrics.CLASSIFY_SHORTFALLS.name()) > shortfalls);
    }

    @Test
    void slowSenderIsCutAtTheFrameDeadlineAndItsBytesAreKept() throws Exception {
        String marker = "slow-" + System.nanoTime();
        double deadlines = rejected("frame_deadline");
        byte[] head = ("<14>1 2026-11-23T17:00:01Z hostile app - - - " + marker).getBytes(UTF_8);
        byte[] partial = " trickling forever".getBytes(UTF_8);
        AtomicBoolean closedByServer = new AtomicBoolean();
        ScheduledExecutorService trickler = Executors.newSingleThreadScheduledExecutor();
        try (Socket s = connect(HONEST)) {
            OutputStream out = s.getOutputStream();
            out.write(head);
            AtomicInteger i = new AtomicInteger();
            // One byte every 500 ms: the sender's own pace is the behaviour under test.
            trickler.scheduleAtFixedRate(() -> {
                try {
                    int at = i.getAndIncrement();
                    out.write(partial[at % partial.length]);
                    out.flush();
                } catch (IOException e) {
                    closedByServer.set(true);
                    throw new RuntimeException(e);
                }
            }, 0, 500, TimeUnit.MILLISECONDS);
            InputStream in = s.getInputStream();
            s.setSoTimeout(30_000);
            assertEquals(-1, in.read(), "the server closes the trickling connection");
        } finally {
            trickler.shutdownNow();
        }
        assertTrue(rejected("frame_deadline") > deadlines);
        JsonNode kept = service.events().awaitOne(marker);
        assertEquals("eof", kept.get("framing").asText());
    }

    @Test
    void tenThousandIdleConnectionsStayOpenAndHonestSendersFlow() throws Exception {
        // Held by a child process (it needs the file descriptors, not this JVM), spread over 200
        // loopback source addresses to stay under this test's per-source limit. Nothing closes
        // them: Docker loses a message when its idle connection is closed.
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), IdleConnections.class.getName(),
                Integer.toString(service.tcpPort()), "10000", "200")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(), UTF_8));
                java.io.PrintStream in = new java.io.PrintStream(child.getOutputStream(), true, UTF_8)) {
            assertEquals("ready 10000", out.readLine());
            // Other tests' connections may still be closing: at least the child's 10,000 are open.
            await().atMost(Duration.ofSeconds(60)).until(() -> gauge(IngestMetrics.CONNECTIONS_OPEN.name()) >= 10_000);
            String marker = "among-idle-" + System.nanoTime();
            try (Socket s = connect(HONEST)) {
                s.getOutputStream().write(("<14>1 2026-11-23T17:00:01Z honest app - - - " + marker + "\n").getBytes(UTF_8));
            }
            service.events().awaitOne(marker);
            in.println("check");
            assertEquals("open 10000", out.readLine());
            in.println("quit");
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        } finally {
            child.destroyForcibly();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> gauge(IngestMetrics.CONNECTIONS_OPEN.name()) < 1_000);
    }

    @Test
    void connectionFloodFromOneSourceIsCappedAndOthersStillConnect() throws Exception {
        InetAddress flooder = loopback(3);
        double before = rejected("max_connections_per_source");
        List<Socket> flood = new ArrayList<>();
        try {
            for (int i = 0; i < PER_SOURCE + 50; i++) {
                flood.add(connect(flooder));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> rejected("max_connections_per_source") - before >= 50);
            String marker = "after-flood-" + System.nanoTime();
            try (Socket s = connect(HONEST)) {
                s.getOutputStream().write(("<14>1 2026-11-23T17:00:01Z honest app - - - " + marker + "\n").getBytes(UTF_8));
            }
            service.events().awaitOne(marker);
        } finally {
            for (Socket s : flood) {
                s.close();
            }
        }
        assertEquals(50, rejected("max_connections_per_source") - before, 0.0);
    }

    @Test
    void senderWritingAsFastAsItCanDoesNotStarveOthers() throws Exception {
        String fastMarker = "fast-" + System.nanoTime();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger sent = new AtomicInteger();
        Thread blaster = new Thread(() -> {
            try (Socket s = connect(loopback(4))) {
                OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
                byte[] line = ("<14>1 2026-11-23T17:00:01Z fast app - - - " + fastMarker + " xxxxxxxxxxxxxxxx\n").getBytes(UTF_8);
                while (!stop.get() && sent.get() < 2_000_000) {
                    out.write(line);
                    sent.incrementAndGet();
                }
                out.flush();
            } catch (IOException e) {
                // the test ends the blaster by closing; nothing to do
            }
        });
        blaster.start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> sent.get() > 50_000);
            String marker = "beside-fast-" + System.nanoTime();
            try (Socket s = connect(HONEST)) {
                s.getOutputStream().write(("<14>1 2026-11-23T17:00:01Z honest app - - - " + marker + "\n").getBytes(UTF_8));
            }
            service.events().awaitOne(marker);
        } finally {
            stop.set(true);
            blaster.join(30_000);
        }
    }

    private static Socket connect(InetAddress from) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), service.tcpPort()), 10_000);
        return s;
    }

    private static InetAddress loopback(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, (byte) (last / 250), (byte) (last % 250 + 1)});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MeterRegistry registry() {
        return service.service().registry();
    }

    private static double count(String name) {
        return registry().find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private static double gauge(String name) {
        return registry().find(name).gauges().stream().mapToDouble(g -> g.value()).sum();
    }

    private static double rejected(String reason) {
        return registry().find(IngestMetrics.CONNECTIONS_REJECTED.name()).tag("reason", reason).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

}
