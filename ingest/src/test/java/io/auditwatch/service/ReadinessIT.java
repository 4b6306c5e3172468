package io.auditwatch.service;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /ready} follows the broker: 200 while Kafka answers, 503 naming Kafka when it stops, 200
 * again when it is back; and a Kafka outage longer than its grace raises a pipeline alert (here to
 * the embedded default's .eml folder).
 */
class ReadinessIT {
    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();

    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void readyFlipsWhenTheBrokerStopsAndAPipelineAlertIsRaised() throws Exception {
        try (TestService service = TestService.start(dir.resolve("data"),
                Map.of("AUDITWATCH_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers()))) {
            int admin = service.service().adminPort();
            await().atMost(Duration.ofSeconds(60)).until(() -> ready(admin).statusCode() == 200);

            broker.stop();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                HttpResponse<String> r = ready(admin);
                return r.statusCode() == 503 && r.body().contains("\"kafka\":{\"status\":\"DOWN\"");
            });

            Path eml = dir.resolve("data").resolve("outbox").resolve("sent-eml");
            await().atMost(Duration.ofSeconds(120)).until(() -> mails(eml).anyMatch(s -> s.contains("Kafka unreachable")));

            broker.start();
            await().atMost(Duration.ofSeconds(90)).until(() -> ready(admin).statusCode() == 200);
            await().atMost(Duration.ofSeconds(90)).until(() -> mails(eml).anyMatch(s -> s.contains("RECOVERED")));
        }
    }

    private HttpResponse<String> ready(int admin) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Stream<String> mails(Path folder) throws java.io.IOException {
        if (!Files.isDirectory(folder)) {
            return Stream.empty();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> {
                try {
                    return Files.readString(f);
                } catch (java.io.IOException e) {
                    return "";
                }
            }).toList().stream();
        }
    }
}
