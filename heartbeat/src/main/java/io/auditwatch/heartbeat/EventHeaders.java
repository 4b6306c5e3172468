package io.auditwatch.heartbeat;

import java.nio.charset.StandardCharsets;

/**
 * The contract between ingest and heartbeat: what heartbeat reads from each record of
 * {@code audit.events}, and from each liveness summary of {@code auditwatch.liveness} (ingest/DESIGN.md,
 * Decisions, "Liveness summaries"), carried as Kafka record headers so that heartbeat never parses the
 * envelope body (ingest/DESIGN.md, Layout). Values are US-ASCII / UTF-8 text so that {@code kcat -J}
 * shows them readably.
 *
 * <ul>
 *   <li>{@value #NODE}: the resolved node identity (UTF-8), always present.</li>
 *   <li>{@value #STREAM}: {@link Stream#id()}, always present.</li>
 *   <li>{@value #RECEIVED}: collector receive time, epoch milliseconds in decimal, always present.
 *       Liveness is judged on this clock only. On a summary: the latest among the events it summarises.</li>
 *   <li>{@value #SENT}: the sender's own timestamp, epoch milliseconds in decimal; absent when the
 *       message carried none that could be read. Used for event-time lag only. On a summary: chosen so
 *       that {@value #RECEIVED} minus it is the largest event-time lag among the summarised events.</li>
 *   <li>{@value #COMPONENT}: optional, the Docker component that produced the line when ingest
 *       recognised it ({@code ucp-controller}, {@code dtr-api}, ...); lets heartbeat tell "node alive
 *       but audit lines stopped" from "node silent".</li>
 *   <li>{@value #PULSE}: optional, {@code 1} when the record is an auditwatch liveness pulse
 *       ({@code auditctl -m "auditwatch-pulse"}).</li>
 *   <li>{@value #CIS_RULES}: optional, the rule state of a v=2 pulse
 *       ({@link io.auditwatch.heartbeat.compliance.RuleState}).</li>
 *   <li>{@value #AUDIT_CHANGE}: optional, a change auditd recorded that weakens the audit trail
 *       ({@link io.auditwatch.heartbeat.compliance.AuditChange}).</li>
 *   <li>{@value #NODE_SOURCE}: present with either of the two above, the rule that decided
 *       {@value #NODE} ({@code certificate}, {@code inventory}, {@code hostname}, {@code address}):
 *       compliance signals count only from a sender that meets its node's identity rule.</li>
 *   <li>{@value #COUNT}: only on a liveness summary, the number of acknowledged events it stands for
 *       (decimal); absent means one record, one event.</li>
 * </ul>
 */
public final class EventHeaders {
    public static final String NODE = "aw.node";
    public static final String STREAM = "aw.stream";
    public static final String RECEIVED = "aw.received";
    public static final String SENT = "aw.sent";
    public static final String COMPONENT = "aw.component";
    public static final String PULSE = "aw.pulse";
    public static final String CIS_RULES = io.auditwatch.heartbeat.compliance.RuleState.HEADER;
    public static final String AUDIT_CHANGE = io.auditwatch.heartbeat.compliance.AuditChange.HEADER;
    public static final String NODE_SOURCE = "aw.node-source";
    public static final String COUNT = "aw.count";

    /** Value of {@value #COMPONENT} for UCP's controller, the evidence of a live manager. */
    public static final String UCP_CONTROLLER = "ucp-controller";

    private static final Stream[] STREAMS = Stream.values(); // values() clones: once, not per record
    private static final byte[][] STREAM_IDS = new byte[STREAMS.length][];
    private static final byte[] UCP_CONTROLLER_BYTES = UCP_CONTROLLER.getBytes(StandardCharsets.US_ASCII);

    static {
        for (Stream s : STREAMS) {
            STREAM_IDS[s.ordinal()] = s.id().getBytes(StandardCharsets.US_ASCII);
        }
    }

    private EventHeaders() {
    }

    /** The stream named by a {@value #STREAM} value, without allocating; null when unknown or absent. */
    public static Stream decodeStream(byte[] value) {
        if (value != null) {
            for (int i = 0; i < STREAM_IDS.length; i++) {
                if (java.util.Arrays.equals(STREAM_IDS[i], value)) {
                    return STREAMS[i];
                }
            }
        }
        return null;
    }

    /** True for a {@value #PULSE} value of {@code 1}. */
    public static boolean isPulse(byte[] value) {
        return value != null && value.length == 1 && value[0] == '1';
    }

    /** True for a {@value #COMPONENT} value of {@value #UCP_CONTROLLER}. */
    public static boolean isUcpController(byte[] value) {
        return value != null && java.util.Arrays.equals(value, UCP_CONTROLLER_BYTES);
    }

    /** The events a record stands for: its {@value #COUNT} value, 1 when absent or not a positive number. */
    public static long decodeCount(byte[] value) {
        long n = decodeMillis(value);
        return n < 1 ? 1 : n;
    }

    /** Encodes epoch milliseconds (or any long, such as a {@value #COUNT}) as decimal ASCII. */
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
