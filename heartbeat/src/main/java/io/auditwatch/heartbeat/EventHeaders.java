package io.auditwatch.heartbeat;

import java.nio.charset.StandardCharsets;

/**
 * The contract between ingest and heartbeat: what heartbeat reads from each record of
 * {@code audit.events}, carried as Kafka record headers so that heartbeat never parses the envelope
 * body (DESIGN.md). Values are US-ASCII / UTF-8 text so that {@code kcat -J} shows them readably.
 *
 * <ul>
 *   <li>{@value #NODE}: the resolved node identity (UTF-8), always present.</li>
 *   <li>{@value #STREAM}: {@link Stream#id()}, always present.</li>
 *   <li>{@value #RECEIVED}: collector receive time, epoch milliseconds in decimal, always present.
 *       Liveness is judged on this clock only.</li>
 *   <li>{@value #SENT}: the sender's own timestamp, epoch milliseconds in decimal; absent when the
 *       message carried none that could be read. Used for event-time lag only.</li>
 *   <li>{@value #COMPONENT}: optional, the Docker component that produced the line when ingest
 *       recognised it ({@code ucp-controller}, {@code dtr-api}, ...); lets heartbeat tell "node alive
 *       but audit lines stopped" from "node silent".</li>
 *   <li>{@value #PULSE}: optional, {@code 1} when the record is an auditwatch liveness pulse
 *       ({@code auditctl -m "auditwatch-pulse"}).</li>
 * </ul>
 */
public final class EventHeaders {
    public static final String NODE = "aw.node";
    public static final String STREAM = "aw.stream";
    public static final String RECEIVED = "aw.received";
    public static final String SENT = "aw.sent";
    public static final String COMPONENT = "aw.component";
    public static final String PULSE = "aw.pulse";

    private EventHeaders() {
    }

    /** Encodes epoch milliseconds as decimal ASCII. */
    public static byte[] encodeMillis(long epochMillis) {
        return Long.toString(epochMillis).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Decodes decimal ASCII epoch milliseconds without allocating.
     *
     * @return the value, or {@code Long.MIN_VALUE} when {@code value} is null, empty or not a
     *     decimal number
     */
    public static long decodeMillis(byte[] value) {
        if (value == null || value.length == 0 || value.length > 19) {
            return Long.MIN_VALUE;
        }
        int i = 0;
        boolean negative = value[0] == '-';
        if (negative) {
            if (value.length == 1) {
                return Long.MIN_VALUE;
            }
            i = 1;
        }
        long result = 0;
        for (; i < value.length; i++) {
            int d = value[i] - '0';
            if (d < 0 || d > 9) {
                return Long.MIN_VALUE;
            }
            result = result * 10 + d;
        }
        return negative ? -result : result;
    }
}
