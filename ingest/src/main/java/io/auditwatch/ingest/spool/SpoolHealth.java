package io.auditwatch.ingest.spool;

import java.time.Duration;

/**
 * The spool's state for {@code /health} and pipeline alerts.
 *
 * @param bytes bytes of segment files on disk
 * @param capacityBytes {@code spool.max-bytes}
 * @param records records appended and not yet acknowledged by Kafka
 * @param oldestRecordAge age of the oldest unacknowledged record (1 s resolution); zero when none
 * @param full an append is waiting for room right now, or did since the fill last dropped below the
 *     alert level: TCP reads are paused or about to be, UDP datagrams are being dropped
 */
public record SpoolHealth(long bytes, long capacityBytes, long records, Duration oldestRecordAge, boolean full) {

    /** {@code bytes / capacityBytes}, 0 to (slightly above) 1. */
    public double fill() {
        return capacityBytes == 0 ? 0 : (double) bytes / capacityBytes;
    }
}
