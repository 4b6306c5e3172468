package io.auditwatch.service;

import io.auditwatch.ingest.spool.SpoolHealth;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a stop could not hand over and where it waits: the service's last log line
 * (deploy/README.md, "Stopping").
 *
 * @param took how long the stop took
 * @param budget {@code shutdown.timeout}
 * @param unfinishedStep the step still running when the budget was spent, or null when every step ended
 * @param spool the spool after the publisher closed, or null without a spool (or when it was not reached)
 * @param spoolDir where the spool's segments are
 * @param heartbeatUnwritten owned nodes whose final state record was not written; -1 when the
 *     heartbeat stop did not finish; 0 when all were written or nothing was owned
 * @param alertsUnacknowledged node alerts handed over whose last state Kafka did not acknowledge
 * @param outboxPending notifications still in the outbox
 * @param outboxDir the outbox directory
 */
record StopReport(Duration took, Duration budget, String unfinishedStep, SpoolHealth spool, Path spoolDir,
        int heartbeatUnwritten, int alertsUnacknowledged, int outboxPending, Path outboxDir) {

    /** The line, e.g. {@code auditwatch stopped in 9.2 s (budget 25 s); left: 412 events in the spool at ...}. */
    String line() {
        List<String> left = new ArrayList<>();
        if (spool != null && spool.records() > 0) {
            left.add(count(spool.records(), "event") + " (" + spool.bytes() + " bytes) in the spool at " + spoolDir.toAbsolutePath()
                    + ", sent to Kafka at the next start");
        }
        if (heartbeatUnwritten > 0) {
            left.add("heartbeat state of " + count(heartbeatUnwritten, "node") + " not written to the state topic: their next owner"
                    + " restores the previous state record and replays its input topic (auditwatch.liveness, or audit.events) from the last committed offset");
        } else if (heartbeatUnwritten < 0) {
            left.add("heartbeat stop unfinished: the nodes this instance owned are restored by their next owner from the"
                    + " previous state record and a replay of its input topic from the last committed offset");
        }
        if (alertsUnacknowledged > 0) {
            left.add("the last state of " + count(alertsUnacknowledged, "node alert") + " not acknowledged by "
                    + "auditwatch.alert-state: their next owner continues from the previous record and reconciles it with heartbeat's");
        }
        if (outboxPending > 0) {
            left.add(count(outboxPending, "alert notification") + " in the outbox at " + outboxDir.toAbsolutePath()
                    + ", sent at the next start");
        }
        String head = "auditwatch stopped in " + seconds(took) + " s (budget " + seconds(budget) + " s"
                + (unfinishedStep == null ? "" : ", spent while " + unfinishedStep) + ")";
        return head + (left.isEmpty() ? "; everything handed over" : "; left: " + String.join("; ", left));
    }

    private static String count(long n, String thing) {
        return n + " " + thing + (n == 1 ? "" : "s");
    }

    private static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
    }
}
