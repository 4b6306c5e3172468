package io.auditwatch.ingest.envelope;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Unique event ids: UUID version 7 (RFC 9562), time-ordered by receive time so ids sort roughly
 * like arrival, with 74 random bits so replicas need no coordination. Consumers use the id to drop
 * the rare duplicate that at-least-once delivery can produce.
 */
public final class EventIds {
    private EventIds() {
    }

    /** A new version-7 UUID for an event received at {@code receivedMillis} (epoch milliseconds). */
    public static UUID next(long receivedMillis) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (receivedMillis << 16) | 0x7000L | (r.nextLong() & 0x0FFFL);
        long lsb = (r.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }
}
