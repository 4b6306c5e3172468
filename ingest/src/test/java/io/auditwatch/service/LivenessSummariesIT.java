package io.auditwatch.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.heartbeat.HeartbeatMetrics;
import io.auditwatch.heartbeat.StreamState;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heartbeat fed by liveness summaries (ingest/DESIGN.md, "Liveness summaries") against a running service
 * and its embedded broker: {@link #EVENTS} events from {@link #NODES} nodes over TCP are all counted by
 * heartbeat, all nodes are healthy, yet heartbeat reads a small fraction of the records it read with
 * {@code heartbeat.source: events}. Prints records read and the heartbeat consumer thread's CPU time for
 * both sources (heartbeat/README.md, "Measured figures"); {@code -Dliveness.events=1000000} for the
 * figure per million.
 */
class LivenessSummariesIT {
    static final int EVENTS = Integer.getInteger("liveness.events", 200_000);
    static final int NODES = 10;

    @TempDir
    Path dir;

    @Test
    void summariesCountEveryAcknowledgedEventForAFractionOfTheRecords() throws Exception {
        Run r = run(Map.of());
        assertTrue(r.recordsRead() * 50 < EVENTS, "heartbeat read " + r.recordsRead() + " records for " + EVENTS + " events");
        assertEquals(r.eventsPartitions(), r.livenessPartitions(), "a node's summaries share its events' partition number");
        assertEquals(Long.toString(Duration.ofDays(1).toMillis()), r.retentionMs());
    }

    @Test
    void heartbeatSourceEventsStillJudgesOnEveryRecordOfTheEventsTopic() throws Exception {
        Run r = run(Map.of("AUDITWATCH_HEARTBEAT_SOURCE", "events"));
        assertTrue(r.recordsRead() >= EVENTS, "every event read: " + r.recordsRead());
        assertEquals(0.0, r.summaries(), "no summaries published");
    }

    record Run(double summaries, long recordsRead, int livenessPartitions, int eventsPartitions, String retentionMs) {
    }

    private Run run(Map<String, String> overrides) throws Exception {
        try (TestService service = TestService.start(dir.resolve("data"), overrides)) {
            service.awaitHeartbeatReading();
            Thread consumer = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("auditwatch-heartbeat-consumer")).findFirst().orElseThrow();
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpuBefore = threads.getThreadCpuTime(consumer.getId());
            String topic = overrides.isEmpty() ? "auditwatch.liveness" : "audit.events";
            long polledBefore = polled(service, topic);
            long start = System.nanoTime();
            send(service);
            await().atMost(Duration.ofSeconds(300)).until(() -> count(service, HeartbeatMetrics.EVENTS.name()) >= EVENTS);
            long wallMs = (System.nanoTime() - start) / 1_000_000;
            long cpuMs = (threads.getThreadCpuTime(consumer.getId()) - cpuBefore) / 1_000_000;
            for (int n = 0; n < NODES; n++) {
                String node = "node-" + n + ".lab";
                assertEquals(StreamState.HEALTHY, service.service().tracker().node(node).orElseThrow().state(), node);
            }
            double summaries = service.service().registry().find("auditwatch.kafka.liveness.records")
                    .tag("result", "sent").counters().stream().mapToDouble(c -> c.count()).sum();
            long read = polled(service, topic) - polledBefore;
            System.out.printf("LivenessSummariesIT %s: %d events from %d nodes in %d ms; heartbeat read %d records"
                    + " (%d liveness records sent); heartbeat consumer thread CPU %d ms%n",
                    overrides.isEmpty() ? "summaries" : "events", EVENTS, NODES, wallMs, read, (long) summaries, cpuMs);
            if (!overrides.isEmpty()) {
                return new Run(summaries, read, 0, 0, null); // heartbeat.source events: no liveness topic
            }
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", service.bootstrapServers()))) {
                Map<String, TopicDescription> d = admin.describeTopics(List.of("audit.events", "auditwatch.liveness"))
                        .allTopicNames().get(30, TimeUnit.SECONDS);
                ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, "auditwatch.liveness");
                String retention = admin.describeConfigs(List.of(res)).all().get(30, TimeUnit.SECONDS).get(res)
                        .get(TopicConfig.RETENTION_MS_CONFIG).value();
                return new Run(summaries, read, d.get("auditwatch.liveness").partitions().size(),
                        d.get("audit.events").partitions().size(), retention);
            }
        }
    }

    /** Records in the topic heartbeat reads: the sum of its partitions' end offsets. */
    private static long polled(TestService service, String topic) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", service.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            return c.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** {@link #EVENTS} octet-counted RFC 5424 lines, round robin over {@link #NODES} HOSTNAMEs, on one connection. */
    private static void send(TestService service) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), service.tcpPort())) {
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
            for (int i = 0; i < EVENTS; i++) {
                byte[] m = ("<14>1 - node-" + (i % NODES) + ".lab app - - - line " + i).getBytes(UTF_8);
                out.write((m.length + " ").getBytes(UTF_8));
                out.write(m);
            }
            out.flush();
        }
    }

    private static double count(TestService service, String name) {
        return service.service().registry().find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
