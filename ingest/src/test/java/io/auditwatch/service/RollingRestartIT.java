package io.auditwatch.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.heartbeat.EventHeaders;
import io.auditwatch.ingest.envelope.EnvelopeCodec;
import io.auditwatch.service.AlertMailbox.Notices;
import io.auditwatch.service.AlertMailbox.Type;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling restart of {@value #INSTANCES} instances under load: each in turn gets SIGTERM, exits,
 * and starts again on its data directory, while 20 nodes keep sending syslog over TCP, spread over
 * the instances; a node whose instance stops goes on with the next one, sending again what the stop
 * may have cut off ({@link Estate}). One node falls silent as the roll begins.
 *
 * <p>Every line sent must be in {@code audit.events} (by node and sequence number; a line sent again
 * may be there twice), the nodes that kept sending get no email at all, and the silent node exactly
 * one FIRING and, once it sends again, one RECOVERED email per recipient. The knobs are
 * {@link FailoverIT}'s: same broker, thresholds and Kafka client settings.
 */
class RollingRestartIT {
    static final int INSTANCES = 3;
    static final Duration GROUP_WINDOW = FailoverIT.SHORT_WINDOW;
    /** Lines still on their way to Kafka when the senders stop: what the spool drains in seconds. */
    static final Duration EVENTS_WITHIN = Duration.ofSeconds(60);

    @RegisterExtension
    @Order(1)
    static final BrokerExtension broker = new BrokerExtension();
    @RegisterExtension
    @Order(2)
    final ServiceProcess processes = new ServiceProcess();
    @RegisterExtension
    @Order(3)
    final AlertMailbox mail = new AlertMailbox();
    @TempDir
    Path dir;
    private Estate estate;

    @AfterEach
    void stopSending() {
        if (estate != null) {
            estate.close();
        }
    }

    @Test
    void restartingEachInstanceInTurnUnderLoadLosesNoEventAndAlertsOnlyTheSilentNode() throws Exception {
        long start = System.nanoTime();
        ServiceCluster cluster = new ServiceCluster(processes, dir, broker.bootstrapServers(),
                FailoverIT.knobs(mail, GROUP_WINDOW));
        cluster.start(INSTANCES);
        List<String> nodes = Estate.spreadOver(FailoverIT.PARTITIONS, FailoverIT.NODES, "roll-");
        // Node i sends to instance i mod 3 first, then to the next ones in turn.
        estate = new Estate(nodes, node -> {
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < INSTANCES; i++) {
                ports.add(cluster.tcpPort((nodes.indexOf(node) + i) % INSTANCES));
            }
            return ports;
        }, "roll");
        Map<String, Integer> owners = cluster.awaitOwnership(nodes, cluster.all());
        // Judged by the second instance to restart: its alert opens while the first restarts, and moves when it does.
        String silent = owners.entrySet().stream().filter(e -> e.getValue() == 1).findFirst().orElseThrow().getKey();
        StringBuilder report = new StringBuilder(String.format("RollingRestartIT: owners %s; silent %s%n", owners, silent));

        estate.silence(List.of(silent));
        for (int i = 0; i < INSTANCES; i++) {
            long t = System.nanoTime();
            cluster.stop(i);
            long stopped = System.nanoTime();
            cluster.restart(i);
            cluster.awaitOwnership(nodes, cluster.all());
            report.append(String.format("  instance %d: exited %.1f s after SIGTERM, back and owning nodes %.1f s later%n",
                    i, (stopped - t) / 1e9, (System.nanoTime() - stopped) / 1e9));
        }
        boolean fired = mail.awaitReported(Type.FIRING, List.of(silent),
                FailoverIT.THRESHOLD.plus(GROUP_WINDOW).plus(FailoverIT.SLACK));
        estate.resume(List.of(silent));
        boolean recovered = mail.awaitReported(Type.RECOVERED, List.of(silent), GROUP_WINDOW.plus(FailoverIT.SLACK));
        mail.awaitQuiet(GROUP_WINDOW.plusSeconds(3), GROUP_WINDOW.plus(FailoverIT.SLACK));
        // Read before the senders stop: stopped, every node is silent, and a threshold later they alert.
        Notices notices = mail.read();
        estate.finish(Duration.ofSeconds(30));
        Map<String, Integer> made = estate.made();
        Map<String, BitSet> arrived = new TreeMap<>();
        int records = readEvents(made, arrived);
        report.append(String.format("  %d lines sent (%d sent again; connections closed %d, reset %d), %d records in"
                + " audit.events; FIRING %s, RECOVERED %s; duplicate deliveries %s; %.0f s in all%n  notices:%n%s%n"
                + "  log lines:%n%s", made.values().stream().mapToInt(Integer::intValue).sum(), estate.resent(),
                estate.closed(), estate.reset(), records, fired, recovered, notices.duplicates(),
                (System.nanoTime() - start) / 1e9, notices, cluster.trace()));
        System.out.println(report);

        List<Executable> checks = new ArrayList<>();
        for (String node : nodes) {
            checks.add(() -> {
                BitSet missing = new BitSet();
                missing.set(0, made.get(node));
                missing.andNot(arrived.getOrDefault(node, new BitSet()));
                assertTrue(missing.isEmpty(), () -> node + ": " + missing.cardinality() + " of " + made.get(node)
                        + " lines not in audit.events: " + missing);
            });
            if (!node.equals(silent)) {
                checks.add(() -> assertEquals(List.of(), notices.about(List.of(node)), node + " kept sending"));
            }
        }
        checks.addAll(notices.exactlyOne(Type.FIRING, silent));
        checks.addAll(notices.exactlyOne(Type.RECOVERED, silent));
        checks.add(() -> assertEquals(List.of(), notices.repeats(), "repeated (alerting.repeat-interval 4 h) or escalated"));
        assertAll(checks);
    }

    /**
     * Reads {@code audit.events} from its beginning into {@code arrived} (the sequence numbers of each
     * node) until every line {@code made} counts is there, at most {@link #EVENTS_WITHIN}; returns the
     * records read.
     */
    private static int readEvents(Map<String, Integer> made, Map<String, BitSet> arrived) {
        try (TopicReader events = broker.reader("audit.events")) {
            int[] read = {0};
            TopicReader.awaitOrGiveUp(EVENTS_WITHIN, () -> {
                List<ConsumerRecord<byte[], byte[]>> all = events.poll();
                for (; read[0] < all.size(); read[0]++) {
                    ConsumerRecord<byte[], byte[]> r = all.get(read[0]);
                    arrived.computeIfAbsent(node(r), n -> new BitSet()).set(PacedSender.sequence(EnvelopeCodec.read(r.value())));
                }
                return made.entrySet().stream()
                        .allMatch(e -> arrived.getOrDefault(e.getKey(), new BitSet()).nextClearBit(0) >= e.getValue());
            });
            return events.records().size();
        }
    }

    /** The node a record's event came from (its heartbeat header). */
    private static String node(ConsumerRecord<byte[], byte[]> r) {
        Header h = r.headers().lastHeader(EventHeaders.NODE);
        return h == null ? "(no node header)" : new String(h.value(), UTF_8);
    }
}
