package io.auditwatch.service.admin;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import io.auditwatch.service.TestService;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cross-site request the admin API must not obey, made by a real browser: Debian's headless
 * Chromium opens a page of another site ({@code evil.example}, resolved to 127.0.0.1 by Chromium's
 * host resolver rules, so the page's origin is foreign while its packets stay local) that calls
 * {@code navigator.sendBeacon} with a JSON Blob (no Content-Type, no CORS preflight) and
 * {@code fetch} with credentials, both against {@code /api/maintenance}. The service answers
 * without authentication on a non-loopback bind ({@code admin.allow-unauthenticated: true}), the
 * setting in which nothing but the request checks stands between a web page and the alerting.
 */
class CrossSiteChromiumIT {
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String NODE = "browser-node-1";

    @RegisterExtension
    static final TestService service = TestService.with(Map.of(
            "AUDITWATCH_ADMIN_HOST", "0.0.0.0",
            "AUDITWATCH_ADMIN_ALLOW_UNAUTHENTICATED", "true"));

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void oneNodeIsKnown() throws Exception {
        service.awaitHeartbeatReading();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), service.tcpPort())) {
            s.getOutputStream().write(("<30>1 " + Instant.now() + " " + NODE
                    + " web/3f2a9c1d0b7e 1 web/3f2a9c1d0b7e - hello\n").getBytes(UTF_8));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> service.service().tracker().node(NODE).isPresent());
    }

    private String admin() {
        return "http://127.0.0.1:" + service.service().adminPort();
    }

    private String get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(admin() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private double refusedForContentType() throws Exception {
        Matcher m = Pattern.compile("auditwatch_admin_refused_total\\{reason=\"content_type\"} (\\S+)")
                .matcher(get("/metrics"));
        assertTrue(m.find());
        return Double.parseDouble(m.group(1));
    }

    @Test
    void statusShowsThatTheAdminApiIsUnauthenticated() throws Exception {
        String status = get("/status");
        assertTrue(status.contains("UNAUTHENTICATED on a non-loopback address (admin.allow-unauthenticated: true)"),
                status);
    }

    @Test
    void beaconAndCredentialedFetchFromAnotherSiteChangeNothing(@TempDir Path profile) throws Exception {
        assumeTrue(ExternalTool.installed(CHROMIUM), "chromium not installed (Debian package 'chromium')");
        String body = "{\"node\":\"" + NODE + "\",\"until\":\"2h\",\"reason\":\"cross-site\"}";
        String page = """
                <!doctype html><html><body><pre id="out">running</pre><script>
                const admin = '%s';
                const body = '%s';
                const out = [];
                out.push('beacon:' + navigator.sendBeacon(admin + '/api/maintenance', new Blob([body])));
                fetch(admin + '/api/maintenance', {method: 'POST', mode: 'no-cors', credentials: 'include', body})
                  .then(r => out.push('no-cors:' + r.type), e => out.push('no-cors-error:' + e.name))
                  .then(() => fetch(admin + '/api/maintenance', {method: 'POST', credentials: 'include',
                      headers: {'Content-Type': 'application/json'}, body}))
                  .then(r => out.push('cors:' + r.status), e => out.push('cors-error:' + e.name))
                  .finally(() => { document.getElementById('out').textContent = 'finished ' + out.join(' '); });
                </script></body></html>
                """.formatted(admin(), body);
        HttpServer evil = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        evil.createContext("/", exchange -> {
            byte[] bytes = page.getBytes(UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        evil.start();
        double before = refusedForContentType();
        try {
            List<String> cmd = new ArrayList<>(List.of(CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                    "--user-data-dir=" + profile, "--host-resolver-rules=MAP evil.example 127.0.0.1",
                    "--virtual-time-budget=10000", "--dump-dom",
                    "http://evil.example:" + evil.getAddress().getPort() + "/"));
            ExternalTool.Outcome run = ExternalTool.run(cmd, null, 120);
            assertEquals(0, run.exitCode(), run.output());
            String dom = run.output();
            assertTrue(dom.contains("finished beacon:true"), "the page ran and the browser queued the beacon:\n" + dom);
            assertTrue(dom.contains("no-cors:opaque"), "the no-cors fetch was sent:\n" + dom);
            assertTrue(dom.contains("cors-error:TypeError"), "the JSON fetch failed its preflight:\n" + dom);
        } finally {
            evil.stop(0);
        }
        // Both requests without a JSON Content-Type reached the server and were refused there.
        await().atMost(Duration.ofSeconds(20)).until(() -> refusedForContentType() >= before + 2);
        assertFalse(service.service().tracker().node(NODE).orElseThrow().state().name().equals("MAINTENANCE"));
        assertFalse(get("/api/nodes").contains("MAINTENANCE"), "the API shows no maintenance");
    }
}
