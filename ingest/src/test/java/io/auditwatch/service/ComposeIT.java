package io.auditwatch.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.auditwatch.ingest.docker.DockerEngine;
import io.auditwatch.ingest.docker.LocalImages;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/compose.yaml} brought up and down with Debian's docker-compose on the local images
 * ({@code deploy/local/compose.local.yaml}): Kafka, auditwatch and Prometheus; a sender whose output
 * goes through Docker's syslog driver and which sends with {@code logger} to the service name; the
 * events reach auditwatch and its Kafka, Prometheus scrapes auditwatch, and {@code down -v} leaves no
 * container, network or volume behind.
 */
class ComposeIT {
    static final Path COMPOSE = Path.of("/usr/bin/docker-compose");
    /** Kafka, then auditwatch (JVM, listeners, heartbeat consumer): about 25 s here. */
    static final Duration UP_TIMEOUT = Duration.ofSeconds(180);
    /** The shipped prometheus.yml scrapes every 15 s. */
    static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(60);
    static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(60);
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void upDeliversScrapesAndDownLeavesNothing() throws Exception {
        assumeTrue(Files.isExecutable(COMPOSE), "docker-compose is missing: apt-get install docker-compose (.ci/run installs it)");
        DockerEngine docker = LocalImages.engine();
        LocalImages.auditwatchImage();
        Set<String> networksBefore = lines(docker.docker("network", "ls", "--format", "{{.Name}}"));
        Set<String> volumesBefore = lines(docker.docker("volume", "ls", "-q"));
        int syslog = LocalImages.freePublishPort();
        int admin = LocalImages.freePublishPort();
        int prometheus = LocalImages.freePublishPort();
        Map<String, String> env = Map.of(
                "DOCKER_HOST", docker.host(),
                "COMPOSE_PROJECT_NAME", "awcompose" + ProcessHandle.current().pid(),
                "KAFKA_VERSION", AppInfoParser.getVersion(),
                "AUDITWATCH_SYSLOG_PORT", Integer.toString(syslog),
                "AUDITWATCH_TLS_PORT", Integer.toString(LocalImages.freePublishPort()),
                "AUDITWATCH_ADMIN_PORT", Integer.toString(admin),
                "PROMETHEUS_PORT", Integer.toString(prometheus),
                "MAILPIT_UI_PORT", Integer.toString(LocalImages.freePublishPort()),
                "MAILPIT_SMTP_PORT", Integer.toString(LocalImages.freePublishPort()));
        // The kit's secrets as an operator makes them: passwords and a TLS CA in deploy/secrets/.
        Path secrets = LocalImages.repositoryRoot().resolve("deploy/secrets");
        Process generate = new ProcessBuilder("sh", LocalImages.repositoryRoot().resolve("deploy/generate-secrets").toString())
                .redirectErrorStream(true).start();
        assertEquals(0, generate.waitFor(), new String(generate.getInputStream().readAllBytes(), UTF_8));
        String operator = "operator:" + Files.readString(secrets.resolve("admin-password")).strip();
        authorization = "Basic " + java.util.Base64.getEncoder().encodeToString(operator.getBytes(UTF_8));
        try {
            // Compose's own build of the auditwatch service with the override's build arguments.
            compose(env, "build", "auditwatch");
            long up = System.nanoTime();
            compose(env, "up", "-d", "kafka", "auditwatch", "prometheus");
            await().atMost(UP_TIMEOUT).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> get(admin, "/health").statusCode() == 200);
            System.out.printf("docker-compose up to auditwatch /health 200: %.1f s%n", (System.nanoTime() - up) / 1e9);
            // Heartbeat's new consumer group starts at the end of audit.events: send once it reads (/ready).
            await().atMost(UP_TIMEOUT).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> get(admin, "/ready").statusCode() == 200);

            compose(env, "up", "-d", "sender");
            String host = Files.readString(Path.of("/proc/sys/kernel/hostname"), UTF_8).strip();
            // Nodes are listed once heartbeat read their events back from the compose Kafka: the
            // syslog driver's line names the Docker host, logger's the sender container.
            await().atMost(DELIVERY_TIMEOUT).untilAsserted(() -> {
                String nodes = get(admin, "/api/nodes").body();
                assertTrue(nodes.contains("\"compose-sender\""), "logger to the service name: " + nodes);
                assertTrue(nodes.contains("\"" + host + "\""), "Docker's syslog driver: " + nodes);
            });

            String query = "/api/v1/query?query=" + URLEncoder.encode("up{job=\"auditwatch\"}", UTF_8);
            await().atMost(SCRAPE_TIMEOUT).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> get(prometheus, query).body().matches("(?s).*\"value\":\\[[0-9.]+,\"1\"\\].*"));
            String scraped = "/api/v1/query?query=" + URLEncoder.encode("auditwatch_kafka_publish_total{result=\"success\"}", UTF_8);
            assertTrue(get(prometheus, scraped).body().contains("\"result\":\"success\""), "auditwatch's own metrics in Prometheus");
        } catch (Exception | Error e) {
            try {
                compose(env, "down", "-v", "--remove-orphans");
            } catch (IOException downFailed) {
                e.addSuppressed(downFailed);
            }
            throw e;
        }
        long down = System.nanoTime();
        compose(env, "down", "-v", "--remove-orphans");
        System.out.printf("docker-compose down -v: %.1f s%n", (System.nanoTime() - down) / 1e9);
        assertEquals("", docker.docker("ps", "-aq").strip(), "containers left after down");
        assertEquals(networksBefore, lines(docker.docker("network", "ls", "--format", "{{.Name}}")), "networks after down");
        assertEquals(volumesBefore, lines(docker.docker("volume", "ls", "-q")), "volumes after down");
    }

    private static String compose(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path root = LocalImages.repositoryRoot();
        List<String> cmd = new ArrayList<>(List.of(COMPOSE.toString(), "-f", root.resolve("deploy/compose.yaml").toString(),
                "-f", root.resolve("deploy/local/compose.local.yaml").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        // Compose's CLI build runs `docker build`: Debian's client, with BuildKit.
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        pb.environment().put("COMPOSE_DOCKER_CLI_BUILD", "1");
        pb.environment().put("DOCKER_BUILDKIT", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    /** The admin API's operator credentials (compose publishes it with authentication only). */
    private static String authorization;

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", authorization)
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Set<String> lines(String text) {
        return new TreeSet<>(text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
    }
}
