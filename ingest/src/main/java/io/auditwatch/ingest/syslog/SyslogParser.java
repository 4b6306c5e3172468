package io.auditwatch.ingest.syslog;

/**
 * Reads the header of one syslog frame: a pure function of the bytes, index-based, no regular
 * expressions, never throws. The order is ingest/README.md, "Receiver rules", 3: RFC 5424 ({@code <PRI>} followed by
 * a non-zero digit run and a space) first, then RFC 3164 with HOSTNAME, then RFC 3164 without HOSTNAME
 * (Docker's default format), else {@link SyslogFormat#UNPARSED} with a {@link ParseError}. The caller
 * keeps the raw bytes whatever the outcome.
 */
public final class SyslogParser {

    /** Highest PRI: facility 23 times 8 plus severity 7 (RFC 5424 section 6.2.1). */
    static final int MAX_PRI = 191;
    /** PRIVAL is 1 to 3 digits (RFC 5424 section 6.2.1). */
    private static final int MAX_PRI_DIGITS = 3;
    /** VERSION is NONZERO-DIGIT 0*2DIGIT (RFC 5424 section 6.2.2). */
    private static final int MAX_VERSION_DIGITS = 3;
    /** The only VERSION defined (RFC 5424 section 9.1). */
    static final int RFC5424_VERSION = 1;

    private SyslogParser() {
    }

    /**
     * Parses one frame's bytes (as {@link SyslogFrame#raw()}): no framing, no trailer.
     *
     * @param raw the message bytes; not modified, not retained
     * @return the parsed fields, or an UNPARSED message with the reason; never null
     */
    public static SyslogMessage parse(byte[] raw) {
        int n = raw.length;
        if (n == 0) {
            return SyslogMessage.unparsed(raw, ParseError.EMPTY, -1, -1, 0);
        }
        if (raw[0] != '<') {
            return SyslogMessage.unparsed(raw, ParseError.NO_PRI, -1, -1, 0);
        }
        int p = 1;
        int pri = 0;
        while (p < n && p <= MAX_PRI_DIGITS && Timestamps.isDigit(raw[p])) {
            pri = pri * 10 + raw[p] - '0';
            p++;
        }
        if (p == 1 || p >= n || raw[p] != '>') {
            return SyslogMessage.unparsed(raw, ParseError.BAD_PRI, -1, -1, 0);
        }
        if (pri > MAX_PRI) {
            return SyslogMessage.unparsed(raw, ParseError.PRI_OUT_OF_RANGE, -1, -1, 0);
        }
        p++;
        int version = 0;
        int v = p;
        if (v < n && raw[v] >= '1' && raw[v] <= '9') {
            while (v < n && v - p < MAX_VERSION_DIGITS && Timestamps.isDigit(raw[v])) {
                version = version * 10 + raw[v] - '0';
                v++;
            }
            if (v < n && raw[v] == ' ') {
                if (version != RFC5424_VERSION) {
                    return SyslogMessage.unparsed(raw, ParseError.BAD_VERSION, pri, version, p);
                }
                return Rfc5424Parser.parse(raw, pri, p, v + 1);
            }
        }
        return Rfc3164Parser.parse(raw, pri, p);
    }
}
