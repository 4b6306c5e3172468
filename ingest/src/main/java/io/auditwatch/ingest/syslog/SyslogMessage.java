package io.auditwatch.ingest.syslog;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;

/**
 * The fields {@link SyslogParser} read from one frame. It never replaces the frame's raw bytes,
 * which the caller keeps; every String here is a copy of bytes of the frame, as sent.
 *
 * @param format         the recognised header layout, {@link SyslogFormat#UNPARSED} when none
 * @param error          why the frame is UNPARSED; null when parsed
 * @param facility       0..23, or -1 when there is no valid PRI
 * @param severity       0..7, or -1 when there is no valid PRI
 * @param version        the RFC 5424 VERSION (1); 0 for RFC 3164 and Docker default; for UNPARSED the
 *                       version read (so 2 for {@link ParseError#BAD_VERSION}) or -1
 * @param timestamp      the sender's timestamp exactly as sent (RFC 3339, or RFC 3164 {@code Mmm dd hh:mm:ss});
 *                       null when NIL ({@code -}) or absent; see {@link #eventTime(Instant, ZoneId)}
 * @param hostname       HOSTNAME; null when NIL, absent (Docker default) or UNPARSED
 * @param appName        RFC 5424 APP-NAME, or the RFC 3164 TAG (Docker: the {@code tag} log-opt, may contain
 *                       {@code : / { ,}); null when NIL or absent. Every header field is as sent, whatever its length
 *                       and bytes (Docker does not enforce the limits); {@link HeaderField#invalid} says which break them
 * @param procId         PROCID, or the RFC 3164 {@code [pid]} (Docker: the dockerd PID); null when NIL or absent
 * @param msgId          RFC 5424 MSGID (Docker: the tag again); null when NIL, absent or RFC 3164
 * @param structuredData RFC 5424 SD-ELEMENTs in wire order; empty when NIL, absent or RFC 3164
 * @param bom            true when MSG started with the UTF-8 BOM {@code EF BB BF} (RFC 5424 MSG-UTF8)
 * @param msgOffset      byte offset of MSG in the raw frame, after the BOM; {@code raw.length} when there
 *                       is no MSG. For UNPARSED: just after a valid PRI, else 0 (the whole frame is content)
 * @param msg            the bytes from {@code msgOffset} to the end decoded as UTF-8, malformed sequences
 *                       replaced by U+FFFD; empty, never null, when there is no MSG. Multi-line MSG is kept
 * @param utf8Valid      true when those bytes are well-formed UTF-8, so {@code msg} is exactly what was sent
 */
public record SyslogMessage(
        SyslogFormat format,
        ParseError error,
        int facility,
        int severity,
        int version,
        String timestamp,
        String hostname,
        String appName,
        String procId,
        String msgId,
        List<SdElement> structuredData,
        boolean bom,
        int msgOffset,
        String msg,
        boolean utf8Valid) {

    public SyslogMessage {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(structuredData, "structuredData");
        Objects.requireNonNull(msg, "msg");
        if ((format == SyslogFormat.UNPARSED) != (error != null)) {
            throw new IllegalArgumentException("error must be set exactly when UNPARSED: " + format + "/" + error);
        }
    }

    /** True unless {@link #format()} is {@link SyslogFormat#UNPARSED}. */
    public boolean parsed() {
        return error == null;
    }

    /**
     * The sender's timestamp as an instant, for event-time lag; never for liveness (ingest/DESIGN.md, Decisions: receive
     * time drives heartbeat).
     * <ul>
     *   <li>RFC 3339 ({@code 2026-11-23T17:00:01.123456+01:00}): 0 to 9 fraction digits (more are read
     *       and ignored beyond nanoseconds), {@code Z} or {@code +hh:mm}, lower-case {@code t}/{@code z}.</li>
     *   <li>RFC 3164 ({@code Nov 23 17:00:01}, day space- or zero-padded, English month names whatever the
     *       JVM locale): read in {@code zoneFor3164}, in the latest year that puts it no more than
     *       7 days after {@code receivedAt} (so "Dec 31" received on
     *       Jan 1 is last year's, and "Jan 1" received a second before midnight on Dec 31 is next year's).</li>
     * </ul>
     *
     * @param receivedAt  when the collector received the frame; anchors the RFC 3164 year
     * @param zoneFor3164 the sender's zone for RFC 3164 timestamps, which carry none; null means UTC
     * @return the instant, or null when there is no timestamp or it names an impossible date/offset
     */
    public Instant eventTime(Instant receivedAt, ZoneId zoneFor3164) {
        if (timestamp == null) {
            return null;
        }
        byte[] ascii = timestamp.getBytes(StandardCharsets.ISO_8859_1);
        return Timestamps.toInstant(ascii, 0, ascii.length, Objects.requireNonNull(receivedAt, "receivedAt"),
                zoneFor3164 == null ? ZoneOffset.UTC : zoneFor3164);
    }

    /** An UNPARSED message whose content starts at {@code contentOffset}. */
    static SyslogMessage unparsed(byte[] raw, ParseError error, int pri, int version, int contentOffset) {
        return new SyslogMessage(SyslogFormat.UNPARSED, error,
                pri < 0 ? -1 : pri >> 3, pri < 0 ? -1 : pri & 7, version,
                null, null, null, null, null, List.of(), false, contentOffset,
                Utf8.decode(raw, contentOffset, raw.length), Utf8.isValid(raw, contentOffset, raw.length));
    }
}
