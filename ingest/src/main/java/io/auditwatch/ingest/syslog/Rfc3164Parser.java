package io.auditwatch.ingest.syslog;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * RFC 3164 after {@code <PRI>}: {@code TIMESTAMP SP [HOSTNAME SP] TAG[PID]: MSG}, and the variants real
 * senders produce (ingest/README.md, "Wire formats and receiver rules"): no HOSTNAME (Docker's default
 * format, busybox), an RFC 3339 timestamp (rsyslog templates) or one without offset (syslog-ng's loggen),
 * spaces after PRI (Go's {@code DefaultFormatter}), and TAGs containing {@code : / { ,} (Docker tag templates
 * such as {@code nginx:alpine/web/3f2a9c1d0b7e}).
 *
 * <p>The TAG runs up to {@code [}, to a {@code :} followed by SP or the end, or to SP. HOSTNAME and TAG
 * are told apart by the first token after the timestamp: when it ends like a TAG ({@code name[pid]:},
 * {@code name[pid]} then SP, or {@code name:} then SP) it is the TAG and there is no HOSTNAME; otherwise
 * it is the HOSTNAME. A token after HOSTNAME that does not end like a TAG is taken as the start of MSG,
 * so no content is lost to a guessed TAG.
 */
final class Rfc3164Parser {

    private final byte[] raw;
    private final int n;
    // Result of the last successful scanTag: TAG [tagStart, tagEnd), PID [pidStart, pidEnd) or pidStart -1, MSG start.
    private int tagEnd;
    private int pidStart;
    private int pidEnd;
    private int msgStart;

    private Rfc3164Parser(byte[] raw) {
        this.raw = raw;
        this.n = raw.length;
    }

    /** @param p index just after {@code >} */
    static SyslogMessage parse(byte[] raw, int pri, int p) {
        return new Rfc3164Parser(raw).parse(pri, p);
    }

    private SyslogMessage parse(int pri, int priEnd) {
        int p = priEnd;
        while (p < n && raw[p] == ' ') {
            p++;
        }
        int tsEnd;
        if (p < n && Timestamps.isDigit(raw[p])) {
            tsEnd = Rfc5424Parser.tokenEnd(raw, p);
            if (!Timestamps.isRfc3339(raw, p, tsEnd) && !Timestamps.isLocalDateTime(raw, p, tsEnd)) {
                tsEnd = -1;
            }
        } else {
            tsEnd = Timestamps.rfc3164End(raw, p, n);
        }
        if (tsEnd < 0 || (tsEnd < n && raw[tsEnd] != ' ')) {
            return SyslogMessage.unparsed(raw, ParseError.BAD_TIMESTAMP, pri, -1, priEnd);
        }
        String timestamp = new String(raw, p, tsEnd - p, StandardCharsets.ISO_8859_1);
        if (tsEnd >= n - 1) {
            // Header only: nothing tells a HOSTNAME from a TAG, and there is neither.
            return message(SyslogFormat.DOCKER_DEFAULT, pri, timestamp, null, n, false);
        }
        int first = tsEnd + 1;
        if (scanTag(first)) {
            return message(SyslogFormat.DOCKER_DEFAULT, pri, timestamp, null, first, true);
        }
        int hostEnd = Rfc5424Parser.tokenEnd(raw, first);
        if (hostEnd == first) {
            return SyslogMessage.unparsed(raw, ParseError.BAD_HEADER, pri, -1, priEnd);
        }
        String hostname = new String(raw, first, hostEnd - first, StandardCharsets.UTF_8);
        int second = Math.min(hostEnd + 1, n);
        if (second < n && scanTag(second)) {
            return message(SyslogFormat.RFC3164, pri, timestamp, hostname, second, true);
        }
        return message(SyslogFormat.RFC3164, pri, timestamp, hostname, second, false);
    }

    /**
     * Whether the token at {@code from} ends like a TAG; if so sets {@link #tagEnd}, the PID range and
     * {@link #msgStart} (after {@code :} and one SP).
     */
    private boolean scanTag(int from) {
        for (int i = from; i < n; i++) {
            byte b = raw[i];
            if (b == ' ') {
                return false;
            }
            if (b == ':' && i > from && (i + 1 == n || raw[i + 1] == ' ')) {
                tagEnd = i;
                pidStart = -1;
                msgStart = Math.min(i + 2, n);
                return true;
            }
            if (b == '[' && i > from) {
                int close = i + 1;
                while (close < n && raw[close] != ']' && raw[close] != ' ') {
                    close++;
                }
                if (close == n || raw[close] == ' ') {
                    return false; // the token ends without ']'
                }
                int after = close + 1;
                if (after == n || raw[after] == ' ' || raw[after] == ':') {
                    tagEnd = i;
                    pidStart = i + 1;
                    pidEnd = close;
                    int m = after;
                    if (m < n && raw[m] == ':') {
                        m++;
                    }
                    msgStart = m < n && raw[m] == ' ' ? m + 1 : m;
                    return true;
                }
                // Any '[' before this ']' would end at the same ']': skip to it, keeping the scan linear.
                i = close;
            }
        }
        return false;
    }

    /** @param tagged whether {@link #scanTag} found a TAG at {@code from}; else MSG starts at {@code from} */
    private SyslogMessage message(SyslogFormat format, int pri, String timestamp, String hostname, int from, boolean tagged) {
        String tag = null;
        String pid = null;
        int m = from;
        if (tagged) {
            tag = new String(raw, from, tagEnd - from, StandardCharsets.UTF_8);
            if (pidStart >= 0 && pidEnd > pidStart) {
                pid = new String(raw, pidStart, pidEnd - pidStart, StandardCharsets.UTF_8);
            }
            m = msgStart;
        }
        return new SyslogMessage(format, null, pri >> 3, pri & 7, 0, timestamp, hostname, tag, pid, null,
                List.of(), false, m, Utf8.decode(raw, m, n), Utf8.isValid(raw, m, n));
    }
}
