package io.auditwatch.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.service.config.ConfigLoader;
import io.auditwatch.service.config.ModuleSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up against a real broker whose {@code audit.events} was created by someone else with
 * Kafka's default {@code max.message.bytes} (1048588): the largest event would not fit, so
 * {@code auditwatch run} refuses to start with exit code 2, naming the topic, its value and the
 * value the budget needs (ingest/README.md, "Size budget").
 */
class TopicBudgetIT {
    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();

    @TempDir
    Path dir;

    @Test
    void anExistingEventsTopicTooSmallForTheLargestRecordStopsStartUpWithExitCode2() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("audit.events", 1, (short) 1)
                    .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1048588")))).all().get(30, TimeUnit.SECONDS);
        }
        Map<String, String> env = Map.of(
                "AUDITWATCH_DATA_DIR", dir.toString(),
                "AUDITWATCH_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "AUDITWATCH_LISTENERS_TCP_PORT", "0",
                "AUDITWATCH_LISTENERS_UDP_PORT", "0",
                "AUDITWATCH_ADMIN_PORT", "0",
                "AUDITWATCH_ALERTING_RECIPIENTS_ISSO", "isso@example.org",
                "AUDITWATCH_ALERTING_RECIPIENTS_SA", "sa@example.org");
        long needed = ModuleSettings.publisher(ConfigLoader.load(null, env), broker.bootstrapServers(), Map.of())
                .maxRecordBytes();
        assertEquals(1_764_012, needed, "the figure ingest/README.md and README.md state");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = assertTimeoutPreemptively(Duration.ofSeconds(90), () -> Main.run(new String[] {"run"}, env,
                new PrintStream(new ByteArrayOutputStream(), true, UTF_8), new PrintStream(err, true, UTF_8)));
        String message = err.toString(UTF_8);
        assertEquals(Main.EXIT_CONFIG, code, message);
        assertTrue(message.contains("kafka.topic") && message.contains("Kafka topic audit.events has max.message.bytes=1048588")
                && message.contains("below the " + needed + " bytes"), message);
    }
}
