package io.auditwatch.alerting.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alerting.AlertKind;
import io.auditwatch.alerting.AlertingMetrics;
import io.auditwatch.alerting.Delivery;
import io.auditwatch.alerting.DeliveryException;
import io.auditwatch.alerting.Notification;
import io.auditwatch.testing.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxTest {
    @TempDir
    Path dir;

    private final ManualClock clock = ManualClock.at("2026-11-23T18:00:00Z");
    private final List<String> sent = new ArrayList<>();
    private final List<String> refuse = new ArrayList<>();

    private final Delivery delivery = new Delivery() {
        @Override
        public String describe() {
            return "test";
        }

        @Override
        public Batch open() {
            return new Batch() {
                @Override
                public Receipt send(Notification n) throws DeliveryException {
                    if (refuse.contains(n.id())) {
                        throw new DeliveryException(DeliveryException.Reason.REJECTED, "550 mailbox unavailable", null);
                    }
                    sent.add(n.id());
                    return new Receipt(250, "2.0.0 Ok");
                }

                @Override
                public void close() {
                }
            };
        }
    };

    private Outbox opened;

    private Outbox outbox() {
        opened = new Outbox(dir, delivery, Duration.ofSeconds(5), Duration.ofMinutes(5), new AlertingMetrics(new SimpleMeterRegistry()), clock);
        return opened;
    }

    @AfterEach
    void close() {
        if (opened != null) {
            opened.close();
        }
    }

    private static Notification n(String id) {
        return new Notification(id, List.of(AlertKind.NODE_SILENT), "s", "t", "h", List.of("isso@example.org"),
                Instant.parse("2026-11-23T18:00:00Z"), List.of("k"));
    }

    @Test
    void notificationIsOnDiskBeforeAnyAttempt() {
        Outbox o = outbox();
        o.enqueue(n("1-a"));
        assertTrue(Files.exists(dir.resolve("pending/1-a.json")));
        assertTrue(sent.isEmpty());
        o.deliverDue(false);
        assertEquals(List.of("1-a"), sent);
        assertTrue(Files.notExists(dir.resolve("pending/1-a.json")));
    }

    @Test
    void aRefusedMessageBacksOffAloneAndDoesNotHoldTheOthers() {
        Outbox o = outbox();
        refuse.add("1-a");
        o.enqueue(n("1-a"));
        o.enqueue(n("2-b"));
        o.deliverDue(false);
        assertEquals(List.of("2-b"), sent);
        assertEquals(1, o.pending());
        assertEquals("rejected", o.health().lastFailure());
        refuse.clear();
        clock.advance(Duration.ofSeconds(4));
        o.deliverDue(false);
        assertEquals(1, o.pending(), "still backing off");
        clock.advance(Duration.ofSeconds(1));
        o.deliverDue(false);
        assertEquals(List.of("2-b", "1-a"), sent);
        assertTrue(o.health().ok());
    }

    @Test
    void unreadableEntryIsSetAsideNotDropped() throws Exception {
        Files.createDirectories(dir.resolve("pending"));
        Files.writeString(dir.resolve("pending/9-x.json"), "{ not json");
        Outbox o = outbox();
        assertEquals(0, o.pending());
        assertTrue(Files.exists(dir.resolve("pending/9-x.json.unreadable")));
    }

    @Test
    void backoffDoublesUpToTheMaximum() {
        Outbox o = outbox();
        assertEquals(Duration.ofSeconds(5), o.backoff(1));
        assertEquals(Duration.ofSeconds(10), o.backoff(2));
        assertEquals(Duration.ofSeconds(160), o.backoff(6));
        assertEquals(Duration.ofMinutes(5), o.backoff(7));
        assertEquals(Duration.ofMinutes(5), o.backoff(1000));
    }
}
