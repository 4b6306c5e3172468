package io.auditwatch.service.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /status} as a browser renders it: Debian's headless Chromium loads the page from the
 * running server and dumps the DOM it built. A screenshot is kept in {@code target/} for a human
 * to judge readability.
 */
class StatusPageChromiumIT {

    private static final String CHROMIUM = "/usr/bin/chromium";

    /** A laptop screen (the most common 14" resolution). */
    private static final String WINDOW = "1366,768";

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

    private AdminServer server;

    @BeforeEach
    void start() {
        List<NodeStreamView> rows = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            if (i == 7) {
                continue;
            }
            rows.add(new NodeStreamView("node-" + i, i <= 3 ? "manager" : "worker", "auditd", "OK",
                    NOW.minusSeconds(20 + i), Duration.ofMinutes(15), null, List.of()));
        }
        rows.add(new NodeStreamView("node-7", "worker", "auditd", "SILENT", NOW.minus(Duration.ofMinutes(47)),
                Duration.ofMinutes(15), null, List.of("NODE_SILENT: no audit data for 47m (threshold 15m)")));
        rows.add(new NodeStreamView("node-13", "worker", "auditd", "NEVER_SEEN", null, Duration.ofMinutes(15),
                null, List.of("NODE_NEVER_SEEN")));
        rows.add(new NodeStreamView("node-2", "manager", "ucp-audit", "MAINTENANCE", NOW.minus(Duration.ofHours(2)),
                Duration.ofMinutes(5), NOW.plus(Duration.ofHours(1)), List.of()));
        StatusView view = new StatusView(NOW, rows,
                Map.of("kafka", "UP", "listeners", "UP", "alert-delivery", "UP"));
        server = AdminServer.start(AdminSettings.of("127.0.0.1", 0),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), new AdminRoutes().status(() -> view));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private List<String> chromium(Path profile, String... action) {
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
                "--window-size=" + WINDOW));
        cmd.addAll(List.of(action));
        cmd.add("http://127.0.0.1:" + server.port() + "/status");
        return cmd;
    }

    @Test
    void silentNodeShowsAsSilentAndSortsFirst(@TempDir Path profile) throws Exception {
        assumeTrue(ExternalTool.installed(CHROMIUM), "chromium not installed (Debian package 'chromium')");
        ExternalTool.Outcome dump = ExternalTool.run(chromium(profile, "--dump-dom"), null, 120);
        assertEquals(0, dump.exitCode(), dump.output());
        String dom = dump.output();

        Matcher rows = Pattern.compile("<tr class=\"(\\w+)\" data-node=\"([^\"]+)\" data-state=\"([^\"]+)\">(.*?)</tr>",
                Pattern.DOTALL).matcher(dom);
        List<String> order = new ArrayList<>();
        String node7 = null;
        while (rows.find()) {
            order.add(rows.group(2));
            if (rows.group(2).equals("node-7")) {
                node7 = rows.group(1) + " " + rows.group(3) + " " + rows.group(4);
            }
        }
        assertTrue(node7 != null, "node-7 row in the DOM:\n" + dom);
        assertTrue(node7.startsWith("bad SILENT "), node7);
        assertTrue(node7.contains("<span class=\"state\">SILENT</span>"), node7);
        assertTrue(node7.contains(">47m<"), node7);
        assertEquals(List.of("node-7", "node-13"), order.subList(0, 2), "worst first");
        assertTrue(dom.contains("2 node stream(s) not reporting"), "header counts the failures");
    }

    @Test
    void screenshotIsKeptForAHumanToJudge(@TempDir Path profile) throws Exception {
        assumeTrue(ExternalTool.installed(CHROMIUM), "chromium not installed (Debian package 'chromium')");
        Path png = Path.of("target", "status-page.png").toAbsolutePath();
        Files.deleteIfExists(png);
        ExternalTool.Outcome shot = ExternalTool.run(chromium(profile, "--screenshot=" + png, "--hide-scrollbars"),
                null, 120);
        assertEquals(0, shot.exitCode(), shot.output());
        assertTrue(Files.size(png) > 10_000, "a real rendering, not a blank page");
    }
}
