package io.auditwatch.ingest.spool;

import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.auditwatch.service.BrokerExtension;
import io.auditwatch.service.TestService;
import io.auditwatch.service.TopicReader;
import io.micrometer.core.instrument.Counter;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real faults against the whole service and a real broker (one per class): the broker stops for
 * 60 s under load and nothing is lost; the spool fills up and TCP senders are held back while UDP
 * drops are counted exactly.
 */
class SpoolOutageIT {
    /** The figure: at least 5,000 messages per second from several connections. */
    static final int RATE = 5_000;
    static final int CONNECTIONS = 4;

    /** The figure: the broker is down for a full minute. */
    static final Duration OUTAGE = Duration.ofSeconds(60);

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();

    private static TestService service(String name, Map<String, String> extra) {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "AUDITWATCH_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "AUDITWATCH_KAFKA_TOPIC", "audit.events." + name));
        env.putAll(extra);
        return TestService.start(tmp.resolve(name), env);
    }

    @Test
    void brokerDownForAMinuteUnderLoadLosesNothing() throws Exception {
        String topic = "audit.events.outage";
        try (TestService svc = service("outage", Map.of())) {
            SyslogLoad load = new SyslogLoad(svc.tcpPort(), CONNECTIONS, RATE, 120);
            long t0 = System.nanoTime();
            // The outage begins under load: once five seconds' worth of messages was written.
            await().atMost(Duration.ofSeconds(30)).until(() -> load.totalSent() >= RATE * 5L);
            broker.stop();
            long downAt = load.totalSent();
            // The outage lasts OUTAGE by design, so this waits that long; meanwhile the service keeps
            // taking the load into the spool, which must not fill at its default size, checked throughout.
            await().during(OUTAGE).atMost(OUTAGE.plusSeconds(10))
                    .until(() -> !svc.service().spoolHealth().full());
            long spooledPeak = svc.service().spoolHealth().records();
            broker.start();
            long upAt = load.totalSent();
            // The load goes on after the broker is back, until the spool is draining under it.
            await().atMost(Duration.ofSeconds(60)).until(() -> svc.service().spoolHealth().records() < spooledPeak);
            load.close();
            double seconds = (System.nanoTime() - t0) / 1e9;
            long total = load.totalSent();
            System.out.printf("outage test: %d messages in %.1f s (%.0f/s) over %d connections; %d sent while the broker"
                            + " was down, %d records spooled at the end of the outage%n",
                    total, seconds, total / seconds, CONNECTIONS, upAt - downAt, spooledPeak);
            assertTrue(total / seconds >= RATE * 0.95, "load below the required rate: " + total / seconds);
            SyslogLoad.Seen seen = readUntilComplete(topic, load, Duration.ofSeconds(120));
            report(seen);
            for (int c = 0; c < CONNECTIONS; c++) {
                assertEquals(List.of(), seen.missing(c, load.sent(c)), "connection " + c + " lost messages");
            }
            assertEquals(List.of(), seen.reordered, "a node's messages arrived out of order");
            assertTrue(upAt - downAt > RATE * 50L, "the load kept running during the outage");
        }
    }

    @Test
    void fullSpoolHoldsTcpSendersBackAndCountsUdpDropsExactly() throws Exception {
        String topic = "audit.events.full";
        try (TestService svc = service("full", Map.of(
                "AUDITWATCH_SPOOL_MAX_BYTES", "1MiB",
                "AUDITWATCH_KAFKA_QUEUE_BYTES", "2MiB", // at least one largest record (ingest/README.md, "Size budget")
                "AUDITWATCH_SPOOL_FSYNC", "os"))) {
            broker.stop();
            SyslogLoad tcp = new SyslogLoad(svc.tcpPort(), 1, 0, 200);
            await().atMost(Duration.ofSeconds(30)).until(() -> svc.service().spoolHealth().full());
            long heldAt = tcp.totalSent();
            // Held back is a state over time: the sender stays still for two seconds, checked throughout;
            // a sender that moves on is reported by the assertion below.
            try {
                await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                        .until(() -> tcp.totalSent() - heldAt < 20_000);
            } catch (ConditionTimeoutException e) {
                // asserted below
            }
            long stillAt = tcp.totalSent();
            // Blocked: the socket buffers (a few MB on loopback) are full and the sender's writes wait.
            assertTrue(stillAt - heldAt < 20_000, "TCP sender kept going while the spool was full: " + heldAt + " -> " + stillAt);

            double droppedBefore = udpCount(svc, IngestMetrics.DROPPED.name(), "reason", "udp_queue_full");
            double acceptedBefore = udpCount(svc, IngestMetrics.RECEIVED.name(), "transport", "udp");
            int datagrams = 1_000;
            try (DatagramSocket udp = new DatagramSocket()) {
                for (int n = 0; n < datagrams; n++) {
                    byte[] m = SyslogLoad.message(9, n, 100);
                    udp.send(new DatagramPacket(m, m.length, InetAddress.getLoopbackAddress(), svc.udpPort()));
                    // Paced so that the kernel's receive buffer never overflows: every loss is the service's, counted.
                    LockSupport.parkNanos(200_000);
                }
            }
            // Every datagram is either accepted (and then in the spool or Kafka) or dropped and counted.
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    udpCount(svc, IngestMetrics.DROPPED.name(), "reason", "udp_queue_full") - droppedBefore
                            + udpCount(svc, IngestMetrics.RECEIVED.name(), "transport", "udp") - acceptedBefore >= datagrams);
            double dropped = udpCount(svc, IngestMetrics.DROPPED.name(), "reason", "udp_queue_full") - droppedBefore;

            broker.start();
            // Once Kafka is back the spool drains and the held connection is read again: every TCP message
            // sent, including those the sender's socket held while the spool was full, must arrive below.
            tcp.close();
            SyslogLoad.Seen seen = readUntilComplete(topic, tcp, Duration.ofSeconds(90));
            long udpArrived = seen.byConnection.getOrDefault(9, List.of()).size();
            System.out.printf("spool-full test: TCP held at %d messages while full, %d sent in all, all arrived;"
                    + " UDP %d sent, %d arrived, %.0f dropped and counted%n", stillAt, tcp.totalSent(), datagrams,
                    udpArrived, dropped);
            assertEquals(List.of(), seen.missing(0, tcp.sent(0)), "TCP messages lost");
            assertTrue(dropped > 0, "no UDP datagram was dropped while the spool was full");
            assertEquals(datagrams, udpArrived + (long) dropped, "every UDP datagram arrived or was counted as dropped");
        }
    }

    private static double udpCount(TestService svc, String name, String tag, String value) {
        return svc.service().registry().find(name).tag(tag, value).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private static SyslogLoad.Seen readUntilComplete(String topic, SyslogLoad load, Duration atMost) {
        return readUntilComplete(broker, topic, load, atMost);
    }

    /** Reads {@code topic} until every message {@code load} sent is there (or {@code atMost} passed). */
    static SyslogLoad.Seen readUntilComplete(BrokerExtension broker, String topic, SyslogLoad load, Duration atMost) {
        try (TopicReader reader = broker.reader(topic)) {
            long want = load.totalSent();
            SyslogLoad.Seen seen = SyslogLoad.Seen.of(reader.poll());
            TopicReader.awaitOrGiveUp(atMost, () -> {
                seen.update(reader.poll());
                boolean complete = true;
                for (int c = 0; c < load.connections() && complete; c++) {
                    complete = seen.byConnection.getOrDefault(c, List.of()).size() >= load.sent(c);
                }
                return complete && seen.distinct() >= want;
            });
            // Stragglers (UDP, duplicates) that arrive with the last batch.
            return seen.update(reader.pollUntilQuiet(Duration.ofSeconds(1), Duration.ofSeconds(30)));
        }
    }

    static void report(SyslogLoad.Seen seen) {
        System.out.printf("%d distinct messages in the topic, %d duplicates%n", seen.distinct(), seen.duplicates.size());
        seen.duplicates.stream().limit(50).forEach(d -> System.out.println("  duplicate: " + d));
    }
}
