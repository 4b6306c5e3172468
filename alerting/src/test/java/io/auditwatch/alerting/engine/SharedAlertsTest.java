package io.auditwatch.alerting.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertHistory;
import io.auditwatch.alerting.AlertKind;
import io.auditwatch.alerting.Notification;
import io.auditwatch.alerting.OwnedAlertSink;
import io.auditwatch.alerting.TestAlertingSettings;
import io.auditwatch.testing.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node alerts shared through an {@link io.auditwatch.alerting.AlertStore} between the engines of
 * two instances, "a" and "b", each with its own outbox directory and relay: the partition's owner
 * continues what the previous one left (group window, notice times, notifications still to send),
 * a killed instance is modelled by dropping its engine without a release.
 */
class SharedAlertsTest {
    private static final Instant T = Instant.parse("2026-12-04T09:00:00Z");
    private static final Duration WINDOW = TestAlertingSettings.GROUP_WINDOW;
    private static final Set<Integer> P0 = Set.of(0);

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(T);
    /** Nodes named "zero-*" are in partition 0, the others in 1. */
    private final MemoryAlertStore store = new MemoryAlertStore(node -> node.startsWith("zero-") ? 0 : 1);
    private final List<Alerting> engines = new ArrayList<>();

    private final RecordingDelivery relayA = new RecordingDelivery();
    private final RecordingDelivery relayB = new RecordingDelivery();

    @AfterEach
    void close() {
        engines.forEach(Alerting::close);
    }

    private Alerting instance(String name, RecordingDelivery relay) {
        return instance(name, relay, Duration.ofHours(4));
    }

    private Alerting instance(String name, RecordingDelivery relay, Duration repeat) {
        Alerting a = new Alerting(TestAlertingSettings.builder()
                .recipients("isso", "isso@example.org")
                .recipients("sa", "sa@example.org")
                .repeatInterval(repeat)
                .outboxDir(dir.resolve(name)).build(), clock, new SimpleMeterRegistry(), AlertHistory.NONE, null, relay);
        a.share(store, e -> e.kind().category() == AlertKind.Category.NODE);
        engines.add(a);
        return a;
    }

    /** A killed instance: its engine does nothing more and releases nothing; its outbox lock goes with it. */
    private void kill(Alerting a) {
        engines.remove(a);
        a.close();
    }

    private void advance(Duration d, Alerting... running) {
        clock.advance(d);
        for (Alerting a : running) {
            a.tick();
        }
    }

    private static List<String> firingKeys(RecordingDelivery relay) {
        return relay.sent.stream().flatMap(n -> n.alerts().stream()).filter(x -> x.notice().equals("firing"))
                .map(Notification.Alert::key).toList();
    }

    @Test
    void aNodeAlertLivesInTheStoreWithItsPartitionAndAPipelineAlertOnTheInstancesDisk() throws Exception {
        Alerting a = instance("a", relayA);
        a.adopt(Set.of(0, 1), store.read(Set.of(0, 1)));
        OwnedAlertSink owned = a.ownedSink();
        owned.accept(Events.nodeSilent("zero-1", T, T.minusSeconds(600)));
        owned.accept(Events.nodeSilent("one-1", T, T.minusSeconds(600)));
        a.accept(Events.kafkaUnreachable(T, T.minusSeconds(60)));
        a.tick();
        assertEquals(1, store.alertsIn(0));
        assertEquals(1, store.alertsIn(1));
        String file = Files.readString(dir.resolve("a").resolve(OpenAlertStore.FILE));
        assertTrue(file.contains("kafka-unreachable"), file);
        assertFalse(file.contains("zero-1"), "a shared alert is not kept on the instance's disk: " + file);
    }

    @Test
    void aFiringInsideTheGroupWindowOfAKilledOwnerIsSentOnceByTheNextOwner() {
        Alerting a = instance("a", relayA);
        a.adopt(P0, store.read(P0));
        a.ownedSink().accept(Events.nodeSilent("zero-1", T, T.minusSeconds(600)));
        advance(WINDOW.dividedBy(2), a);
        kill(a);
        assertTrue(relayA.sent.isEmpty(), "killed inside the window");

        Alerting b = instance("b", relayB);
        b.adopt(P0, store.read(P0));
        advance(WINDOW.minusSeconds(1), b);
        assertTrue(relayB.sent.isEmpty(), "the next owner opens a group window of its own");
        advance(Duration.ofSeconds(1), b);
        assertEquals(List.of("node-silent/zero-1"), firingKeys(relayB));
        advance(WINDOW.multipliedBy(3), b);
        assertEquals(1, relayB.sent.size(), "sent once");
        assertEquals(0, store.notificationsIn(0), "delivered: removed from the store");
    }

    @Test
    void aNotificationQueuedButNotAcceptedIsSentByTheNextOwnerWithTheSameMessageId() {
        Alerting a = instance("a", relayA);
        a.adopt(P0, store.read(P0));
        relayA.down = true;
        a.ownedSink().accept(Events.nodeSilent("zero-1", T, T.minusSeconds(600)));
        advance(WINDOW, a);
        assertEquals(1, store.notificationsIn(0), "queued in the store before the first attempt");
        kill(a);

        Alerting b = instance("b", relayB);
        b.adopt(P0, store.read(P0));
        b.tick();
        assertEquals(1, relayB.sent.size());
        Notification sent = relayB.sent.get(0);
        assertEquals(List.of("node-silent/zero-1"), sent.alertKeys());
        advance(WINDOW.multipliedBy(3), b);
        assertEquals(1, relayB.sent.size(), "the alert counts as notified: no second FIRING");
        assertEquals(0, store.notificationsIn(0));
        assertTrue(sent.messageId().startsWith("<") && sent.messageId().endsWith("@auditwatch>"));
    }

    @Test
    void afterTheFiringWasSentTheNextOwnerSendsTheRecoveryOnceAndTheRestartedOwnerNothing() {
        Alerting a = instance("a", relayA);
        a.adopt(P0, store.read(P0));
        AlertEvent firing = Events.nodeSilent("zero-1", T, T.minusSeconds(600));
        a.ownedSink().accept(firing);
        advance(WINDOW, a);
        assertEquals(List.of("node-silent/zero-1"), firingKeys(relayA));
        kill(a);

        Alerting b = instance("b", relayB);
        b.adopt(P0, store.read(P0));
        advance(WINDOW, b);
        assertTrue(relayB.sent.isEmpty(), "already notified: nothing to send");
        Alerting restarted = instance("a", relayA);
        b.ownedSink().accept(Events.resolved(firing, clock.instant()));
        advance(WINDOW, b, restarted);
        assertEquals(1, relayB.sent.size());
        assertEquals("recovered", relayB.sent.get(0).alerts().get(0).notice());
        assertEquals(1, relayA.sent.size(), "the restarted instance neither repeats nor resolves what it no longer owns");
        assertTrue(restarted.openAlerts().isEmpty());
        assertEquals(0, store.alertsIn(0), "closed: removed from the store");
    }

    @Test
    void repeatsContinueOnTheOldOwnersSchedule() {
        Duration repeat = Duration.ofHours(4);
        Alerting a = instance("a", relayA, repeat);
        a.adopt(P0, store.read(P0));
        a.ownedSink().accept(Events.nodeSilent("zero-1", T, T.minusSeconds(600)));
        advance(WINDOW, a);
        advance(Duration.ofHours(1), a);
        a.release(P0, Duration.ofSeconds(1));
        assertTrue(a.openAlerts().isEmpty(), "released: forgotten without a notice");

        Alerting b = instance("b", relayB, repeat);
        b.adopt(P0, store.read(P0));
        advance(repeat.minus(Duration.ofHours(1)).minusSeconds(2), a, b);
        assertTrue(relayB.sent.isEmpty(), "not before the repeat is due");
        advance(Duration.ofSeconds(3), a, b);
        assertEquals(1, relayB.sent.size());
        assertEquals("repeat", relayB.sent.get(0).alerts().get(0).notice());
        assertEquals(1, relayA.sent.size(), "the old owner repeats nothing after handing the alert over");
    }

    @Test
    void reconcileOpensWhatTheOwnerHoldsAndClosesWhatItNoLongerHolds() {
        Alerting a = instance("a", relayA);
        a.adopt(P0, store.read(P0));
        AlertEvent gone = Events.nodeSilent("zero-1", T, T.minusSeconds(600));
        a.ownedSink().accept(gone);
        advance(WINDOW, a);
        kill(a);

        Alerting b = instance("b", relayB);
        b.adopt(P0, store.read(P0));
        AlertEvent missing = Events.nodeSilent("zero-2", T, T.minusSeconds(600));
        b.ownedSink().reconcile(P0, List.of(missing));
        advance(WINDOW, b);
        assertEquals(List.of("node-silent/zero-2"), firingKeys(relayB));
        assertTrue(relayB.sent.stream().anyMatch(n -> n.alerts().stream()
                .anyMatch(x -> x.key().equals("node-silent/zero-1") && x.notice().equals("recovered"))),
                "the alert heartbeat no longer holds is closed with a recovery notice");
        assertEquals(1, relayB.sent.size(), "one digest");
        b.ownedSink().reconcile(P0, List.of(missing));
        advance(WINDOW, b);
        assertEquals(1, relayB.sent.size(), "a second reconcile with the same alerts changes nothing");
    }

    @Test
    void losingAPartitionWritesNothingAndForgetsItsAlerts() {
        Alerting a = instance("a", relayA);
        a.adopt(Set.of(0, 1), store.read(Set.of(0, 1)));
        a.ownedSink().accept(Events.nodeSilent("zero-1", T, T.minusSeconds(600)));
        a.tick();
        Alerting b = instance("b", relayB);
        b.adopt(P0, store.read(P0));
        b.ownedSink().accept(Events.resolved(Events.nodeSilent("zero-1", T, T.minusSeconds(600)), T));
        b.tick();
        a.lose(P0);
        assertTrue(a.openAlerts().isEmpty());
        advance(WINDOW.multipliedBy(2), a, b);
        assertTrue(relayA.sent.isEmpty(), "the instance that lost the partition sends nothing for it");
        assertEquals(0, store.alertsIn(0), "and did not write over the new owner's state");
    }

    @Test
    void aNotificationInTheStoreForAddressesNotConfiguredIsNotSent() {
        Notification foreign = new Notification("forged-1", List.of(AlertKind.NODE_SILENT), "[auditwatch] AUDIT FAILURE: x",
                "click here", "<p>click here</p>", List.of("isso@example.org", "someone@elsewhere.example"), T,
                List.of("node-silent/zero-1"));
        store.queued(P0, foreign);
        Alerting b = instance("b", relayB);
        b.adopt(P0, store.read(P0));
        advance(WINDOW, b);
        assertTrue(relayB.sent.isEmpty(), "auditwatch mails only the recipients it is configured with");
    }

    @Test
    void writesTheStoreMissedAreWrittenAgainOnceItTakesThem() {
        Alerting a = instance("a", relayA);
        a.adopt(P0, store.read(P0));
        store.refusing = true;
        a.ownedSink().accept(Events.nodeSilent("zero-1", T, T.minusSeconds(600)));
        a.tick();
        assertEquals(0, store.alertsIn(0));
        store.refusing = false;
        advance(Duration.ofSeconds(1), a);
        assertEquals(1, store.alertsIn(0), "written again although the alert did not change");
    }

    @Test
    void pipelineAlertsNameTheInstanceNodeAlertsDoNot() {
        Alerting a = instance("a", relayA);
        a.nameInstance("auditwatch-1");
        a.adopt(P0, store.read(P0));
        a.accept(Events.kafkaUnreachable(T, T.minusSeconds(60)));
        a.ownedSink().accept(Events.nodeSilent("zero-1", T, T.minusSeconds(600)));
        advance(WINDOW, a);
        assertEquals(2, relayA.sent.size(), "a pipeline alert and a node alert never share a notification");
        Notification pipeline = relayA.sent.stream().filter(n -> n.kinds().contains(AlertKind.KAFKA_UNREACHABLE)).findFirst()
                .orElseThrow();
        Notification node = relayA.sent.stream().filter(n -> n.kinds().contains(AlertKind.NODE_SILENT)).findFirst().orElseThrow();
        assertTrue(pipeline.textBody().contains("auditwatch-1"), pipeline.textBody());
        assertFalse(node.textBody().contains("auditwatch-1"), node.textBody());
    }

    @Test
    void nodeAlertsLeftOnDiskByAnEarlierReleaseMoveToTheStore() throws Exception {
        Alerting old = new Alerting(TestAlertingSettings.builder()
                .recipients("isso", "isso@example.org")
                .recipients("sa", "sa@example.org")
                .outboxDir(dir.resolve("a")).build(), clock, new SimpleMeterRegistry(), AlertHistory.NONE, null, relayA);
        old.accept(Events.nodeSilent("one-1", T, T.minusSeconds(600)));
        old.accept(Events.kafkaUnreachable(T, T.minusSeconds(60)));
        old.tick();
        old.close();

        Alerting a = instance("a", relayA);
        assertEquals(1, store.alertsIn(1));
        assertEquals(1, a.openAlerts().size(), "the pipeline alert stays");
        assertEquals(AlertKind.KAFKA_UNREACHABLE, a.openAlerts().get(0).kind());
    }
}
