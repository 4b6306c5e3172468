package io.auditwatch.ingest.syslog;

import java.util.EnumSet;
import java.util.Set;

/**
 * The sender-named header fields and their limits from RFC 5424 section 6 (ABNF): each is 1 to N
 * PRINTUSASCII bytes ({@code %d33-126}), so no control byte, no space, no byte above 126. The RFC 3164
 * HOSTNAME, TAG and {@code [pid]} are held to the same limits as their RFC 5424 counterparts. A closed
 * set, usable as a metric label.
 *
 * <p>{@link SyslogParser} keeps a field that breaks its rule as sent; {@link #invalid} says which do,
 * and the caller keeps such a field out of node names, metric labels and unescaped log lines.
 */
public enum HeaderField {
    /** HOSTNAME: 1*255PRINTUSASCII (RFC 5424 section 6.2.4). */
    HOSTNAME(255),
    /** APP-NAME: 1*48PRINTUSASCII (RFC 5424 section 6.2.5); the RFC 3164 TAG. Docker does not enforce it. */
    APP_NAME(48),
    /** PROCID: 1*128PRINTUSASCII (RFC 5424 section 6.2.6); the RFC 3164 {@code [pid]}. */
    PROCID(128),
    /** MSGID: 1*32PRINTUSASCII (RFC 5424 section 6.2.7). Docker puts its tag here and does not enforce it. */
    MSGID(32);

    /** Most bytes the field may hold (RFC 5424 section 6). */
    public final int maxBytes;

    HeaderField(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The field's value in {@code m}; null when NIL or absent. */
    public String of(SyslogMessage m) {
        return switch (this) {
            case HOSTNAME -> m.hostname();
            case APP_NAME -> m.appName();
            case PROCID -> m.procId();
            case MSGID -> m.msgId();
        };
    }

    /** Whether {@code value} (null meaning NIL or absent) meets this field's rule. */
    public boolean accepts(String value) {
        if (value == null) {
            return true;
        }
        // Every PRINTUSASCII character is one UTF-8 byte, so once each char is printable ASCII the length is in bytes.
        int n = value.length();
        if (n == 0 || n > maxBytes) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (!isPrintUsAscii(value.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** The fields of {@code m} that break their rule; empty for a clean header. */
    public static Set<HeaderField> invalid(SyslogMessage m) {
        Set<HeaderField> out = null;
        for (HeaderField f : values()) {
            if (!f.accepts(f.of(m))) {
                if (out == null) {
                    out = EnumSet.noneOf(HeaderField.class);
                }
                out.add(f);
            }
        }
        return out == null ? Set.of() : out;
    }

    /** PRINTUSASCII, {@code %d33-126} (RFC 5424 section 6). */
    public static boolean isPrintUsAscii(char c) {
        return c >= 33 && c <= 126;
    }
}
