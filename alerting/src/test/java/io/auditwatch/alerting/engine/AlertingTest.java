package io.auditwatch.alerting.engine;

import io.auditwatch.alerting.TestAlertingSettings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertHistory;
import io.auditwatch.alerting.AlertKind;
import io.auditwatch.alerting.AlertingMetrics;
import io.auditwatch.alerting.AlertingSettings;
import io.auditwatch.alerting.DeliveryHealth;
import io.auditwatch.alerting.Notification;
import io.auditwatch.testing.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine with a recording delivery: grouping, dedup, repeat, escalation, silences, restart. */
class AlertingTest {
    private static final Instant T = Instant.parse("2026-11-23T18:00:00Z");
    private static final Duration WINDOW = TestAlertingSettings.GROUP_WINDOW;

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(T);
    private final RecordingDelivery delivery = new RecordingDelivery();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private Alerting alerting;

    private TestAlertingSettings settings() {
        return TestAlertingSettings.builder()
                .recipients("isso", "isso@example.org")
                .recipients("sa", "sa@example.org", "sa2@example.org")
                .recipients("ops", "ops@example.org")
                .outboxDir(dir);
    }

    private Alerting start(AlertingSettings s) {
        alerting = new Alerting(s, clock, registry, AlertHistory.NONE, null, delivery);
        return alerting;
    }

    @AfterEach
    void close() {
        if (alerting != null) {
            alerting.close();
        }
    }

    private void advance(Duration d) {
        clock.advance(d);
        alerting.tick();
    }

    @Test
    void firingIsHeldForTheGroupWindowThenSentToIssoAndSa() {
        start(settings().build());
        alerting.accept(Events.streamSilent("node-7", "ucp-audit", T, T.minus(Duration.ofSeconds(690))));
        alerting.tick();
        advance(WINDOW.minusSeconds(1));
        assertTrue(delivery.sent.isEmpty(), "held for the group window");
        advance(Duration.ofSeconds(1));
        assertEquals(List.of("[auditwatch] AUDIT FAILURE: no audit data from node-7 (ucp-audit) for 12m"), delivery.subjects());
        assertEquals(List.of("isso@example.org", "sa2@example.org", "sa@example.org"), delivery.sent.get(0).recipients());
        assertEquals(List.of("stream-silent/node-7/ucp-audit"), delivery.sent.get(0).alertKeys());
    }

    @Test
    void secondFiringForAnOpenKeyIsDeduplicated() {
        start(settings().build());
        AlertEvent e = Events.streamSilent("node-7", "ucp-audit", T, T.minusSeconds(600));
        alerting.accept(e);
        advance(WINDOW);
        alerting.accept(e);
        advance(WINDOW);
        alerting.accept(e);
        advance(WINDOW);
        assertEquals(1, delivery.sent.size());
        assertEquals(1.0, registry.get(AlertingMetrics.RAISED.name()).tag("kind", "stream-silent").counter().count());
        assertEquals(1, alerting.openAlerts().size());
    }

    @Test
    void fiftyNodesSilentWithinTheWindowGiveOneDigest() {
        start(settings().build());
        for (int i = 1; i <= 50; i++) {
            alerting.accept(Events.nodeSilent("node-" + i, clock.instant(), T.minus(Duration.ofMinutes(15))));
            advance(Duration.ofMillis(500));
        }
        advance(WINDOW);
        assertEquals(List.of("[auditwatch] AUDIT FAILURE: 50 nodes silent (node-1, node-2, node-3, ...)"), delivery.subjects());
        Notification n = delivery.sent.get(0);
        assertEquals(50, n.alertKeys().size());
        for (int i = 1; i <= 50; i++) {
            assertTrue(n.textBody().contains("Node:         node-" + i + "\n"), "node-" + i + " listed");
        }
        assertEquals(50.0, registry.get(AlertingMetrics.OPEN.name()).tag("kind", "node-silent").gauge().value());
    }

    @Test
    void recoveryCarriesTheOutageLengthAndClosesTheAlert() {
        start(settings().build());
        AlertEvent firing = Events.streamSilent("node-7", "ucp-audit", T, T.minus(Duration.ofMinutes(12)));
        alerting.accept(firing);
        advance(WINDOW);
        clock.set(T.plus(Duration.ofMinutes(35)));
        alerting.accept(Events.resolved(firing, clock.instant()));
        advance(WINDOW);
        assertEquals("[auditwatch] RECOVERED: node-7 (ucp-audit) delivering again after 47m", delivery.subjects().get(1));
        assertTrue(delivery.sent.get(1).textBody().contains("Outage:       47m"));
        assertTrue(alerting.openAlerts().isEmpty());
    }

    @Test
    void resolvedWithoutAnOpenAlertIsIgnored() {
        start(settings().build());
        alerting.accept(Events.resolved(Events.nodeSilent("node-9", T, T), T));
        advance(WINDOW);
        assertTrue(delivery.sent.isEmpty());
    }

    @Test
    void stillSilentIsRepeatedEveryRepeatIntervalAndNotBefore() {
        start(settings().build());
        alerting.accept(Events.streamSilent("node-7", "auditd", T, T.minus(Duration.ofMinutes(15))));
        advance(WINDOW);
        Instant firstNotice = clock.instant();
        assertEquals(1, delivery.sent.size());

        clock.set(firstNotice.plus(Duration.ofHours(4)).minusSeconds(1));
        alerting.tick();
        assertEquals(1, delivery.sent.size(), "no repeat before 4h");
        clock.set(firstNotice.plus(Duration.ofHours(4)));
        alerting.tick();
        assertEquals(2, delivery.sent.size(), "one repeat at 4h");
        assertEquals("[auditwatch] STILL SILENT: no audit data from node-7 (auditd) for 4h 15m", delivery.subjects().get(1));
        clock.set(firstNotice.plus(Duration.ofHours(8)).minusSeconds(1));
        alerting.tick();
        assertEquals(2, delivery.sent.size(), "no second repeat before 8h");
        clock.set(firstNotice.plus(Duration.ofHours(8)));
        alerting.tick();
        assertEquals(3, delivery.sent.size(), "second repeat at 8h");
    }

    @Test
    void theHistoryHearsWhatEachNotificationSaysOfEachAlertAndWhatTheRelayAnswered() {
        List<Notification> queued = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
        AlertHistory history = new AlertHistory() {
            @Override
            public void record(Notification n) {
                queued.add(n);
            }

            @Override
            public void delivered(Notification n, io.auditwatch.alerting.Delivery.Receipt receipt, Instant at) {
                accepted.add(n.id() + " " + receipt.code() + " " + receipt.reply() + " " + at);
            }
        };
        alerting = new Alerting(settings().build(), clock, registry, history, null, delivery);
        AlertEvent firing = Events.nodeSilent("node-3", T, T.minus(Duration.ofMinutes(15)));
        alerting.accept(firing);
        advance(WINDOW);
        alerting.accept(Events.resolved(firing, clock.instant()));
        Instant resolvedAt = clock.instant();
        advance(WINDOW);

        assertEquals(2, queued.size());
        Notification.Alert fired = queued.get(0).alerts().get(0);
        assertEquals(new Notification.Alert(firing.key(), firing.kind(), "firing", "node-3", null, T,
                T.minus(Duration.ofMinutes(15)), null, firing.summary()), fired);
        Notification.Alert recovered = queued.get(1).alerts().get(0);
        assertEquals("recovered", recovered.notice());
        assertEquals(resolvedAt, recovered.resolved());
        assertEquals(T, recovered.detected());
        assertEquals(List.of(queued.get(0).id() + " 250 2.0.0 Ok: recorded " + T.plus(WINDOW),
                queued.get(1).id() + " 250 2.0.0 Ok: recorded " + resolvedAt.plus(WINDOW)), accepted);
        assertTrue(alerting.sendTestAlert().alerts().isEmpty(), "the test alert reports no alert");
    }

    @Test
    void escalationAddsRolesAfterTheConfiguredTime() {
        start(settings().escalate(Duration.ofHours(1), "ops").build());
        AlertEvent firing = Events.nodeSilent("node-3", T, T.minus(Duration.ofMinutes(15)));
        alerting.accept(firing);
        advance(WINDOW);
        assertFalse(delivery.sent.get(0).recipients().contains("ops@example.org"));
        clock.set(T.plus(Duration.ofHours(1)).minusSeconds(1));
        alerting.tick();
        assertEquals(1, delivery.sent.size());
        clock.set(T.plus(Duration.ofHours(1)));
        alerting.tick();
        assertEquals(2, delivery.sent.size());
        Notification escalated = delivery.sent.get(1);
        assertEquals("[auditwatch] ESCALATED: no audit data from node-3 for 1h 15m", escalated.subject());
        assertTrue(escalated.recipients().containsAll(List.of("ops@example.org", "isso@example.org", "sa@example.org")));
        alerting.accept(Events.resolved(firing, clock.instant()));
        advance(WINDOW);
        assertTrue(delivery.sent.get(2).recipients().contains("ops@example.org"), "recovery reaches the escalated roles too");
    }

    @Test
    void silenceSuppressesFiringAndRecovery() {
        start(settings().build());
        alerting.silence("node-7", null, null, T.plus(Duration.ofHours(2)), "patching, CHG-1234", "ops");
        AlertEvent firing = Events.streamSilent("node-7", "ucp-audit", T, T.minus(Duration.ofMinutes(15)));
        alerting.accept(firing);
        alerting.accept(Events.nodeSilent("node-8", T, T.minus(Duration.ofMinutes(15))));
        advance(WINDOW);
        assertEquals(List.of("[auditwatch] AUDIT FAILURE: no audit data from node-8 for 15m"), delivery.subjects());
        assertEquals(2, alerting.openAlerts().size(), "a silenced alert is still open on the status page");
        clock.set(T.plus(Duration.ofHours(1)));
        alerting.accept(Events.resolved(firing, clock.instant()));
        advance(WINDOW);
        assertEquals(1, delivery.sent.size());
        assertEquals(1, alerting.openAlerts().size());
    }

    @Test
    void alertStillOpenWhenItsSilenceEndsIsNotifiedThen() {
        start(settings().build());
        alerting.silence("node-7", null, AlertKind.STREAM_SILENT, T.plus(Duration.ofMinutes(10)), "maintenance", "ops");
        alerting.accept(Events.streamSilent("node-7", "ucp-audit", T, T.minus(Duration.ofMinutes(15))));
        advance(Duration.ofMinutes(10).minusSeconds(1));
        assertTrue(delivery.sent.isEmpty());
        advance(Duration.ofSeconds(1));
        advance(WINDOW);
        assertEquals(1, delivery.sent.size());
        assertTrue(alerting.silences().isEmpty(), "expired silences are dropped");
    }

    @Test
    void aSilenceSurvivesARestart() {
        AlertingSettings s = settings().build();
        start(s);
        Silence created = alerting.silence("node-7", null, null, T.plus(Duration.ofHours(2)), "patching, CHG-1234", "ops");
        alerting.close();

        start(s);
        assertEquals(List.of(created), alerting.silences());
        alerting.accept(Events.nodeSilent("node-7", T, T.minus(Duration.ofMinutes(15))));
        advance(WINDOW);
        assertTrue(delivery.sent.isEmpty(), "still silenced after the restart");
        clock.set(T.plus(Duration.ofHours(2)));
        alerting.tick();
        advance(WINDOW);
        assertEquals(List.of("[auditwatch] AUDIT FAILURE: no audit data from node-7 for 2h 15m"), delivery.subjects());
    }

    @Test
    void restartDoesNotRepeatANotifiedAlertAndStillSendsItsRecovery() {
        AlertingSettings s = settings().build();
        start(s);
        AlertEvent firing = Events.streamSilent("node-7", "ucp-audit", T, T.minus(Duration.ofMinutes(12)));
        alerting.accept(firing);
        advance(WINDOW);
        alerting.close();

        start(s);
        advance(WINDOW);
        advance(WINDOW);
        assertEquals(1, delivery.sent.size(), "no second AUDIT FAILURE after restart");
        assertEquals(1, alerting.openAlerts().size());
        alerting.accept(firing);
        alerting.accept(Events.resolved(firing, clock.instant()));
        advance(WINDOW);
        assertEquals(2, delivery.sent.size());
        assertTrue(delivery.subjects().get(1).startsWith("[auditwatch] RECOVERED: node-7 (ucp-audit)"));
    }

    @Test
    void retriesBackOffExponentiallyWhileTheRelayIsDown() {
        start(settings().retry(Duration.ofSeconds(5), Duration.ofSeconds(20)).build());
        delivery.down = true;
        alerting.accept(Events.kafkaUnreachable(T, T.minus(Duration.ofMinutes(2))));
        advance(WINDOW);
        assertEquals(1, delivery.opens);
        DeliveryHealth h = alerting.health();
        assertFalse(h.ok());
        assertEquals(clock.instant(), h.failingSince());
        assertEquals(1, h.pending());
        assertEquals(1.0, registry.get(AlertingMetrics.FAILING.name()).gauge().value());
        assertEquals(1.0, registry.get(AlertingMetrics.FAILURES.name()).tag("reason", "connect").counter().count());

        int[] expectedOpensAfterEachSecond = new int[45];
        // Failures at 0s; then waits of 5s, 10s, 20s, 20s (capped): attempts at 5, 15, 35 s.
        for (int sec = 1; sec <= 44; sec++) {
            advance(Duration.ofSeconds(1));
            expectedOpensAfterEachSecond[sec] = delivery.opens;
        }
        assertEquals(1, expectedOpensAfterEachSecond[4]);
        assertEquals(2, expectedOpensAfterEachSecond[5]);
        assertEquals(2, expectedOpensAfterEachSecond[14]);
        assertEquals(3, expectedOpensAfterEachSecond[15]);
        assertEquals(3, expectedOpensAfterEachSecond[34]);
        assertEquals(4, expectedOpensAfterEachSecond[35]);

        delivery.down = false;
        advance(Duration.ofSeconds(20));
        assertEquals(1, delivery.sent.size());
        assertTrue(alerting.health().ok());
        assertEquals(0, alerting.health().pending());
        assertEquals(0.0, registry.get(AlertingMetrics.FAILING.name()).gauge().value());
        assertEquals(1.0, registry.get(AlertingMetrics.DELIVERED.name()).tag("kind", "kafka-unreachable").counter().count());
    }

    @Test
    void pendingNotificationsSurviveARestartAndAreDeliveredOnce() {
        AlertingSettings s = settings().build();
        start(s);
        delivery.down = true;
        alerting.accept(Events.nodeSilent("node-1", T, T.minus(Duration.ofMinutes(15))));
        advance(WINDOW);
        assertEquals(1, alerting.health().pending());
        alerting.close();

        delivery.down = false;
        start(s);
        assertEquals(1, alerting.health().pending(), "reloaded from disk");
        alerting.tick();
        alerting.tick();
        advance(Duration.ofHours(1));
        assertEquals(1, delivery.sent.size());
        assertEquals(0, alerting.health().pending());
    }

    @Test
    void testAlertGoesToEveryRecipientOfEveryRoleAtOnce() {
        start(settings().build());
        Notification n = alerting.sendTestAlert();
        assertEquals("[auditwatch] TEST: audit failure alert delivery check", n.subject());
        assertEquals(List.of("isso@example.org", "sa@example.org", "sa2@example.org", "ops@example.org"), n.recipients());
        assertEquals(List.of(n), delivery.sent, "sent without waiting for a tick or the group window");
        assertTrue(n.textBody().contains("TEST"));
        assertTrue(n.textBody().contains("ops: ops@example.org"));
        assertTrue(n.textBody().contains("DKER-EE-001590"));
    }

    @Test
    void testAlertIsAttemptedEvenDuringRetryBackoff() {
        start(settings().build());
        delivery.down = true;
        alerting.accept(Events.nodeSilent("node-1", T, T.minus(Duration.ofMinutes(15))));
        advance(WINDOW);
        assertEquals(1, delivery.opens);
        delivery.down = false;
        alerting.sendTestAlert();
        assertEquals(2, delivery.sent.size(), "the test alert and the pending alert go out together");
        assertTrue(alerting.health().ok());
    }

    @Test
    void flapWithinTheWindowSendsOneFiringAndNoRecovery() {
        start(settings().build());
        AlertEvent firing = Events.nodeSilent("node-2", T, T.minus(Duration.ofMinutes(15)));
        alerting.accept(firing);
        advance(Duration.ofSeconds(5));
        alerting.accept(Events.resolved(firing, clock.instant()));
        advance(Duration.ofSeconds(5));
        alerting.accept(firing);
        advance(WINDOW);
        assertEquals(1, delivery.sent.size());
        assertTrue(delivery.subjects().get(0).startsWith("[auditwatch] AUDIT FAILURE: no audit data from node-2"));
        assertNotNull(alerting.openAlerts().get(0).notifiedAt());
        assertNull(alerting.openAlerts().get(0).resolved());
    }

    @Test
    void pipelineFailureSubjectNamesTheDuration() {
        start(settings().build());
        alerting.accept(Events.kafkaUnreachable(T, T.minus(Duration.ofSeconds(90))));
        advance(WINDOW);
        assertEquals(List.of("[auditwatch] PIPELINE FAILURE: Kafka unreachable for 2m"), delivery.subjects());
    }

    @Test
    void acceptLeavesTheDiskWriteToTheNextTick() {
        start(settings().build());
        alerting.accept(Events.nodeSilent("node-1", T, T.minus(Duration.ofMinutes(15))));
        assertFalse(java.nio.file.Files.exists(dir.resolve("open-alerts.json")), "no fsync on the caller's thread");
        alerting.tick();
        assertTrue(java.nio.file.Files.exists(dir.resolve("open-alerts.json")));
    }

    @Test
    void gaugesFollowTheNewEngineAfterAnInProcessRestart() {
        AlertingSettings s = settings().build();
        start(s);
        alerting.accept(Events.nodeSilent("node-1", T, T.minus(Duration.ofMinutes(15))));
        alerting.close();
        start(s);
        alerting.accept(Events.nodeSilent("node-2", T, T.minus(Duration.ofMinutes(15))));
        assertEquals(2.0, registry.get(AlertingMetrics.OPEN.name()).tag("kind", "node-silent").gauge().value());
    }

    @Test
    void schedulerTicksWithoutTheCaller() throws Exception {
        java.util.concurrent.ScheduledExecutorService scheduler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            alerting = new Alerting(settings().build(), clock, registry, AlertHistory.NONE, scheduler, delivery);
            alerting.accept(Events.nodeSilent("node-1", T, T.minus(Duration.ofMinutes(15))));
            clock.advance(WINDOW);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> delivery.sent.size() == 1);
        } finally {
            alerting.close();
            alerting = null;
            scheduler.shutdownNow();
        }
    }

    @Test
    void unsilenceReleasesHeldAlerts() {
        start(settings().build());
        Silence s = alerting.silence("node-7", null, null, T.plus(Duration.ofHours(2)), "patching", "ops");
        alerting.accept(Events.nodeSilent("node-7", T, T.minus(Duration.ofMinutes(15))));
        advance(WINDOW);
        assertTrue(delivery.sent.isEmpty());
        assertEquals(s.id(), alerting.endSilence(s.id()).orElseThrow().id());
        assertTrue(alerting.endSilence(s.id()).isEmpty());
        advance(WINDOW);
        assertEquals(1, delivery.sent.size());
    }

    @Test
    void theNextMailSaysHowManyAlertsASilenceHeldBack() {
        start(settings().build());
        Silence s = alerting.silence(null, "ucp-audit", null, T.plus(Duration.ofHours(2)), "UCP upgrade CHG-7", "ops");
        alerting.accept(Events.streamSilent("node-7", "ucp-audit", T, T.minus(Duration.ofMinutes(15))));
        alerting.accept(Events.streamSilent("node-8", "ucp-audit", T, T.minus(Duration.ofMinutes(15))));
        alerting.accept(Events.streamSilent("node-8", "auditd", T, T.minus(Duration.ofMinutes(15))));
        advance(WINDOW);
        assertEquals(1, delivery.sent.size(), "only the auditd stream, which the silence does not match");
        String text = delivery.sent.get(0).textBody();
        assertTrue(text.contains("Held back by silences since the last notification: 2 alerts"), text);
        assertTrue(text.contains("2 by silence " + s.id() + " (stream=ucp-audit, until ") && text.contains("UCP upgrade CHG-7"), text);
        assertTrue(delivery.sent.get(0).htmlBody().contains("2 by silence " + s.id()));
        assertEquals(2, alerting.silences().get(0).held());
        assertEquals(2.0, registry.get(AlertingMetrics.SILENCED.name()).tag("kind", "stream-silent").counter().count());

        alerting.accept(Events.nodeSilent("node-9", T, T.minus(Duration.ofMinutes(15))));
        advance(WINDOW);
        assertFalse(delivery.sent.get(1).textBody().contains("Held back"), "reported once");
    }

    @Test
    void aSilenceWithoutNodeStreamOrKindIsRefused() {
        start(settings().build());
        assertThrows(IllegalArgumentException.class,
                () -> alerting.silence(null, null, null, T.plus(Duration.ofHours(1)), "everything", "ops"));
    }
}
