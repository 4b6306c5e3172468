package io.auditwatch.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.heartbeat.HeartbeatMetrics;
import io.auditwatch.heartbeat.NodeNames;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 distinct 255-byte hostnames (RFC 5424's largest HOSTNAME) sent to a running service, as a
 * sender that names a new node on every line would (ingest/README.md, "Header hygiene"; heartbeat/README.md,
 * "Cardinality and bounds"): every one enrols, up to {@code heartbeat.max-tracked-streams}, yet
 * {@code /metrics} stays under {@link #METRICS_BOUND} and the heap grows by less than {@link #HEAP_BOUND};
 * restarted against the same broker with a lower cap, the restore from the state topic applies it.
 */
class HostnameFloodIT {
    /** Distinct names: with the warm-up node, one more than the default enrolment cap of 10,000 pairs. */
    static final int NODES = 10_000;
    /** The bound ingest/README.md states for {@code /metrics} with the enrolment cap reached. */
    static final int METRICS_BOUND = 512 * 1024;
    /** Used heap after GC, growth over the flood: tracker state, names, 2,000 gauges (heartbeat/README.md, measured figures). */
    static final long HEAP_BOUND = 64L << 20;

    @TempDir
    Path dir;

    @Test
    void tenThousand255ByteHostnamesKeepMetricsAndHeapBoundedAndRestoreAppliesTheCap() throws Exception {
        Path data = dir.resolve("data");
        try (TestService first = TestService.start(data, Map.of())) {
            first.awaitHeartbeatReading();
            // The same traffic from one node first, so that the pipeline's own buffers and pools (Kafka
            // clients, spool, Netty) are in the baseline: what grows after is the cost of distinct names.
            send(first, i -> "one-node.lab");
            await().atMost(Duration.ofSeconds(120)).until(() -> count(first, HeartbeatMetrics.EVENTS.name()) >= NODES);
            long heapBefore = usedHeapAfterGc();
            String pad = "x".repeat(NodeNames.MAX_BYTES - 11);
            send(first, i -> String.format("n%05d-", i) + pad + ".lab"); // 7 + 244 + 4 = 255 bytes
            await().atMost(Duration.ofSeconds(120)).until(() -> count(first, HeartbeatMetrics.EVENTS.name()) >= 2 * NODES);
            assertEquals(NODES, tracked(first), "heartbeat.max-tracked-streams reached");
            assertEquals(1.0, count(first, HeartbeatMetrics.REFUSED.name()), "the last name is refused");
            byte[] metrics = metrics(first);
            long heapGrowth = usedHeapAfterGc() - heapBefore;
            System.out.printf("HostnameFloodIT: %d nodes tracked, /metrics %d bytes, heap after GC %d bytes, growth %d bytes%n",
                    NODES, metrics.length, heapBefore + heapGrowth, heapGrowth);
            assertTrue(metrics.length < METRICS_BOUND, "/metrics is " + metrics.length + " bytes");
            assertTrue(heapGrowth < HEAP_BOUND, "heap grew by " + heapGrowth + " bytes");
            String text = new String(metrics, UTF_8);
            assertEquals(HeartbeatMetrics.MAX_LABELLED_ENROLLED_PAIRS,
                    text.lines().filter(l -> l.startsWith("auditwatch_heartbeat_last_seen_age_seconds{")).count());
            assertTrue(text.contains("auditwatch_heartbeat_unlabelled_streams " + (NODES - HeartbeatMetrics.MAX_LABELLED_ENROLLED_PAIRS) + ".0"),
                    "the pairs without gauges are counted");
        }
        int cap = 2_000;
        try (TestService second = TestService.start(data, Map.of("AUDITWATCH_HEARTBEAT_MAX_TRACKED_STREAMS", Integer.toString(cap)))) {
            second.awaitHeartbeatReading();
            assertEquals(cap, tracked(second), "restored under the new cap");
            // The per-state gauges follow the tracker at its next evaluation, not at the restore itself.
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertEquals(cap, second.service().registry()
                    .find(HeartbeatMetrics.NODES.name()).gauges().stream().mapToDouble(g -> g.value()).sum(), "nodes by state"));
            assertTrue(count(second, HeartbeatMetrics.REFUSED.name()) >= NODES - cap, "the rest refused and counted");
            assertTrue(metrics(second).length < METRICS_BOUND);
        }
    }

    /** {@link #NODES} octet-counted RFC 5424 lines, line {@code i} with HOSTNAME {@code host(i)} and no timestamp. */
    private static void send(TestService service, IntFunction<String> host) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), service.tcpPort())) {
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
            for (int i = 0; i < NODES; i++) {
                byte[] m = ("<14>1 - " + host.apply(i) + " flood - - - line " + i).getBytes(UTF_8);
                out.write((m.length + " ").getBytes(UTF_8));
                out.write(m);
            }
            out.flush();
        }
    }

    private static double tracked(TestService service) {
        return service.service().registry().get(HeartbeatMetrics.TRACKED.name()).gauge().value();
    }

    private static double count(TestService service, String name) {
        return service.service().registry().find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private static byte[] metrics(TestService service) throws Exception {
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + service.service().adminPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
