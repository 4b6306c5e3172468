package io.auditwatch.ingest.envelope;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;

/**
 * Compact JSON (RFC 8259) written straight into a growable byte array: the envelope's writer on the
 * data path, where Jackson's general-purpose generator cost a fifth of the CPU (ingest/README.md,
 * "How the envelope is written"). Values are written as Jackson writes them by default, except that
 * a character outside the Basic Multilingual Plane is written as its four UTF-8 bytes where Jackson
 * writes two {@code \}{@code u} escapes of twelve bytes; both read back as the same text.
 *
 * <p>Strings are escaped as RFC 8259 section 7 requires and no further: the quotation mark, the
 * reverse solidus and U+0000 to U+001F (the five with a short form as {@code \b \t \n \f \r}, the
 * others as {@code \}{@code u00XX}); everything else is UTF-8 as it is. A lone surrogate, which has
 * no UTF-8 form, is written as its {@code \}{@code u} escape. Bytes already known to be well-formed
 * UTF-8 ({@link #utf8String}) are copied eight at a time where none needs an escape.
 *
 * <p>One instance per thread ({@link #start()}), reused from envelope to envelope; not thread-safe.
 */
final class JsonBytes {

    /** Bytes of a new thread's array: a 250-byte message's envelope is about 1,000. */
    private static final int INITIAL_BYTES = 4 * 1024;

    /**
     * An array grown past this for one large envelope (up to the size budget, ingest/README.md "Size
     * budget") is dropped after it rather than held by the thread: a Docker piece's envelope (16 KiB
     * and its metadata) still fits.
     */
    private static final int RETAINED_MAX_BYTES = 64 * 1024;

    private static final ThreadLocal<JsonBytes> PER_THREAD = ThreadLocal.withInitial(JsonBytes::new);

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    /** Escape per ASCII byte: 0 none, {@code 'u'} six-byte {@code \}{@code u00XX}, else the letter after the backslash. */
    private static final byte[] ESCAPES = new byte[128];

    static {
        for (int c = 0; c < 0x20; c++) {
            ESCAPES[c] = 'u';
        }
        ESCAPES['"'] = '"';
        ESCAPES['\\'] = '\\';
        ESCAPES['\b'] = 'b';
        ESCAPES['\t'] = 't';
        ESCAPES['\n'] = 'n';
        ESCAPES['\f'] = 'f';
        ESCAPES['\r'] = 'r';
    }

    /** Upper case in escapes, as Jackson writes them. */
    private static final byte[] HEX_UPPER = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};
    /** Lower case in UUIDs, as {@link UUID#toString()} writes them. */
    private static final byte[] HEX_LOWER = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
    /** RFC 4648 section 4, as {@link java.util.Base64#getEncoder()}. */
    private static final byte[] BASE64 = ascii("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");

    private static final byte[] NULL = ascii("null");
    private static final byte[] TRUE = ascii("true");
    private static final byte[] FALSE = ascii("false");
    /** The one long that has no positive counterpart to write after a minus sign. */
    private static final byte[] LONG_MIN = ascii(Long.toString(Long.MIN_VALUE));

    /** 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z: {@link #instant} writes this range itself. */
    private static final long YEAR_0_SECONDS = -62_167_219_200L;
    private static final long YEAR_10000_SECONDS = 253_402_300_800L;

    private byte[] buf = new byte[INITIAL_BYTES];
    private int pos;
    /** Whether the next name or array element needs a comma before it. */
    private boolean comma;

    private JsonBytes() {
    }

    /** This thread's writer, emptied. */
    static JsonBytes start() {
        JsonBytes w = PER_THREAD.get();
        w.pos = 0;
        w.comma = false;
        return w;
    }

    /** The bytes written so far, as a new array; the writer is emptied. */
    byte[] finish() {
        byte[] out = Arrays.copyOf(buf, pos);
        if (buf.length > RETAINED_MAX_BYTES) {
            buf = new byte[INITIAL_BYTES];
        }
        pos = 0;
        return out;
    }

    /** Bytes written so far. */
    int length() {
        return pos;
    }

    /** The state to go back to with {@link #reset(long)}: the length and the pending comma. */
    long mark() {
        return (long) pos << 1 | (comma ? 1 : 0);
    }

    /** Forgets everything written since {@code mark} was taken. */
    void reset(long mark) {
        pos = (int) (mark >>> 1);
        comma = (mark & 1) != 0;
    }

    JsonBytes startObject() {
        value();
        ensure(1);
        put('{');
        comma = false;
        return this;
    }

    JsonBytes startObject(Name name) {
        return name(name).startObject();
    }

    JsonBytes endObject() {
        ensure(1);
        put('}');
        comma = true;
        return this;
    }

    JsonBytes startArray() {
        value();
        ensure(1);
        put('[');
        comma = false;
        return this;
    }

    JsonBytes startArray(Name name) {
        return name(name).startArray();
    }

    JsonBytes endArray() {
        ensure(1);
        put(']');
        comma = true;
        return this;
    }

    /** A member name encoded once, for the names an envelope always has: quoted, escaped, with its colon. */
    static final class Name {
        private final byte[] json;

        Name(String name) {
            JsonBytes w = new JsonBytes();
            w.name(name);
            json = Arrays.copyOf(w.buf, w.pos);
        }
    }

    /** A member's name; its value follows. */
    JsonBytes name(Name name) {
        value();
        ensure(name.json.length);
        System.arraycopy(name.json, 0, buf, pos, name.json.length);
        pos += name.json.length;
        comma = false;
        return this;
    }

    /** A member's name; its value follows. */
    JsonBytes name(String name) {
        value();
        quoted(name);
        ensure(1);
        put(':');
        comma = false;
        return this;
    }

    JsonBytes field(Name name, String value) {
        return name(name).string(value);
    }

    JsonBytes field(Name name, long value) {
        return name(name).number(value);
    }

    JsonBytes field(Name name, boolean value) {
        return name(name).bool(value);
    }

    /** Nothing when {@code value} is null. */
    JsonBytes optional(Name name, String value) {
        return value == null ? this : field(name, value);
    }

    JsonBytes nullValue() {
        return literal(NULL);
    }

    JsonBytes bool(boolean value) {
        return literal(value ? TRUE : FALSE);
    }

    /** An integer in decimal, without allocating. */
    JsonBytes number(long value) {
        if (value == Long.MIN_VALUE) {
            return literal(LONG_MIN);
        }
        value();
        ensure(20);
        if (value < 0) {
            put('-');
            value = -value;
        }
        int digits = 1;
        for (long v = value; v >= 10; v /= 10) {
            digits++;
        }
        int at = pos + digits;
        pos = at;
        do {
            buf[--at] = (byte) ('0' + value % 10);
            value /= 10;
        } while (value != 0);
        return this;
    }

    /** A string value: UTF-16 to UTF-8 with the escapes in the class comment; null as JSON null, as Jackson writes it. */
    JsonBytes string(String s) {
        if (s == null) {
            return nullValue();
        }
        value();
        quoted(s);
        return this;
    }

    private void quoted(String s) {
        int n = s.length();
        ensure(n > Integer.MAX_VALUE / 6 - 2 ? -1 : n * 6 + 2);
        put('"');
        // ASCII that needs no escape, the bulk of every envelope, with the position in a local.
        byte[] out = buf;
        int at = pos;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                out[at++] = (byte) c;
            } else {
                pos = at;
                i = escapedOrEncoded(s, i);
                at = pos;
            }
        }
        pos = at;
        put('"');
    }

    /** Writes the character at {@code i} escaped or as UTF-8; returns the index of its last char. */
    private int escapedOrEncoded(String s, int i) {
        char c = s.charAt(i);
        if (c < 0x80) {
            escape(c);
        } else if (c < 0x800) {
            put(0xC0 | c >> 6);
            put(0x80 | c & 0x3F);
        } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            int cp = Character.toCodePoint(c, s.charAt(++i));
            put(0xF0 | cp >> 18);
            put(0x80 | cp >> 12 & 0x3F);
            put(0x80 | cp >> 6 & 0x3F);
            put(0x80 | cp & 0x3F);
        } else if (Character.isSurrogate(c)) {
            unicodeEscape(c);
        } else {
            put(0xE0 | c >> 12);
            put(0x80 | c >> 6 & 0x3F);
            put(0x80 | c & 0x3F);
        }
        return i;
    }

    /**
     * The length of {@code src[from, to)} as a JSON string body (without its quotes) with the
     * escapes in the class comment: its own length plus one byte per short escape and five per
     * {@code \}{@code u00XX}.
     */
    static long escapedLength(byte[] src, int from, int to) {
        long length = to - from;
        int i = from;
        while (i < to) {
            while (i + Long.BYTES <= to && !needsEscape((long) LONGS.get(src, i))) {
                i += Long.BYTES;
            }
            for (int end = Math.min(i + Long.BYTES, to); i < end; i++) {
                byte b = src[i];
                if (b >= 0 && ESCAPES[b] != 0) {
                    length += ESCAPES[b] == 'u' ? 5 : 1;
                }
            }
        }
        return length;
    }

    /**
     * A string value from bytes the caller knows to be well-formed UTF-8: copied as they are but for
     * the escapes, eight at a time where none needs one, never decoded to UTF-16.
     *
     * @param escapedLength {@link #escapedLength} of the same bytes
     */
    JsonBytes utf8String(byte[] src, int from, int to, long escapedLength) {
        value();
        if (escapedLength > Integer.MAX_VALUE - 1024) {
            throw new IllegalArgumentException(escapedLength + " bytes are too many for one envelope");
        }
        ensure((int) escapedLength + 2);
        put('"');
        int i = from;
        while (i < to) {
            while (i + Long.BYTES <= to) {
                long w = (long) LONGS.get(src, i);
                if (needsEscape(w)) {
                    break;
                }
                LONGS.set(buf, pos, w);
                pos += Long.BYTES;
                i += Long.BYTES;
            }
            for (int end = Math.min(i + Long.BYTES, to); i < end; i++) {
                byte b = src[i];
                if (b >= 0 && ESCAPES[b] != 0) {
                    escape(b);
                } else {
                    put(b);
                }
            }
        }
        put('"');
        return this;
    }

    /**
     * Whether any of the eight bytes is below 0x20, a quotation mark or a reverse solidus (the
     * "has a zero byte" test of Hacker's Delight, section 6-1, which is exact as a yes or no).
     */
    private static boolean needsEscape(long w) {
        long control = (w - 0x20 * ONES) & ~w;
        long quote = w ^ '"' * ONES;
        long backslash = w ^ '\\' * ONES;
        return ((control | ((quote - ONES) & ~quote) | ((backslash - ONES) & ~backslash)) & HIGH_BITS) != 0;
    }

    /** {@code bytes} in base64 (RFC 4648 section 4, padded) as a string value. */
    JsonBytes base64String(byte[] bytes) {
        value();
        long length = EnvelopeCodec.base64Length(bytes.length);
        if (length > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(bytes.length + " bytes are too many for one envelope");
        }
        ensure((int) length + 2);
        put('"');
        int whole = bytes.length - bytes.length % 3;
        for (int i = 0; i < whole; i += 3) {
            int bits = (bytes[i] & 0xFF) << 16 | (bytes[i + 1] & 0xFF) << 8 | bytes[i + 2] & 0xFF;
            put(BASE64[bits >>> 18]);
            put(BASE64[bits >>> 12 & 0x3F]);
            put(BASE64[bits >>> 6 & 0x3F]);
            put(BASE64[bits & 0x3F]);
        }
        int left = bytes.length - whole;
        if (left > 0) {
            int bits = (bytes[whole] & 0xFF) << 16 | (left == 2 ? (bytes[whole + 1] & 0xFF) << 8 : 0);
            put(BASE64[bits >>> 18]);
            put(BASE64[bits >>> 12 & 0x3F]);
            put(left == 2 ? BASE64[bits >>> 6 & 0x3F] : '=');
            put('=');
        }
        put('"');
        return this;
    }

    /** A UUID as {@link UUID#toString()} writes it, without allocating. */
    JsonBytes uuid(UUID id) {
        value();
        ensure(38);
        put('"');
        hex(id.getMostSignificantBits() >>> 32, 8);
        put('-');
        hex(id.getMostSignificantBits() >>> 16, 4);
        put('-');
        hex(id.getMostSignificantBits(), 4);
        put('-');
        hex(id.getLeastSignificantBits() >>> 48, 4);
        put('-');
        hex(id.getLeastSignificantBits(), 12);
        put('"');
        return this;
    }

    /**
     * An instant as {@link Instant#toString()} writes it (ISO-8601 in UTC, the fraction in groups of
     * three digits as needed), without allocating for the years 0000 to 9999.
     */
    JsonBytes instant(Instant t) {
        long seconds = t.getEpochSecond();
        if (seconds < YEAR_0_SECONDS || seconds >= YEAR_10000_SECONDS) {
            return string(t.toString());
        }
        value();
        ensure(32);
        long days = Math.floorDiv(seconds, 86_400);
        int secondOfDay = (int) Math.floorMod(seconds, 86_400);
        // Days to a civil date: H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", days_from_civil's inverse.
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        int dayOfEra = (int) (z - era * 146_097);
        int yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        int dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        int mp = (5 * dayOfYear + 2) / 153;
        int day = dayOfYear - (153 * mp + 2) / 5 + 1;
        int month = mp < 10 ? mp + 3 : mp - 9;
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        put('"');
        digits((int) year, 4);
        put('-');
        digits(month, 2);
        put('-');
        digits(day, 2);
        put('T');
        digits(secondOfDay / 3600, 2);
        put(':');
        digits(secondOfDay / 60 % 60, 2);
        put(':');
        digits(secondOfDay % 60, 2);
        int nano = t.getNano();
        if (nano != 0) {
            put('.');
            if (nano % 1_000_000 == 0) {
                digits(nano / 1_000_000, 3);
            } else if (nano % 1000 == 0) {
                digits(nano / 1000, 6);
            } else {
                digits(nano, 9);
            }
        }
        put('Z');
        put('"');
        return this;
    }

    /** JSON the caller got from elsewhere (Jackson, for a value type this writer does not know), as it is. */
    JsonBytes rawValue(byte[] json) {
        return literal(json);
    }

    private JsonBytes literal(byte[] json) {
        value();
        ensure(json.length);
        System.arraycopy(json, 0, buf, pos, json.length);
        pos += json.length;
        return this;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private void digits(int value, int count) {
        for (int at = pos + count - 1; at >= pos; at--) {
            buf[at] = (byte) ('0' + value % 10);
            value /= 10;
        }
        pos += count;
    }

    private void hex(long bits, int count) {
        for (int at = pos + count - 1; at >= pos; at--) {
            buf[at] = HEX_LOWER[(int) bits & 0xF];
            bits >>>= 4;
        }
        pos += count;
    }

    private void escape(int c) {
        byte e = ESCAPES[c];
        if (e == 'u') {
            unicodeEscape(c);
        } else {
            put('\\');
            put(e);
        }
    }

    private void unicodeEscape(int c) {
        put('\\');
        put('u');
        put(HEX_UPPER[c >> 12 & 0xF]);
        put(HEX_UPPER[c >> 8 & 0xF]);
        put(HEX_UPPER[c >> 4 & 0xF]);
        put(HEX_UPPER[c & 0xF]);
    }

    /** Before a value or a name: the comma that separates it from the one before. */
    private void value() {
        if (comma) {
            ensure(1);
            put(',');
        }
        comma = true;
    }

    private void put(int b) {
        buf[pos++] = (byte) b;
    }

    /** Room for {@code bytes} more, plus the few closing bytes the callers put unchecked. */
    private void ensure(int bytes) {
        if (bytes > buf.length - pos - 8) {
            grow(bytes);
        }
    }

    private void grow(int bytes) {
        long needed = (long) pos + bytes + 8;
        if (bytes < 0 || needed > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("an envelope cannot pass 2 GiB");
        }
        buf = Arrays.copyOf(buf, (int) Math.max(needed, Math.min((long) buf.length * 2, Integer.MAX_VALUE - 8)));
    }
}
