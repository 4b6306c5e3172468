package io.auditwatch.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.auditwatch.heartbeat.kafka.HeartbeatConsumer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The heartbeat consumer killed by a real fault and brought back by its supervisor: a foreign
 * member already in the consumer group {@value HeartbeatConsumer#GROUP_ID} with an eager assignor
 * (an operator's tool pointed at the wrong group) makes the broker refuse every join of the
 * service's cooperative consumer (InconsistentGroupProtocolException, the session dies). The
 * service restarts it with back-off, mails HEARTBEAT_CONSUMER_DOWN to ISSO and SA, turns
 * {@code /health} 503 after {@code heartbeat.consumer-restart-limit} failures; once the foreign
 * member leaves, the next restart joins, {@code /health} is 200 again and the alert is mailed as
 * recovered.
 */
class HeartbeatSupervisionIT {
    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();

    @TempDir
    Path dir;
    GreenMail smtp;
    KafkaConsumer<byte[], byte[]> foreign;
    final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        if (foreign != null) {
            foreign.close(Duration.ofSeconds(5));
        }
        if (smtp != null) {
            smtp.stop();
        }
    }

    @Test
    void aConsumerKilledByAForeignGroupMemberIsRestartedAlertedAndResolved() throws Exception {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        broker.createTopic("foreign", 1);
        foreign = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, HeartbeatConsumer.GROUP_ID,
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        foreign.subscribe(List.of("foreign"));
        await().atMost(Duration.ofSeconds(60)).pollInSameThread()
                .until(() -> !foreign.poll(Duration.ofMillis(100)).isEmpty() || !foreign.assignment().isEmpty());

        Map<String, String> env = new HashMap<>(TestService.smtpTo(smtp.getSmtp().getPort()));
        env.put("AUDITWATCH_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        env.put("AUDITWATCH_HEARTBEAT_CONSUMER_RESTART_LIMIT", "3");
        try (TestService service = TestService.start(dir.resolve("data"), env)) {
            HeartbeatConsumer hb = service.service().heartbeat();
            int admin = service.service().adminPort();

            // Failures 1, 2, 3 after back-offs of 1 s and 2 s: given up, the liveness probe fails with the reason.
            await().atMost(Duration.ofSeconds(60)).until(hb::givenUp);
            HttpResponse<String> health = get(admin, "/health");
            assertEquals(503, health.statusCode(), health.body());
            assertTrue(health.body().contains("heartbeat.consumer-restart-limit")
                    && health.body().contains("InconsistentGroupProtocolException"), health.body());
            assertEquals(503, get(admin, "/ready").statusCode());
            // Down beyond its grace (15 s): the pipeline alert reaches ISSO and SA, naming the instance.
            await().atMost(Duration.ofSeconds(60)).until(() -> mails("PIPELINE FAILURE", "heartbeat consumer of") >= 2);
            assertTrue(get(admin, "/metrics").body().contains("auditwatch_heartbeat_consumer_state{state=\"down\"} 1.0"));

            foreign.close(Duration.ofSeconds(5));
            foreign = null;
            // The next restart (back-off at most 1 min) joins the group alone.
            await().atMost(Duration.ofSeconds(90)).until(hb::running);
            assertEquals(200, get(admin, "/health").statusCode());
            long restarts = hb.restarts();
            assertTrue(restarts >= 3, "restarts " + restarts);
            assertTrue(get(admin, "/metrics").body().contains("auditwatch_heartbeat_consumer_restarts_total " + restarts + ".0"));
            await().atMost(Duration.ofSeconds(30)).until(() -> mails("RECOVERED", "heartbeat consumer of") >= 2);
            System.out.printf("heartbeat supervision: %d restarts before the group was free; recovered and resolved%n",
                    restarts);
        }
    }

    private long mails(String status, String text) {
        return Arrays.stream(smtp.getReceivedMessages()).map(TestService::subject)
                .filter(s -> s.contains(status) && s.contains(text)).count();
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
