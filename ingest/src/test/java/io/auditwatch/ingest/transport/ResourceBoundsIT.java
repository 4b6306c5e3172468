package io.auditwatch.ingest.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.ingest.envelope.EnvelopeCodec;
import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.auditwatch.service.TestService;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Resource bounds of the stream listeners over real sockets (ingest/README.md, "Resource bounds"):
 * the frame deadline holds for a partial frame that follows a completed one, and the per-source
 * connection cap counts an IPv6 /64 as one source. The listener binds {@code ::} (dual stack).
 */
class ResourceBoundsIT {
    static final int PER_SOURCE = 100;
    static final Duration DEADLINE = Duration.ofSeconds(3);
    /** A unique-local /64 (RFC 4193) only this test puts on the loopback interface. */
    static final String PREFIX = "fd00:a0:b0:1::";
    static final int FLOOD = 2_000;

    @RegisterExtension
    static final TestService service = TestService.with(Map.of(
            "AUDITWATCH_LISTENERS_TCP_HOST", "::",
            "AUDITWATCH_LISTENERS_MAX_CONNECTIONS_PER_SOURCE", Integer.toString(PER_SOURCE),
            "AUDITWATCH_LISTENERS_FRAME_DEADLINE", DEADLINE.toSeconds() + "s"));

    @Test
    void aLineThenSixtyFiveThousandBytesWithoutLineFeedIsClosedAtTheDeadlineAndCounted() throws Exception {
        String marker = "after-line-" + System.nanoTime();
        double before = rejected("frame_deadline");
        byte[] line = ("<14>1 2026-11-23T17:00:01Z slowloris app - - - " + marker + "-complete\n").getBytes(UTF_8);
        byte[] head = ("<14>1 2026-11-23T17:00:01Z slowloris app - - - " + marker + "-partial ").getBytes(UTF_8);
        byte[] partial = Arrays.copyOf(head, 65_000);
        Arrays.fill(partial, head.length, partial.length, (byte) 'a');
        long sentAt;
        try (Socket s = connect(InetAddress.getLoopbackAddress())) {
            OutputStream out = s.getOutputStream();
            // One write: the completed frame and the start of the partial one share the first read.
            byte[] both = Arrays.copyOf(line, line.length + partial.length);
            System.arraycopy(partial, 0, both, line.length, partial.length);
            out.write(both);
            out.flush();
            sentAt = System.nanoTime();
            s.setSoTimeout((int) DEADLINE.multipliedBy(5).toMillis());
            assertEquals(-1, readOrReset(s.getInputStream()), "the server closes the connection holding a partial frame");
        }
        double seconds = (System.nanoTime() - sentAt) / 1e9;
        assertTrue(seconds >= DEADLINE.toSeconds() - 0.5, "closed before the deadline: " + seconds + " s");
        assertEquals(1.0, rejected("frame_deadline") - before, 0.0);
        service.events().awaitOne(marker + "-complete");
        JsonNode kept = service.events().awaitOne(marker + "-partial");
        assertEquals("eof", kept.get("framing").asText());
        assertEquals(partial.length, EnvelopeCodec.raw(kept).length, "the partial frame's bytes are kept");
    }

    @Test
    void aReadThatEndsAFrameAndStartsTheNextThenSilenceIsClosedAtTheDeadline() throws Exception {
        // The hole this closes: the read that completed a frame also brought the next frame's first
        // bytes, and nothing came after; lifting the deadline on the completed frame held the
        // connection and its buffer for ever.
        String marker = "same-read-" + System.nanoTime();
        double before = rejected("frame_deadline");
        byte[] both = ("<14>1 2026-11-23T17:00:01Z slowloris app - - - " + marker + "-complete\n"
                + "<14>1 2026-11-23T17:00:01Z slowloris app - - - " + marker + "-partial no line feed").getBytes(UTF_8);
        try (Socket s = connect(InetAddress.getLoopbackAddress())) {
            s.setTcpNoDelay(true);
            s.getOutputStream().write(both); // one small segment: one read on the server
            s.setSoTimeout((int) DEADLINE.multipliedBy(5).toMillis());
            assertEquals(-1, readOrReset(s.getInputStream()), "the server closes the connection holding a partial frame");
        }
        assertEquals(1.0, rejected("frame_deadline") - before, 0.0);
        service.events().awaitOne(marker + "-complete");
        assertEquals("eof", service.events().awaitOne(marker + "-partial").get("framing").asText());
    }

    @Test
    void aLineThenBytesTrickledWithoutLineFeedIsClosedAtTheDeadline() throws Exception {
        String marker = "trickle-" + System.nanoTime();
        double before = rejected("frame_deadline");
        ScheduledExecutorService trickler = Executors.newSingleThreadScheduledExecutor();
        try (Socket s = connect(InetAddress.getLoopbackAddress())) {
            OutputStream out = s.getOutputStream();
            out.write(("<14>1 2026-11-23T17:00:01Z slowloris app - - - " + marker + "-complete\n<14>1 partial "
                    + marker).getBytes(UTF_8));
            out.flush();
            // One byte every 300 ms, far more often than the deadline: each read of it must not restart it.
            trickler.scheduleAtFixedRate(() -> {
                try {
                    out.write('z');
                    out.flush();
                } catch (IOException e) {
                    throw new RuntimeException(e); // closed by the server: stops the trickle
                }
            }, 300, 300, TimeUnit.MILLISECONDS);
            s.setSoTimeout((int) DEADLINE.multipliedBy(5).toMillis());
            assertEquals(-1, readOrReset(s.getInputStream()), "the server closes the trickling connection");
        } finally {
            trickler.shutdownNow();
        }
        assertEquals(1.0, rejected("frame_deadline") - before, 0.0);
        service.events().awaitOne(marker + "-complete");
        assertEquals("eof", service.events().awaitOne("partial " + marker).get("framing").asText());
    }

    @Test
    void completedFramesThenSilenceKeepTheConnectionOpen() throws Exception {
        String marker = "quiet-" + System.nanoTime();
        double before = rejected("frame_deadline");
        try (Socket s = connect(InetAddress.getLoopbackAddress())) {
            OutputStream out = s.getOutputStream();
            out.write(("<14>1 2026-11-23T17:00:01Z quiet app - - - " + marker + "-1\n").getBytes(UTF_8));
            out.flush();
            service.events().awaitOne(marker + "-1");
            // Twice the deadline of silence after a whole frame: Docker's idle connections must stay.
            s.setSoTimeout((int) DEADLINE.multipliedBy(2).toMillis());
            assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read());
            out.write(("<14>1 2026-11-23T17:00:01Z quiet app - - - " + marker + "-2\n").getBytes(UTF_8));
            out.flush();
            service.events().awaitOne(marker + "-2");
        }
        assertEquals(0.0, rejected("frame_deadline") - before, 0.0);
    }

    @Test
    void twoThousandConnectionsFromOneIpv6Slash64AreCappedAsOneSource() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "needs root to put " + FLOOD + " addresses of " + PREFIX + "/64 on the loopback interface");
        assumeTrue(ipv6Loopback(), "IPv6 is disabled on this machine (::1 cannot be bound)");
        List<Inet6Address> addresses = new ArrayList<>();
        for (int i = 1; i <= FLOOD; i++) {
            addresses.add((Inet6Address) InetAddress.getByName(PREFIX + Integer.toHexString(i)));
        }
        double before = rejected("max_connections_per_source");
        List<Socket> flood = new ArrayList<>();
        ipBatch(addresses, "add");
        try {
            for (Inet6Address a : addresses) {
                flood.add(connect(a)); // one connection per address: a per-address cap would admit them all
            }
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> rejected("max_connections_per_source") - before >= FLOOD - PER_SOURCE);
            // ::1 is another source: it still connects and delivers while the /64 holds its share.
            String marker = "beside-64-" + System.nanoTime();
            try (Socket s = connect(InetAddress.getByName("::1"))) {
                s.getOutputStream().write(("<14>1 2026-11-23T17:00:01Z honest app - - - " + marker + "\n").getBytes(UTF_8));
            }
            service.events().awaitOne(marker);
        } finally {
            for (Socket s : flood) {
                s.close();
            }
            ipBatch(addresses, "del");
        }
        assertEquals(FLOOD - PER_SOURCE, rejected("max_connections_per_source") - before, 0.0);
    }

    /** Reads until end of stream; a reset (the server closed with unread data) counts as closed too. */
    private static int readOrReset(InputStream in) throws IOException {
        try {
            int b;
            do {
                b = in.read();
            } while (b >= 0);
            return b;
        } catch (SocketException reset) {
            return -1;
        }
    }

    private static Socket connect(InetAddress from) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        InetAddress to = from instanceof Inet6Address ? InetAddress.getByName("::1") : InetAddress.getLoopbackAddress();
        s.connect(new InetSocketAddress(to, service.tcpPort()), 10_000);
        return s;
    }

    private static boolean ipv6Loopback() {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code ip -6 address add|del ADDR/128 dev lo} for every address, in one batch. */
    private static void ipBatch(List<Inet6Address> addresses, String verb) throws Exception {
        Path batch = Files.createTempFile("aw-ipv6", ".batch");
        try {
            StringBuilder b = new StringBuilder();
            for (Inet6Address a : addresses) {
                b.append("address ").append(verb).append(' ').append(a.getHostAddress()).append("/128 dev lo")
                        .append("add".equals(verb) ? " nodad" : "").append('\n');
            }
            Files.writeString(batch, b);
            Process p = new ProcessBuilder("ip", "-6", "-force", "-batch", batch.toString())
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ip -batch did not finish");
            assertTrue("del".equals(verb) || p.exitValue() == 0, "ip -6 address add failed: " + output);
        } finally {
            Files.deleteIfExists(batch);
        }
    }

    private static double rejected(String reason) {
        return service.service().registry().find(IngestMetrics.CONNECTIONS_REJECTED.name()).tag("reason", reason)
                .counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
