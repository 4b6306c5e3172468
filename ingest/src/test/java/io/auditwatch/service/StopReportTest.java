package io.auditwatch.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.auditwatch.ingest.spool.SpoolHealth;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StopReportTest {
    private static final Path SPOOL = Path.of("/var/lib/auditwatch/spool");
    private static final Path OUTBOX = Path.of("/var/lib/auditwatch/outbox");

    @Test
    void aCleanStopSaysEverythingWasHandedOver() {
        StopReport r = new StopReport(Duration.ofMillis(5_150), Duration.ofSeconds(25), null,
                new SpoolHealth(0, 1 << 30, 0, Duration.ZERO, false), SPOOL, 0, 0, 0, OUTBOX);
        assertEquals("auditwatch stopped in 5.2 s (budget 25.0 s); everything handed over", r.line());
    }

    @Test
    void whatWasLeftIsNamedWithWhereItWaits() {
        StopReport r = new StopReport(Duration.ofMillis(8_400), Duration.ofSeconds(25), null,
                new SpoolHealth(1337, 1 << 30, 1, Duration.ofSeconds(3), false), SPOOL, 2, 3, 1, OUTBOX);
        assertEquals("auditwatch stopped in 8.4 s (budget 25.0 s); left: 1 event (1337 bytes) in the spool at"
                + " /var/lib/auditwatch/spool, sent to Kafka at the next start; heartbeat state of 2 nodes not written"
                + " to the state topic: their next owner restores the previous state record and replays its input topic (auditwatch.liveness, or audit.events)"
                + " from the last committed offset; the last state of 3 node alerts not acknowledged by auditwatch.alert-state:"
                + " their next owner continues from the previous record and reconciles it with heartbeat's;"
                + " 1 alert notification in the outbox at /var/lib/auditwatch/outbox,"
                + " sent at the next start", r.line());
    }

    @Test
    void aSpentBudgetNamesTheStepThatWasStillRunning() {
        StopReport r = new StopReport(Duration.ofSeconds(25), Duration.ofSeconds(25), "closing KafkaAlertHistory",
                null, null, -1, 0, 0, OUTBOX);
        assertEquals("auditwatch stopped in 25.0 s (budget 25.0 s, spent while closing KafkaAlertHistory); left:"
                + " heartbeat stop unfinished: the nodes this instance owned are restored by their next owner from the"
                + " previous state record and a replay of its input topic from the last committed offset", r.line());
    }
}
