package io.auditwatch.service.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} as the real Prometheus tools see it: {@code promtool check metrics} lints the
 * scrape (there is no Prometheus text-format parser for Java in the build: the client library has
 * writers only), and Debian's Prometheus server scrapes the admin server and answers a query.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusScrapeIT {

    private static final String PROMTOOL = "/usr/bin/promtool";
    private static final String PROMETHEUS = "/usr/bin/prometheus";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicLong testValue = new AtomicLong(42);
    private AdminServer server;
    private Process prometheus;

    @BeforeAll
    void start() {
        // Meters of every kind the service registers, with the service's naming, plus the JVM and
        // process binders the service binds: the lint must pass on what production exposes.
        Gauge.builder("auditwatch.test.metric", testValue, AtomicLong::get)
                .description("Known value for the scrape test").register(registry);
        Counter.builder("auditwatch.events.received").description("Events received")
                .tag("transport", "tcp").tag("stream", "auditd").register(registry).increment(7);
        Timer.builder("auditwatch.kafka.publish.latency").description("Publish latency")
                .publishPercentileHistogram().register(registry).record(Duration.ofMillis(12));
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        server = AdminServer.start(AdminSettings.of("127.0.0.1", 0), registry, new AdminRoutes());
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
        server.close();
    }

    private String scrape(String accept) throws Exception {
        return scrape(server.port(), accept);
    }

    private String scrape(int port, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"));
        if (accept != null) {
            b.header("Accept", accept);
        }
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    /**
     * promtool 2.42's lint complaints about meters of Micrometer's own {@code ProcessorMetrics}
     * binder (names chosen upstream, kept because common dashboards query them). Anything else,
     * and anything about an {@code auditwatch_} metric, fails the test.
     */
    private static final Set<String> KNOWN_UPSTREAM_COMPLAINTS = Set.of(
            "process_cpu_time_ns_total metric names should not contain abbreviated units",
            "system_cpu_count non-histogram and non-summary metrics should not have \"_count\" suffix");

    @Test
    void promtoolFindsNothingToComplainAboutInTheTextFormat() throws Exception {
        assumeTrue(ExternalTool.installed(PROMTOOL), "promtool not installed (Debian package 'prometheus')");
        String body = scrape(null);
        ExternalTool.Outcome lint = ExternalTool.run(List.of(PROMTOOL, "check", "metrics"),
                body.getBytes(StandardCharsets.UTF_8), 60);
        Set<String> complaints = lint.output().lines().map(String::trim).filter(l -> !l.isEmpty())
                .collect(Collectors.toCollection(TreeSet::new));
        complaints.removeAll(KNOWN_UPSTREAM_COMPLAINTS);
        assertEquals(Set.of(), complaints, "promtool complaints:\n" + lint.output());
        // promtool exits 3 for lint problems and 1 for a format it cannot parse.
        assertTrue(lint.exitCode() == 0 || lint.exitCode() == 3, lint.output());
    }

    @Test
    void promtoolAcceptsAScrapeWithoutUpstreamBinders() throws Exception {
        assumeTrue(ExternalTool.installed(PROMTOOL), "promtool not installed (Debian package 'prometheus')");
        PrometheusMeterRegistry own = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Counter.builder("auditwatch.events.received").description("Events received")
                .tag("transport", "udp").register(own).increment();
        Timer.builder("auditwatch.kafka.publish.latency").description("Publish latency")
                .publishPercentileHistogram().register(own).record(Duration.ofMillis(3));
        new JvmMemoryMetrics().bindTo(own);
        try (AdminServer second = AdminServer.start(AdminSettings.of("127.0.0.1", 0), own, new AdminRoutes())) {
            String body = scrape(second.port(), null);
            ExternalTool.Outcome lint = ExternalTool.run(List.of(PROMTOOL, "check", "metrics"),
                    body.getBytes(StandardCharsets.UTF_8), 60);
            assertEquals(0, lint.exitCode(), lint.output());
            assertEquals("", lint.output().trim());
        }
    }

    @Test
    void textFormatCarriesTheKnownSampleWithItsValue() throws Exception {
        // A strict reading of the sample lines (name{labels} value): enough to check values.
        String line = scrape(null).lines().filter(l -> l.startsWith("auditwatch_events_received_total{"))
                .findFirst().orElseThrow();
        assertEquals("auditwatch_events_received_total{stream=\"auditd\",transport=\"tcp\"} 7.0", line);
    }

    @Test
    void realPrometheusScrapesTheKnownSeries(@TempDir Path dir) throws Exception {
        assumeTrue(ExternalTool.installed(PROMETHEUS), "prometheus not installed (Debian package 'prometheus')");
        int webPort = freePort();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: auditwatch
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(server.port()));
        prometheus = new ProcessBuilder(PROMETHEUS,
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + webPort)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        URI query = URI.create("http://127.0.0.1:" + webPort + "/api/v1/query?query=auditwatch_test_metric");
        testValue.set(4242);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .untilAsserted(() -> {
                    JsonNode result = Json.MAPPER.readTree(client.send(HttpRequest.newBuilder(query).build(),
                            HttpResponse.BodyHandlers.ofString()).body()).path("data").path("result");
                    assertEquals(1, result.size(), result.toString());
                    assertEquals("auditwatch", result.get(0).path("metric").path("job").asText());
                    assertEquals("4242", result.get(0).path("value").get(1).asText());
                });
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
