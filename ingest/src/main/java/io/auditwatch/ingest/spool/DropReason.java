package io.auditwatch.ingest.spool;

import java.util.Locale;

/** Why the spool lost records; the {@code reason} label of {@code auditwatch_spool_dropped_records_total}. */
enum DropReason {
    /** Bytes in a segment that hold no valid record (CRC, magic or length wrong), skipped when read; counted once per damaged stretch. */
    CORRUPT,
    /** An incomplete last record left by a crash mid-write, cut off at start-up. */
    TORN_TAIL,
    /** A record larger than a quarter of {@code spool.max-bytes}: it could wait for room forever. */
    TOO_LARGE;

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
