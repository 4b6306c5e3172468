package io.auditwatch.service.admin;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.service.MetricsReference;
import io.auditwatch.service.TestService;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole service's {@code /metrics} after known traffic: the documented series carry the
 * expected values (read with a strict parser of the text format's sample lines), promtool finds
 * nothing to complain about, and Debian's Prometheus server scrapes the service and answers a query.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServiceScrapeIT {
    private static final String PROMTOOL = "/usr/bin/promtool";
    private static final String PROMETHEUS = "/usr/bin/prometheus";
    /** Lint findings about Micrometer's own JVM binder names; see PrometheusScrapeIT. */
    private static final Set<String> KNOWN_UPSTREAM_COMPLAINTS = Set.of(
            "process_cpu_time_ns_total metric names should not contain abbreviated units",
            "system_cpu_count non-histogram and non-summary metrics should not have \"_count\" suffix");

    @RegisterExtension
    static final TestService service = TestService.with(Map.of());

    Process prometheus;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void someEventsWerePublished() throws Exception {
        // Heartbeat's new consumer group starts at the end of audit.events: let it start first.
        service.awaitHeartbeatReading();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), service.tcpPort())) {
            for (int i = 0; i < 3; i++) {
                s.getOutputStream().write(("<30>1 2026-11-23T17:00:01Z scrape-node web/3f2a9c1d0b7e 1 web/3f2a9c1d0b7e - line " + i
                        + "\n").getBytes(UTF_8));
            }
            s.getOutputStream().write("this is not syslog\n".getBytes(UTF_8));
        }
        try (DatagramSocket u = new DatagramSocket()) {
            for (int i = 0; i < 2; i++) {
                byte[] b = ("<14>Nov 23 17:00:01 scrape-node audisp-syslog: type=SYSCALL msg=audit(1700758801.123:" + i
                        + "): arch=c000003e syscall=257 success=yes key=\"docker\"\n").getBytes(UTF_8);
                u.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), service.udpPort()));
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> sample(scrape(), "auditwatch_kafka_publish_total",
                Map.of("result", "success")) >= 6);
    }

    @AfterAll
    void stop() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
    }

    @Test
    void documentedSeriesCarryTheValuesOfTheTrafficSent() throws Exception {
        String text = scrape();
        assertEquals(3.0, sample(text, "auditwatch_events_received_total",
                Map.of("transport", "tcp", "format", "rfc5424", "stream", "container")));
        assertEquals(1.0, sample(text, "auditwatch_events_received_total",
                Map.of("transport", "tcp", "format", "unparsed", "stream", "other")));
        assertEquals(2.0, sample(text, "auditwatch_events_received_total",
                Map.of("transport", "udp", "format", "rfc3164", "stream", "auditd")));
        assertEquals(1.0, sample(text, "auditwatch_parse_failures_total", Map.of()));
        assertTrue(sample(text, "auditwatch_received_bytes_total", Map.of("transport", "tcp")) > 100);
        assertEquals(6.0, sample(text, "auditwatch_kafka_publish_total", Map.of("result", "success")));
        assertEquals(1.0, sample(text, "auditwatch_kafka_up", Map.of()));
        assertTrue(sample(text, "auditwatch_kafka_publish_latency_seconds_count", Map.of()) >= 6);
        assertTrue(text.contains("jvm_memory_used_bytes"), "JVM metrics are exposed");
        assertTrue(text.contains("auditwatch_alert_delivery_failing"), "alerting metrics share the registry");
    }

    /** A meter registered outside the *Metrics classes, or under another type, would show here. */
    @Test
    void everyScrapedAuditwatchFamilyIsDeclared() throws Exception {
        String text = scrape();
        assertTrue(MetricsReference.scrapedFamilies(text).size() >= 40, text);
        assertEquals(Map.of(), MetricsReference.undeclared(text));
    }

    @Test
    void heartbeatGaugesFollowTheTraffic() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> sample(scrape(), "auditwatch_heartbeat_events_total",
                Map.of("stream", "container")) >= 3);
        String text = scrape();
        assertTrue(sample(text, "auditwatch_heartbeat_events_total", Map.of("stream", "auditd")) >= 2);
    }

    @Test
    void promtoolFindsNothingToComplainAbout() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(PROMTOOL)), "promtool not installed (Debian package 'prometheus')");
        ExternalTool.Outcome lint = ExternalTool.run(List.of(PROMTOOL, "check", "metrics"), scrape().getBytes(UTF_8), 60);
        Set<String> complaints = lint.output().lines().map(String::trim).filter(l -> !l.isEmpty())
                .collect(Collectors.toCollection(TreeSet::new));
        complaints.removeAll(KNOWN_UPSTREAM_COMPLAINTS);
        assertEquals(Set.of(), complaints, lint.output());
    }

    @Test
    void realPrometheusScrapesTheService() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(PROMETHEUS)), "prometheus not installed (Debian package 'prometheus')");
        int web = TestService.freeTcpPort();
        Path config = service.dir().resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: auditwatch
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(service.service().adminPort()));
        prometheus = new ProcessBuilder(PROMETHEUS, "--config.file=" + config, "--storage.tsdb.path=" + service.dir().resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + web).redirectErrorStream(true)
                .redirectOutput(service.dir().resolve("prometheus.log").toFile()).start();
        URI q = URI.create("http://127.0.0.1:" + web
                + "/api/v1/query?query=sum(auditwatch_events_received_total%7Btransport%3D%22udp%22%7D)");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
            JsonNode r = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(q).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).path("data").path("result");
            assertEquals(1, r.size(), r.toString());
            assertEquals("2", r.get(0).path("value").get(1).asText());
        });
    }

    private String scrape() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.service().adminPort() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /**
     * Sums the samples of {@code name} whose labels include {@code labels}, reading the text
     * format's sample lines strictly: {@code name{k="v",...} value}.
     */
    static double sample(String text, String name, Map<String, String> labels) {
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            Map<String, String> got = new HashMap<>();
            int brace = line.indexOf('{');
            int end = line.lastIndexOf(' ');
            if (brace == name.length()) {
                int close = line.indexOf('}', brace);
                for (String kv : line.substring(brace + 1, close).split(",")) {
                    if (!kv.isEmpty()) {
                        int eq = kv.indexOf('=');
                        got.put(kv.substring(0, eq), kv.substring(eq + 2, kv.length() - 1));
                    }
                }
            }
            if (got.entrySet().containsAll(labels.entrySet())) {
                sum += Double.parseDouble(line.substring(end + 1));
            }
        }
        return sum;
    }
}
