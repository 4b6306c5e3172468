package io.auditwatch.ingest.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The spoofing alert on a moved clock: threshold and window, one alert per claimed node, resolution. */
class SpoofingWatchTest {
    static final Duration WINDOW = Duration.ofHours(1);

    Instant now = Instant.parse("2026-12-03T10:00:00Z");
    final List<AlertEvent> raised = new ArrayList<>();
    final SpoofingWatch watch = new SpoofingWatch(new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }, raised::add, 3, WINDOW, Set.of("ucp-manager-1", "wrk-9"));

    @Test
    void aForgedPulseEveryTenMinutesFiresAtTheThirdAndOnlyOnce() {
        for (int i = 0; i < 6; i++) {
            watch.violation("ucp-manager-1", "127.0.0.5", IdentityMismatch.CERTIFICATE_REQUIRED);
            assertEquals(i < 2 ? 0 : 1, raised.size(), "after violation " + (i + 1));
            now = now.plus(Duration.ofMinutes(10));
        }
        AlertEvent e = raised.get(0);
        assertEquals(AlertKind.SPOOFING_ATTEMPT, e.kind());
        assertEquals(AlertEvent.Status.FIRING, e.status());
        assertEquals("spoofing-attempt/ucp-manager-1", e.key());
        assertEquals("ucp-manager-1", e.node());
        assertTrue(e.summary().contains("claimed ucp-manager-1 without its certificate (last from 127.0.0.5)"), e.summary());
    }

    @Test
    void violationsSpreadWiderThanTheWindowNeverFire() {
        for (int i = 0; i < 10; i++) {
            watch.violation("wrk-9", "10.0.5.5", IdentityMismatch.ADDRESS_REQUIRED);
            now = now.plus(Duration.ofMinutes(31));
        }
        assertEquals(List.of(), raised);
    }

    @Test
    void theAlertResolvesAfterAQuietWindowAndFiresAgainOnANewRun() {
        for (int i = 0; i < 3; i++) {
            watch.violation("wrk-9", "10.0.5.5", IdentityMismatch.ADDRESS_REQUIRED);
        }
        now = now.plus(WINDOW).minusSeconds(1);
        watch.check();
        assertEquals(1, raised.size(), "still within the window of the last violation");
        now = now.plusSeconds(1);
        watch.check();
        assertEquals(AlertEvent.Status.RESOLVED, raised.get(1).status());
        assertEquals("spoofing-attempt/wrk-9", raised.get(1).key());
        for (int i = 0; i < 3; i++) {
            watch.violation("wrk-9", "10.0.5.5", IdentityMismatch.ADDRESS_REQUIRED);
        }
        assertEquals(AlertEvent.Status.FIRING, raised.get(2).status());
    }

    @Test
    void namesOutsideTheInventoryShareOneKeyAndAreQuotedEscaped() {
        watch.violation("a\nforged log line", "10.0.5.5", IdentityMismatch.IDENTITY_REQUIRED);
        watch.violation("b".repeat(300), "10.0.5.6", IdentityMismatch.IDENTITY_REQUIRED);
        watch.violation("c", "10.0.5.7", IdentityMismatch.IDENTITY_REQUIRED);
        assertEquals(1, raised.size());
        AlertEvent e = raised.get(0);
        assertEquals(SpoofingWatch.OUTSIDE_KEY, e.key());
        assertNull(e.node());
        assertTrue(e.summary().contains("latest 'c'") && e.summary().contains("10.0.5.7"), e.summary());
        watch.violation("x\ny", "10.0.5.8", IdentityMismatch.IDENTITY_REQUIRED);
        assertEquals(1, raised.size(), "one open alert for every name outside the inventory");
    }

    @Test
    void escapingKeepsALogLineOneLineAndShort() {
        assertEquals("a\\x0aforged", io.auditwatch.ingest.log.RateLimitedLog.escape("a\nforged", 64));
        assertEquals("b".repeat(64) + "...", io.auditwatch.ingest.log.RateLimitedLog.escape("b".repeat(300), 64));
    }
}
