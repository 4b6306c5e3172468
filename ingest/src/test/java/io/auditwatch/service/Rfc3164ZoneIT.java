package io.auditwatch.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code listeners.rfc3164-zone} with a real sender: util-linux {@code logger --rfc3164} writes its
 * local time with no zone, as Docker's default and rfc3164 formats do (ingest/README.md, "Docker's
 * syslog log driver"). The collector is told the sender's zone, New York (west of UTC); a sender in
 * that zone then has no event lag, and one whose clock is in UTC looks hours ahead, which shows that
 * the setting, not the collector's own zone, decides.
 */
class Rfc3164ZoneIT {
    private static final String ZONE = "America/New_York";

    @RegisterExtension
    static final TestService service = TestService.configuredBy(dir -> {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/logger")), "util-linux logger is not installed (apt-get install bsdutils)");
        return Map.of("AUDITWATCH_LISTENERS_RFC3164_ZONE", ZONE);
    });

    @Test
    void aSenderInTheConfiguredZoneHasNoEventLag() throws Exception {
        String text = "zone-ny-" + System.nanoTime();
        logger(ZONE, text);
        JsonNode e = service.events().awaitOne(text);
        assertEquals("rfc3164", e.get("format").asText());
        Duration lag = lag(e);
        assertTrue(lag.abs().compareTo(Duration.ofSeconds(10)) < 0, "lag " + lag + " of " + e);
    }

    @Test
    void aSenderInAnotherZoneIsReadInTheConfiguredOne() throws Exception {
        String text = "zone-utc-" + System.nanoTime();
        logger("UTC", text);
        JsonNode e = service.events().awaitOne(text);
        // New York is 4 or 5 hours behind UTC: UTC wall time read as New York time lies that far in the future.
        long hours = Math.round(-lag(e).toSeconds() / 3600.0);
        assertTrue(hours == 4 || hours == 5, "event time " + e.get("event_time") + ", received " + e.get("received_at"));
    }

    /** Receive time minus the sender's time. */
    private static Duration lag(JsonNode e) {
        return Duration.between(Instant.parse(e.get("event_time").asText()), Instant.parse(e.get("received_at").asText()));
    }

    private static void logger(String tz, String text) throws Exception {
        ProcessBuilder b = new ProcessBuilder(List.of("/usr/bin/logger", "-n", "127.0.0.1", "-T", "--rfc3164",
                "-P", Integer.toString(service.tcpPort()), "-t", "zonetest", text)).redirectErrorStream(true);
        b.environment().put("TZ", tz);
        Process p = b.start();
        try {
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "logger did not finish");
            assertEquals(0, p.exitValue(), "logger failed: " + new String(p.getInputStream().readAllBytes(), UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }
}
