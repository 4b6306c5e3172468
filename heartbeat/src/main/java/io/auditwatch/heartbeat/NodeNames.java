package io.auditwatch.heartbeat;

import java.nio.charset.StandardCharsets;

/**
 * The bounds on node names, which senders choose (a syslog HOSTNAME, a GELF {@code host}): which
 * names heartbeat tracks, and how a name is shown in a metric label and in a log line. Names from
 * the inventory are the operator's and are tracked whatever they are.
 */
public final class NodeNames {
    /**
     * Longest node name tracked, in UTF-8 bytes: RFC 5424 section 6.2.4 bounds HOSTNAME at 255
     * printable US-ASCII bytes, and a DNS name (certificate SAN) is at most 253.
     */
    public static final int MAX_BYTES = 255;
    /**
     * Longest {@code node} label value, in UTF-8 bytes. Every real host name fits (a DNS label is at
     * most 63 bytes); a longer name is cut and given a hash suffix, so it stays distinct and each
     * series of the per-pair gauges costs a bounded number of bytes per scrape.
     */
    public static final int MAX_LABEL_BYTES = 128;
    /** Longest name shown in a log line, in characters; the rest is elided. */
    static final int MAX_LOG_CHARS = MAX_BYTES;
    /** {@code ~} and 8 hex digits of the name's hash. */
    private static final int HASH_SUFFIX = 9;

    private NodeNames() {
    }

    /**
     * Whether a name a sender chose may be tracked: 1 to {@link #MAX_BYTES} UTF-8 bytes with no
     * control character (C0, DEL, C1), so it can be neither a line break in a log nor a huge label.
     */
    public static boolean trackable(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_BYTES) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                return false;
            }
        }
        return utf8Length(name) <= MAX_BYTES;
    }

    /** The {@code node} label value: the name itself when at most {@link #MAX_LABEL_BYTES} UTF-8 bytes, else a cut with a hash. */
    public static String label(String name) {
        if (utf8Length(name) <= MAX_LABEL_BYTES) {
            return name;
        }
        int budget = MAX_LABEL_BYTES - HASH_SUFFIX;
        int end = 0;
        int bytes = 0;
        while (end < name.length()) {
            int cp = name.codePointAt(end);
            int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + size > budget) {
                break;
            }
            bytes += size;
            end += Character.charCount(cp);
        }
        return name.substring(0, end) + '~' + String.format("%08x", name.hashCode());
    }

    /**
     * A sender-chosen name (or any sender text) for a log line: control characters, backslash and
     * {@code "} escaped ({@code \n}, {@code \x1b}, {@code \x85}), at most {@link #MAX_LOG_CHARS}
     * characters followed by {@code ...}, so one line stays one line of bounded length.
     */
    public static String forLog(String s) {
        if (s == null) {
            return "null";
        }
        int shown = Math.min(s.length(), MAX_LOG_CHARS);
        StringBuilder b = null;
        for (int i = 0; i < shown; i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || c == '\\' || c == '"') {
                if (b == null) {
                    b = new StringBuilder(shown + 16).append(s, 0, i);
                }
                switch (c) {
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    case '\\' -> b.append("\\\\");
                    case '"' -> b.append("\\\"");
                    default -> b.append(String.format("\\x%02x", (int) c)); // every control character is below U+00A0
                }
            } else if (b != null) {
                b.append(c);
            }
        }
        if (b == null && shown == s.length()) {
            return s;
        }
        if (b == null) {
            b = new StringBuilder(s.substring(0, shown));
        }
        return shown < s.length() ? b.append("...").toString() : b.toString();
    }

    private static int utf8Length(String s) {
        int n = s.length();
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return s.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return n;
    }
}
