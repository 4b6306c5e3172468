package io.auditwatch.ingest.spool;

import io.auditwatch.service.BrokerExtension;
import io.auditwatch.service.ServiceProcess;
import io.auditwatch.service.TestService;
import io.auditwatch.service.TopicReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * kill -9 of the service (a child JVM, {@code Main run}) under load with {@code fsync: always}, then a
 * restart on the same data directory: every message the spool held when the process died reaches
 * Kafka, in order per node, and what is missing is only each connection's tail that the process had
 * not accepted (still in socket buffers or the memory queue). The broker runs in the test JVM, so
 * the kill does not take Kafka with it.
 */
class SpoolCrashIT {
    static final int RATE = 5_000;
    static final int CONNECTIONS = 4;

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();

    @RegisterExtension
    final ServiceProcess services = new ServiceProcess();

    @Test
    void killNineUnderLoadLosesNothingTheSpoolHeld() throws Exception {
        Path data = tmp.resolve("service");
        int tcpPort = TestService.freeTcpPort();
        String topic = "audit.events.crash";
        Process first = start(data, tcpPort, topic, tmp.resolve("first.log"));
        SyslogLoad load = new SyslogLoad(tcpPort, CONNECTIONS, RATE, 120);
        // The kill comes under load, once four seconds' worth of messages was written.
        await().atMost(Duration.ofSeconds(30)).until(() -> load.totalSent() >= RATE * 4L);
        first.destroyForcibly(); // SIGKILL
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        load.close();
        long sent = load.totalSent();

        Map<Integer, BitSet> spooled = readSpool(data.resolve("spool"));
        long spooledCount = spooled.values().stream().mapToLong(BitSet::cardinality).sum();

        Process second = start(data, tcpPort, topic, tmp.resolve("second.log"));
        SyslogLoad.Seen seen;
        try (TopicReader reader = broker.reader(topic)) {
            SyslogLoad.Seen read = SyslogLoad.Seen.of(reader.poll());
            TopicReader.awaitOrGiveUp(Duration.ofSeconds(60), () -> containsAll(read.update(reader.poll()), spooled));
            // What the restarted service still sends after the spooled records (its tail, duplicates).
            seen = read.update(reader.pollUntilQuiet(Duration.ofSeconds(2), Duration.ofSeconds(30)));
        }
        second.destroy(); // SIGTERM: graceful
        if (!second.waitFor(30, TimeUnit.SECONDS)) {
            String dump = new String(new ProcessBuilder("jstack", Long.toString(second.pid())).redirectErrorStream(true)
                    .start().getInputStream().readAllBytes());
            fail("the restarted service did not stop within 30 s of SIGTERM:\n" + ServiceProcess.tail(tmp.resolve("second.log")) + "\n" + dump);
        }

        System.out.printf("crash test: %d messages written to sockets before the kill, %d in the spool files after it,"
                        + " %d distinct in Kafka after the restart, %d never accepted (in flight at the kill), %d duplicates%n",
                sent, spooledCount, seen.distinct(), sent - seen.distinct(), seen.duplicates.size());
        SpoolOutageIT.report(seen);
        for (Map.Entry<Integer, BitSet> e : spooled.entrySet()) {
            BitSet s = e.getValue();
            for (int n = s.nextSetBit(0); n >= 0; n = s.nextSetBit(n + 1)) {
                assertTrue(seen.has(e.getKey(), n), "spooled s=" + e.getKey() + " n=" + n + " is not in Kafka");
            }
        }
        assertEquals(List.of(), seen.reordered, "a node's messages arrived out of order");
        for (int c = 0; c < CONNECTIONS; c++) {
            List<Long> missing = seen.missing(c, load.sent(c));
            List<Long> present = seen.byConnection.getOrDefault(c, List.of());
            long max = present.stream().mapToLong(Long::longValue).max().orElse(-1);
            assertTrue(missing.stream().allMatch(n -> n > max),
                    "connection " + c + " lost messages before its last delivered one " + max + ": " + missing.subList(0, Math.min(20, missing.size())));
        }
        assertTrue(spooledCount > 0, "nothing was in the spool at the kill");
    }

    private static boolean containsAll(SyslogLoad.Seen seen, Map<Integer, BitSet> spooled) {
        for (Map.Entry<Integer, BitSet> e : spooled.entrySet()) {
            BitSet s = e.getValue();
            for (int n = s.nextSetBit(0); n >= 0; n = s.nextSetBit(n + 1)) {
                if (!seen.has(e.getKey(), n)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Every message in the segment files as the killed process left them, with the spool's own reader. */
    static Map<Integer, BitSet> readSpool(Path dir) throws IOException {
        Map<Integer, BitSet> out = new HashMap<>();
        TreeMap<Long, Path> segments = SpoolDirectory.segments(dir);
        for (Path seg : segments.values()) {
            try (SegmentReader r = new SegmentReader(seg, 0)) {
                SegmentReader.Item item;
                while ((item = r.next(Files.size(seg))) != null) {
                    if (item instanceof SegmentReader.Frame f) {
                        long[] q = SyslogLoad.seqOf(RecordCodec.decode(f.payload(), 0).event().value());
                        if (q != null) {
                            out.computeIfAbsent((int) q[0], k -> new BitSet()).set((int) q[1]);
                        }
                    }
                }
            }
        }
        return out;
    }

    private Process start(Path data, int tcpPort, String topic, Path log) throws IOException {
        Map<String, String> env = ServiceProcess.environment(data, broker.bootstrapServers(), tcpPort,
                TestService.freeTcpPort());
        env.put("AUDITWATCH_KAFKA_TOPIC", topic);
        env.put("AUDITWATCH_SPOOL_FSYNC", "always");
        return services.start(tmp, env, log);
    }
}
