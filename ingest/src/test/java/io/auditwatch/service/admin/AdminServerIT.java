package io.auditwatch.service.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The admin server over real loopback HTTP with the JDK's client. */
class AdminServerIT {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicReference<ReadinessCheck.Result> kafka =
            new AtomicReference<>(ReadinessCheck.Result.ok());
    private AdminServer server;

    private static final StatusView VIEW = new StatusView(Instant.parse("2026-11-23T10:00:00Z"), List.of(
            new NodeStreamView("<script>alert(1)</script>", "worker", "auditd", "OK",
                    Instant.parse("2026-11-23T09:59:30Z"), Duration.ofMinutes(15), null, List.of()),
            new NodeStreamView("node-7", "manager", "ucp-audit", "SILENT",
                    Instant.parse("2026-11-23T09:30:00Z"), Duration.ofMinutes(15), null,
                    List.of("STREAM_SILENT since 09:45Z"))),
            Map.of("kafka", "UP"));

    private AdminServer start(AdminSettings settings) {
        AdminRoutes routes = new AdminRoutes()
                .readiness(ReadinessCheck.of("listeners", ReadinessCheck.Result::ok))
                .readiness(ReadinessCheck.of("kafka", kafka::get))
                .status(() -> VIEW)
                .post("/api/echo", (caller, json) -> AdminResponse.json(200, json))
                .get("/api/boom", () -> {
                    throw new IllegalStateException("handler bug");
                });
        server = AdminServer.start(settings, registry, routes);
        return server;
    }

    private AdminServer start() {
        return start(AdminSettings.of("127.0.0.1", 0));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    @Test
    void healthIsUpJson() throws Exception {
        start();
        HttpResponse<String> r = get("/health");
        assertEquals(200, r.statusCode());
        assertEquals("application/json; charset=utf-8", header(r, "content-type"));
        assertEquals("{\"status\":\"UP\"}", r.body());
    }

    @Test
    void headOnHealthHasLengthButNoBody() throws Exception {
        start();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/health"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("15", header(r, "content-length"));
        assertEquals("", r.body());
    }

    @Test
    void metricsDefaultsToPrometheusText004() throws Exception {
        start();
        registry.counter("auditwatch.test.events").increment(3);
        HttpResponse<String> r = get("/metrics");
        assertEquals(200, r.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", header(r, "content-type"));
        assertTrue(r.body().contains("auditwatch_test_events_total 3.0"), r.body());
        assertFalse(r.body().contains("# EOF"));
    }

    @Test
    void metricsNegotiatesOpenMetricsWithPrometheusAcceptHeader() throws Exception {
        start();
        registry.counter("auditwatch.test.events").increment(3);
        // Prometheus 2.42's scrape Accept header (scrape/scrape.go, acceptHeader).
        HttpResponse<String> r = get("/metrics", "Accept",
                "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                        + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
        assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8", header(r, "content-type"));
        assertTrue(r.body().contains("auditwatch_test_events_total 3.0"), r.body());
        assertTrue(r.body().endsWith("# EOF\n"));
    }

    @Test
    void scrapeIsGzippedWhenTheScraperAcceptsIt() throws Exception {
        start();
        for (int i = 0; i < 200; i++) {
            registry.counter("auditwatch.test.events", "n", Integer.toString(i)).increment();
        }
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri("/metrics"))
                .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals("gzip", header(r, "content-encoding"));
        String body = new String(new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(r.body()))
                .readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(body.contains("auditwatch_test_events_total{n=\"199\"} 1.0"), body);
        assertTrue(r.body().length * 4 < body.length(), "compressed " + r.body().length + " of " + body.length());
    }

    @Test
    void smallResponsesAreNotCompressed() throws Exception {
        start();
        HttpResponse<String> r = get("/health", "Accept-Encoding", "gzip");
        assertEquals(null, header(r, "content-encoding"));
        assertEquals("{\"status\":\"UP\"}", r.body());
    }

    @Test
    void requestsAreCountedWithBoundedPathLabel() throws Exception {
        start();
        get("/health");
        get("/wp-login.php");
        get("/etc/passwd");
        String metrics = get("/metrics").body();
        assertTrue(metrics.contains("auditwatch_admin_requests_total{path=\"/health\",status=\"200\"} 1.0"), metrics);
        assertTrue(metrics.contains("auditwatch_admin_requests_total{path=\"other\",status=\"404\"} 2.0"), metrics);
        assertFalse(metrics.contains("wp-login"));
    }

    @Test
    void readyFlipsBetween200And503WithTheCheck() throws Exception {
        start();
        HttpResponse<String> up = get("/ready");
        assertEquals(200, up.statusCode());
        assertEquals(
                "{\"status\":\"UP\",\"checks\":{\"listeners\":{\"status\":\"UP\"},\"kafka\":{\"status\":\"UP\"}}}",
                up.body());

        kafka.set(ReadinessCheck.Result.down("no broker answered for 30s"));
        HttpResponse<String> down = get("/ready");
        assertEquals(503, down.statusCode());
        assertEquals("{\"status\":\"DOWN\",\"checks\":{\"listeners\":{\"status\":\"UP\"},"
                + "\"kafka\":{\"status\":\"DOWN\",\"detail\":\"no broker answered for 30s\"}}}", down.body());

        kafka.set(ReadinessCheck.Result.ok());
        assertEquals(200, get("/ready").statusCode());
    }

    @Test
    void throwingReadinessCheckCountsAsDown() throws Exception {
        server = AdminServer.start(AdminSettings.of("127.0.0.1", 0), registry, new AdminRoutes()
                .readiness(ReadinessCheck.of("heartbeat", () -> {
                    throw new IllegalStateException("secret internals");
                })));
        HttpResponse<String> r = get("/ready");
        assertEquals(503, r.statusCode());
        assertEquals("{\"status\":\"DOWN\",\"checks\":{\"heartbeat\":{\"status\":\"DOWN\","
                + "\"detail\":\"check failed: IllegalStateException\"}}}", r.body());
    }

    @Test
    void aLivenessCheckThatIsDownTurnsHealth503WithItsReasonAndBackTo200() throws Exception {
        java.util.concurrent.atomic.AtomicReference<ReadinessCheck.Result> heartbeat =
                new java.util.concurrent.atomic.AtomicReference<>(ReadinessCheck.Result.ok());
        server = AdminServer.start(AdminSettings.of("127.0.0.1", 0), registry, new AdminRoutes()
                .liveness(ReadinessCheck.of("heartbeat", heartbeat::get)));
        HttpResponse<String> up = get("/health");
        assertEquals(200, up.statusCode());
        assertEquals("{\"status\":\"UP\"}", up.body());

        heartbeat.set(ReadinessCheck.Result.down("consumer failed 8 consecutive sessions"));
        HttpResponse<String> down = get("/health");
        assertEquals(503, down.statusCode());
        assertEquals("{\"status\":\"DOWN\",\"checks\":{\"heartbeat\":{\"status\":\"DOWN\","
                + "\"detail\":\"consumer failed 8 consecutive sessions\"}}}", down.body());
        // Readiness is a separate list: a liveness check does not appear there.
        assertEquals(200, get("/ready").statusCode());

        heartbeat.set(ReadinessCheck.Result.ok());
        assertEquals(200, get("/health").statusCode());
    }

    @Test
    void slowEndpointDoesNotHoldUpHealthOnTheNextConnection() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        server = AdminServer.start(AdminSettings.of("127.0.0.1", 0), registry, new AdminRoutes()
                .get("/api/slow", () -> {
                    try {
                        release.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return AdminResponse.json(200, Map.of());
                }));
        try (Socket slow = new Socket("127.0.0.1", server.port())) {
            slow.getOutputStream().write("GET /api/slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            slow.getOutputStream().flush();
            // Connections are spread over the handler threads in turn: the next one lands on the other.
            assertEquals(200, get("/health").statusCode());
        } finally {
            release.countDown();
        }
    }

    @Test
    void statusPageEscapesNodeNamesAndRefreshes() throws Exception {
        start();
        HttpResponse<String> r = get("/status");
        assertEquals(200, r.statusCode());
        assertEquals("text/html; charset=utf-8", header(r, "content-type"));
        assertTrue(r.body().contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assertFalse(r.body().contains("<script>"));
        assertTrue(r.body().contains("<meta http-equiv=\"refresh\" content=\"15\">"));
        assertTrue(r.body().indexOf(">node-7<") < r.body().indexOf(">&lt;script&gt;"), "SILENT node-7 sorts first");
    }

    @Test
    void apiNodesGivesRowsWorstFirstWithSecondsAndIsoInstants() throws Exception {
        start();
        HttpResponse<String> r = get("/api/nodes");
        assertEquals(200, r.statusCode());
        var doc = Json.MAPPER.readTree(r.body());
        assertEquals("2026-11-23T10:00:00Z", doc.get("generatedAt").asText());
        var first = doc.get("nodes").get(0);
        assertEquals("node-7", first.get("node").asText());
        assertEquals("SILENT", first.get("state").asText());
        assertEquals("2026-11-23T09:30:00Z", first.get("lastSeen").asText());
        assertEquals(1800, first.get("ageSeconds").asLong());
        assertEquals(900, first.get("thresholdSeconds").asLong());
        assertEquals("STREAM_SILENT since 09:45Z", first.get("openAlerts").get(0).asText());
    }

    @Test
    void unknownPathIs404Json() throws Exception {
        start();
        HttpResponse<String> r = get("/nope");
        assertEquals(404, r.statusCode());
        assertEquals("application/json; charset=utf-8", header(r, "content-type"));
        assertEquals("{\"error\":\"no such path\"}", r.body());
    }

    @Test
    void wrongMethodIs405WithAllow() throws Exception {
        start();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/metrics"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, r.statusCode());
        assertEquals("GET, HEAD", header(r, "allow"));
    }

    @Test
    void postExtensionReceivesJson() throws Exception {
        start();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/api/echo"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"node\":\"n1\",\"minutes\":30}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("{\"node\":\"n1\",\"minutes\":30}", r.body());
    }

    @Test
    void postWithInvalidJsonIs400() throws Exception {
        start();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/api/echo"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"node\":")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, r.statusCode());
    }

    @Test
    void failingHandlerIs500WithoutDetails() throws Exception {
        start();
        HttpResponse<String> r = get("/api/boom");
        assertEquals(500, r.statusCode());
        assertEquals("{\"error\":\"internal error\"}", r.body());
    }

    @Test
    void oversizedBodyIs413() throws Exception {
        start(AdminSettings.of("127.0.0.1", 0).withMaxRequestBytes(1024));
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/api/echo"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("\"" + "x".repeat(4096) + "\"")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(413, r.statusCode());
    }

    @Test
    void basicAuthGuardsEverythingButHealth() throws Exception {
        start(AdminSettings.of("127.0.0.1", 0).withCredentials(BasicCredentials.of("ops", "s3cret")));
        HttpResponse<String> anonymous = get("/metrics");
        assertEquals(401, anonymous.statusCode());
        assertEquals("Basic realm=\"auditwatch\", charset=\"UTF-8\"", header(anonymous, "www-authenticate"));
        assertEquals(401, get("/status").statusCode());
        assertEquals(200, get("/health").statusCode());
        assertEquals(401, get("/metrics", "Authorization", basic("ops:wrong")).statusCode());
        assertEquals(200, get("/metrics", "Authorization", basic("ops:s3cret")).statusCode());
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() throws Exception {
        start();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            String req = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
            out.write((req + req).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String both = readAtLeast(s.getInputStream(), 2);
            assertEquals(3, both.split("HTTP/1.1 200 OK", -1).length, both);
        }
    }

    @Test
    void malformedRequestGets400AndTheConnectionIsClosed() throws Exception {
        start();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET /health HTTP/1.1\r\nHost x\r\nContent-Length: abc\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
            assertTrue(answer.contains("connection: close"), answer);
        }
    }

    @Test
    void idleConnectionIsClosed() throws Exception {
        start(AdminSettings.of("127.0.0.1", 0).withIdleTimeout(Duration.ofMillis(200)));
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5000);
            assertEquals(-1, s.getInputStream().read());
        }
    }

    private static String readAtLeast(InputStream in, int responses) throws IOException {
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[4096];
        while (sb.toString().split("\\{\"status\":\"UP\"\\}", -1).length <= responses) {
            int n = in.read(buf);
            if (n < 0) {
                break;
            }
            sb.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
        }
        return sb.toString();
    }

    private static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    private static String basic(String userColonPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }
}
