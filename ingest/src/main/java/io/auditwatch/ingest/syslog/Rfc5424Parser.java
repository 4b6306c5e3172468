package io.auditwatch.ingest.syslog;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 5424 header, structured data and MSG after {@code <PRI>1 }. Lenient where real senders deviate
 * (ingest/README.md, "RFC rules and the deviations accepted"): HOSTNAME, APP-NAME, PROCID and MSGID are read
 * as sent whatever their length and bytes (Docker puts its tag, with {@code : / { ,} and often longer than
 * 48 bytes, in APP-NAME and MSGID; {@link HeaderField} says which break the RFC), header-only frames with
 * or without the STRUCTURED-DATA and trailing space, unescaped {@code ]} inside a quoted SD value.
 */
final class Rfc5424Parser {

    /** RFC 5424 section 6.1: NILVALUE. */
    private static final byte NIL = '-';
    /** RFC 5424 section 6.4: the BOM that starts MSG-UTF8. */
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private Rfc5424Parser() {
    }

    /**
     * @param priStart index just after {@code >}
     * @param p        index just after {@code 1 }
     */
    static SyslogMessage parse(byte[] raw, int pri, int priStart, int p) {
        int n = raw.length;
        int end = tokenEnd(raw, p);
        if (end == p) {
            return SyslogMessage.unparsed(raw, ParseError.BAD_TIMESTAMP, pri, SyslogParser.RFC5424_VERSION, priStart);
        }
        String timestamp = null;
        if (!isNil(raw, p, end)) {
            if (!Timestamps.isRfc3339(raw, p, end)) {
                return SyslogMessage.unparsed(raw, ParseError.BAD_TIMESTAMP, pri, SyslogParser.RFC5424_VERSION, priStart);
            }
            timestamp = new String(raw, p, end - p, StandardCharsets.ISO_8859_1);
        }
        // HOSTNAME, APP-NAME, PROCID: each a non-empty token followed by SP.
        String[] fields = new String[3];
        for (int f = 0; f < fields.length; f++) {
            p = end + 1;
            end = tokenEnd(raw, p);
            if (p >= n || end == p || end == n) {
                return SyslogMessage.unparsed(raw, ParseError.BAD_HEADER, pri, SyslogParser.RFC5424_VERSION, priStart);
            }
            fields[f] = field(raw, p, end);
        }
        // MSGID: may end the frame (header only, no STRUCTURED-DATA).
        p = end + 1;
        end = tokenEnd(raw, p);
        if (p >= n || end == p) {
            return SyslogMessage.unparsed(raw, ParseError.BAD_HEADER, pri, SyslogParser.RFC5424_VERSION, priStart);
        }
        // Docker's rfc5424 formats repeat the tag as MSGID: share the String rather than copy it again.
        String msgId = fields[1] != null && sameBytes(raw, p, end, fields[1]) ? fields[1] : field(raw, p, end);
        p = Math.min(end + 1, n);
        List<SdElement> sd = List.of();
        if (p < n) {
            if (raw[p] == NIL) {
                p++;
            } else if (raw[p] == '[') {
                sd = new ArrayList<>(2);
                p = structuredData(raw, p, sd);
                if (p < 0) {
                    return SyslogMessage.unparsed(raw, ParseError.BAD_STRUCTURED_DATA, pri, SyslogParser.RFC5424_VERSION, priStart);
                }
                sd = List.copyOf(sd);
            } else {
                return SyslogMessage.unparsed(raw, ParseError.BAD_STRUCTURED_DATA, pri, SyslogParser.RFC5424_VERSION, priStart);
            }
            if (p < n) {
                if (raw[p] != ' ') {
                    return SyslogMessage.unparsed(raw, ParseError.BAD_STRUCTURED_DATA, pri, SyslogParser.RFC5424_VERSION, priStart);
                }
                p++;
            }
        }
        boolean bom = p + BOM.length <= n && raw[p] == BOM[0] && raw[p + 1] == BOM[1] && raw[p + 2] == BOM[2];
        if (bom) {
            p += BOM.length;
        }
        return new SyslogMessage(SyslogFormat.RFC5424, null, pri >> 3, pri & 7, SyslogParser.RFC5424_VERSION,
                timestamp, fields[0], fields[1], fields[2], msgId, sd, bom, p,
                Utf8.decode(raw, p, n), Utf8.isValid(raw, p, n));
    }

    /**
     * Parses one or more adjacent SD-ELEMENTs starting at {@code [}; returns the index after the last
     * {@code ]}, or -1 when malformed.
     */
    private static int structuredData(byte[] raw, int p, List<SdElement> out) {
        int n = raw.length;
        while (p < n && raw[p] == '[') {
            int idStart = ++p;
            while (p < n && isNameByte(raw[p])) {
                p++;
            }
            if (p == idStart || p >= n) {
                return -1;
            }
            String id = new String(raw, idStart, p - idStart, StandardCharsets.UTF_8);
            List<SdParam> params = new ArrayList<>(4);
            while (p < n && raw[p] == ' ') {
                int nameStart = ++p;
                while (p < n && isNameByte(raw[p])) {
                    p++;
                }
                if (p == nameStart || p + 1 >= n || raw[p] != '=' || raw[p + 1] != '"') {
                    return -1;
                }
                String name = new String(raw, nameStart, p - nameStart, StandardCharsets.UTF_8);
                p += 2;
                int valueStart = p;
                boolean escaped = false;
                while (p < n && raw[p] != '"') {
                    if (raw[p] == '\\' && p + 1 < n && isEscapable(raw[p + 1])) {
                        escaped = true;
                        p++;
                    }
                    p++;
                }
                if (p >= n) {
                    return -1;
                }
                params.add(new SdParam(name, value(raw, valueStart, p, escaped)));
                p++;
            }
            if (p >= n || raw[p] != ']') {
                return -1;
            }
            p++;
            out.add(new SdElement(id, params));
        }
        return p;
    }

    /** RFC 5424 section 6.3.3: inside PARAM-VALUE, {@code "}, {@code \} and {@code ]} are escaped with {@code \}. */
    private static boolean isEscapable(byte b) {
        return b == '"' || b == '\\' || b == ']';
    }

    private static String value(byte[] raw, int from, int to, boolean escaped) {
        if (!escaped) {
            return new String(raw, from, to - from, StandardCharsets.UTF_8);
        }
        byte[] unescaped = new byte[to - from];
        int length = 0;
        for (int i = from; i < to; i++) {
            if (raw[i] == '\\' && i + 1 < to && isEscapable(raw[i + 1])) {
                i++;
            }
            unescaped[length++] = raw[i];
        }
        return new String(unescaped, 0, length, StandardCharsets.UTF_8);
    }

    /** SD-NAME: PRINTUSASCII except {@code = SP ] "} (RFC 5424 section 6.3.2); length not enforced. */
    private static boolean isNameByte(byte b) {
        return b > ' ' && b < 127 && b != '=' && b != ']' && b != '"';
    }

    private static boolean isNil(byte[] raw, int from, int to) {
        return to - from == 1 && raw[from] == NIL;
    }

    /** A header field, null for NIL. */
    private static String field(byte[] raw, int from, int to) {
        return isNil(raw, from, to) ? null : new String(raw, from, to - from, StandardCharsets.UTF_8);
    }

    /** Whether {@code raw[from, to)} holds exactly the ASCII characters of {@code s}. */
    private static boolean sameBytes(byte[] raw, int from, int to, String s) {
        if (to - from != s.length()) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (raw[i] != s.charAt(i - from) || raw[i] < 0) {
                return false;
            }
        }
        return true;
    }

    /** Index of the first SP at or after {@code from}, or {@code raw.length}. */
    static int tokenEnd(byte[] raw, int from) {
        int i = from;
        while (i < raw.length && raw[i] != ' ') {
            i++;
        }
        return i;
    }
}
