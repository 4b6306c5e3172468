package io.auditwatch.ingest.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.service.TestService;
import io.auditwatch.service.TopicReader;
import io.auditwatch.service.kafka.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka stops for 30 s while a container writes 20,000 lines, with a spool of 1 MiB that fills
 * within the outage: with Docker's fluentd driver and {@code fluentd-request-ack} every line
 * arrives once Kafka is back (acks stop while the spool is full, the driver waits); the same
 * container through Docker's syslog driver, side by side, shows what that driver does.
 */
class DockerDriverOutageIT {
    static final int LINES = 20_000;
    static final Duration OUTAGE = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    static DockerEngine docker;
    static EmbeddedKafka broker;
    static Path brokerDir;
    static int brokerPort;

    @BeforeAll
    static void start() throws Exception {
        docker = DockerEngine.start(Files.createDirectories(dir.resolve("e")));
        brokerDir = dir.resolve("kafka");
        broker = EmbeddedKafka.start(brokerDir, "127.0.0.1", 0);
        brokerPort = broker.port();
    }

    @AfterAll
    static void stop() {
        try {
            broker.close();
        } finally {
            docker.close();
        }
    }

    /** The container keeps running past the outage: the driver holds its lines until they are acked. */
    @Test
    void fluentdWithAcksLosesNothingThroughAKafkaOutageWithAFullSpool() throws Exception {
        Result r = scenario("fd", FLUENTD_ACK, 60);
        assertEquals(LINES, r.distinct, "fluentd with acks: " + r);
    }

    /**
     * The container exits right after writing: Docker gives the log copier 10 s after the exit
     * (loggerCloseTimeout in daemon/container), then closes the driver, and every line it still
     * holds is dropped ("Logger already closed" in dockerd's log). Measured here so the README can
     * say it; with acks held back by a full spool the driver holds nearly everything then.
     */
    @Test
    void fluentdWithAcksLosesWhatDockerStillHoldsTenSecondsAfterTheContainerExits() throws Exception {
        Result r = scenario("fdexit", FLUENTD_ACK, 0);
        assertTrue(r.distinct < LINES, "Docker kept every line after the exit this time: " + r);
        assertTrue(docker.logTail().contains("Logger already closed"), docker.logTail());
    }

    /** The same short-lived container through Docker's syslog driver over TCP, side by side. */
    @Test
    void syslogOverTcpThroughTheSameOutage() throws Exception {
        Result r = scenario("sl", port -> List.of("--log-driver", "syslog",
                "--log-opt", "syslog-address=tcp://127.0.0.1:" + port, "--log-opt", "syslog-format=rfc5424micro"), 0);
        // Measured, not required: printed for the README's comparison.
        assertTrue(r.distinct <= LINES, r.toString());
    }

    private static final java.util.function.IntFunction<List<String>> FLUENTD_ACK = port -> List.of(
            "--log-driver", "fluentd", "--log-opt", "fluentd-address=tcp://127.0.0.1:" + port,
            "--log-opt", "fluentd-request-ack=true");

    private static String sum(io.micrometer.core.instrument.MeterRegistry reg, String name) {
        return reg.find(name).counters().stream().filter(c -> c.count() > 0)
                .map(c -> c.getId().getTags() + "=" + (long) c.count()).toList().toString();
    }

    record Result(String name, int distinct, int records, double spoolFullSeconds, long runSeconds) {
    }

    private Result scenario(String name, java.util.function.IntFunction<List<String>> driver, int keepRunningSeconds)
            throws Exception {
        String topic = "audit.events." + name;
        int fluentdPort = TestService.freeTcpPort();
        Map<String, String> env = new HashMap<>(Map.of(
                "AUDITWATCH_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "AUDITWATCH_KAFKA_TOPIC", topic,
                "AUDITWATCH_SPOOL_MAX_BYTES", "1MiB",
                "AUDITWATCH_KAFKA_QUEUE_BYTES", "6MiB", // at least one largest record with the fluentd listener on
                "AUDITWATCH_SPOOL_FSYNC", "os",
                "AUDITWATCH_LISTENERS_FLUENTD_ENABLED", "true",
                "AUDITWATCH_LISTENERS_FLUENTD_HOST", "127.0.0.1",
                "AUDITWATCH_LISTENERS_FLUENTD_PORT", Integer.toString(fluentdPort)));
        try (TestService svc = TestService.start(dir.resolve(name), env)) {
            int port = name.startsWith("fd") ? fluentdPort : svc.tcpPort();
            String marker = "outage-" + name + "-";
            long t0 = System.nanoTime();
            broker.close();
            List<String> args = new java.util.ArrayList<>(List.of("run", "-d", "--rm", "--network", "none"));
            args.addAll(driver.apply(port));
            args.addAll(List.of(DockerEngine.IMAGE, "/bin/sh", "-c",
                    "i=1; while [ $i -le " + LINES + " ]; do echo " + marker + "$i; i=$((i+1)); done; sleep "
                            + keepRunningSeconds));
            String id = docker.docker(args.toArray(String[]::new)).strip();
            Awaitility.await().atMost(OUTAGE).pollDelay(OUTAGE.minusSeconds(1)).until(() -> true);
            boolean full = svc.service().spoolHealth().full();
            broker = EmbeddedKafka.start(brokerDir, "127.0.0.1", brokerPort);
            DockerEngine.exec(List.of(DockerEngine.DOCKER.toString(), "-H", docker.host(), "wait", id),
                    Duration.ofMinutes(5));
            long runSeconds = (System.nanoTime() - t0) / 1_000_000_000L;
            Set<String> seen = new HashSet<>();
            int[] records = {0};
            Pattern p = Pattern.compile(Pattern.quote(marker) + "(\\d+)\"");
            try (TopicReader reader = new TopicReader(broker.bootstrapServers(), topic)) {
                int[] read = {0};
                try {
                    Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                        List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> all = reader.poll();
                        for (; read[0] < all.size(); read[0]++) {
                            Matcher m = p.matcher(new String(all.get(read[0]).value(), StandardCharsets.UTF_8));
                            if (m.find()) {
                                records[0]++;
                                seen.add(m.group(1));
                            }
                        }
                        return seen.size() >= LINES;
                    });
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    // Whatever did not arrive in two minutes after the container ended is lost.
                }
            }
            Result r = new Result(name, seen.size(), records[0], full ? 1 : 0, runSeconds);
            var reg = svc.service().registry();
            System.out.printf("outage %s: received %s, discarded %s, rejected %s, dropped %s%n", name,
                    sum(reg, "auditwatch_events_received"), sum(reg, "auditwatch_frames_discarded"),
                    sum(reg, "auditwatch_connections_rejected"), sum(reg, "auditwatch_messages_dropped"));
            System.out.printf("outage %s: %d of %d lines arrived (%d records, %d duplicates), spool full during the"
                    + " outage: %s, container ran %d s%n", name, seen.size(), LINES, records[0],
                    records[0] - seen.size(), full, runSeconds);
            return r;
        }
    }
}
