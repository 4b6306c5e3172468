package io.auditwatch.ingest.syslog;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;

/**
 * Recognises and converts the two timestamp shapes of syslog, over ASCII bytes, without regular
 * expressions and without the JVM locale (month names are English by RFC 3164 section 4.1.2).
 */
final class Timestamps {

    /**
     * How far an RFC 3164 timestamp may lie after the receive time and still be read in the current
     * year. RFC 3164 timestamps carry no year; a few days absorb sender clock skew and zone mistakes
     * while "Dec 31 23:59:59" received on Jan 1 still lands in the previous year.
     */
    static final Duration SENDER_CLOCK_AHEAD_TOLERANCE = Duration.ofDays(7);

    /** Shortest RFC 3339 timestamp, {@code 2026-11-23T17:00:01Z}. */
    private static final int RFC3339_MIN_LENGTH = 20;
    /** Fraction digits beyond nanoseconds are accepted and ignored (nanosecond emitters, RFC 5424 section 6.2.3 allows 6). */
    private static final int NANO_DIGITS = 9;

    private static final byte[][] MONTHS = {
        ascii("jan"), ascii("feb"), ascii("mar"), ascii("apr"), ascii("may"), ascii("jun"),
        ascii("jul"), ascii("aug"), ascii("sep"), ascii("oct"), ascii("nov"), ascii("dec"),
    };

    private Timestamps() {
    }

    /**
     * True when {@code b[from, to)} is exactly one RFC 3339 timestamp (RFC 5424 section 6.2.3), leniently:
     * lower-case {@code t}/{@code z} and any number of fraction digits.
     * Only the shape is checked (digits and separators in their places): a well-shaped but impossible
     * date or time ({@code 2003-09-31}, hour 24) is still a timestamp, so the header around it is read,
     * and {@link #toInstant} gives it no instant, which the caller flags.
     */
    static boolean isRfc3339(byte[] b, int from, int to) {
        if (to - from < RFC3339_MIN_LENGTH) {
            return false;
        }
        int p = localDateTimeEnd(b, from, to);
        if (p < 0) {
            return false;
        }
        if (p + 1 == to && (b[p] == 'Z' || b[p] == 'z')) {
            return true;
        }
        return p + 6 == to && (b[p] == '+' || b[p] == '-') && digits(b, p + 1, 2) && b[p + 3] == ':'
                && digits(b, p + 4, 2);
    }

    /**
     * True when {@code b[from, to)} is an RFC 3339 date-time without its offset
     * ({@code 2026-12-01T21:22:44}, optionally with a fraction): ISO 8601 local time, as syslog-ng's
     * {@code loggen} and some appliances write it in RFC 3164 messages. It is read in the zone of
     * RFC 3164 timestamps, which carry none either. RFC 5424 requires the offset, so its parser does
     * not accept this.
     */
    static boolean isLocalDateTime(byte[] b, int from, int to) {
        return to - from >= RFC3339_MIN_LENGTH - 1 && localDateTimeEnd(b, from, to) == to;
    }

    /** Index after {@code yyyy-mm-ddThh:mm:ss[.fraction]} at {@code from}; -1 when it is not there. Needs 19 bytes. */
    private static int localDateTimeEnd(byte[] b, int from, int to) {
        int p = from;
        if (!digits(b, p, 4) || b[p + 4] != '-' || !digits(b, p + 5, 2) || b[p + 7] != '-'
                || !digits(b, p + 8, 2) || (b[p + 10] != 'T' && b[p + 10] != 't')
                || !time(b, p + 11)) {
            return -1;
        }
        p += 19;
        if (p < to && b[p] == '.') {
            int f = p + 1;
            while (f < to && isDigit(b[f])) {
                f++;
            }
            if (f == p + 1) {
                return -1;
            }
            p = f;
        }
        return p;
    }

    /**
     * Index just after an RFC 3164 timestamp {@code Mmm dd hh:mm:ss} starting at {@code from}, or -1.
     * The day may be space-padded ({@code Nov  3}), zero-padded ({@code Nov 03}) or bare ({@code Nov 3}).
     * Like {@link #isRfc3339}, only the shape is checked: {@code Feb 30 24:00:00} is a timestamp with no instant.
     */
    static int rfc3164End(byte[] b, int from, int to) {
        if (month(b, from, to) < 0 || from + 4 >= to || b[from + 3] != ' ') {
            return -1;
        }
        int p = from + 4;
        if (b[p] == ' ') {
            p++;
        }
        int day = 0;
        int dayStart = p;
        while (p < to && p - dayStart < 2 && isDigit(b[p])) {
            day = day * 10 + b[p] - '0';
            p++;
        }
        if (p == dayStart || p + 9 > to || b[p] != ' ' || !time(b, p + 1)) {
            return -1;
        }
        return p + 9;
    }

    /**
     * Converts a timestamp recognised by {@link #isRfc3339}, {@link #isLocalDateTime} or
     * {@link #rfc3164End}; null when impossible: a day the month does not have, month 0 or 13, hour
     * 24 or more, minute 60 or more, second 61 or more (60 is a leap second, read as 59), an offset
     * beyond 23:59.
     */
    static Instant toInstant(byte[] b, int from, int to, Instant receivedAt, ZoneId zoneFor3164) {
        try {
            if (isRfc3339(b, from, to)) {
                return rfc3339ToInstant(b, from, to);
            }
            if (isLocalDateTime(b, from, to)) {
                // Same fields, no offset: the seconds are local time in the RFC 3164 zone.
                Instant asUtc = rfc3339ToInstant(b, from, to);
                if (asUtc == null) {
                    return null;
                }
                LocalDateTime local = LocalDateTime.ofEpochSecond(asUtc.getEpochSecond(), asUtc.getNano(), java.time.ZoneOffset.UTC);
                return local.atZone(zoneFor3164).toInstant();
            }
            if (rfc3164End(b, from, to) == to) {
                return rfc3164ToInstant(b, from, to, receivedAt, zoneFor3164);
            }
        } catch (DateTimeException e) {
            // Feb 30 and the like: a well-shaped but impossible date has no instant.
        }
        return null;
    }

    private static Instant rfc3339ToInstant(byte[] b, int from, int to) {
        if (!timeInRange(b, from + 11)) {
            return null;
        }
        long epochDay = LocalDate.of(number(b, from, 4), number(b, from + 5, 2), number(b, from + 8, 2)).toEpochDay();
        long seconds = epochDay * 86_400L + number(b, from + 11, 2) * 3600L + number(b, from + 14, 2) * 60L
                + number(b, from + 17, 2);
        int p = from + 19;
        int nanos = 0;
        if (p < to && b[p] == '.') {
            p++;
            int scale = 100_000_000;
            for (; p < to && isDigit(b[p]); p++) {
                if (scale > 0) {
                    nanos += (b[p] - '0') * scale;
                    scale /= 10;
                }
            }
        }
        if (p < to && (b[p] == '+' || b[p] == '-')) {
            if (!inRange(b, p + 1, 0, 23) || !inRange(b, p + 4, 0, 59)) {
                return null;
            }
            int offset = number(b, p + 1, 2) * 3600 + number(b, p + 4, 2) * 60;
            seconds -= b[p] == '+' ? offset : -offset;
        }
        return Instant.ofEpochSecond(seconds, nanos);
    }

    private static Instant rfc3164ToInstant(byte[] b, int from, int to, Instant receivedAt, ZoneId zone) {
        int month = month(b, from, to) + 1;
        int p = from + 4;
        if (b[p] == ' ') {
            p++;
        }
        int day = isDigit(b[p + 1]) ? number(b, p, 2) : number(b, p, 1);
        int t = to - 8;
        if (!timeInRange(b, t)) {
            return null;
        }
        int hour = number(b, t, 2);
        int minute = number(b, t + 3, 2);
        int second = Math.min(number(b, t + 6, 2), 59);
        Instant latest = receivedAt.plus(SENDER_CLOCK_AHEAD_TOLERANCE);
        int year = receivedAt.atZone(zone).getYear();
        for (int y = year + 1; y >= year - 1; y--) {
            Instant candidate;
            try {
                candidate = LocalDateTime.of(y, month, day, hour, minute, second).atZone(zone).toInstant();
            } catch (DateTimeException e) {
                continue; // Feb 29 outside a leap year
            }
            if (!candidate.isAfter(latest)) {
                return candidate;
            }
        }
        return null;
    }

    /** 0-based month of the English abbreviation at {@code from}, case-insensitive, or -1. */
    private static int month(byte[] b, int from, int to) {
        if (from + 3 > to) {
            return -1;
        }
        int c0 = b[from] | 0x20;
        int c1 = b[from + 1] | 0x20;
        int c2 = b[from + 2] | 0x20;
        for (int m = 0; m < MONTHS.length; m++) {
            byte[] name = MONTHS[m];
            if (name[0] == c0 && name[1] == c1 && name[2] == c2) {
                return m;
            }
        }
        return -1;
    }

    /** The shape {@code dd:dd:dd} at {@code p}; caller ensures 8 bytes. */
    private static boolean time(byte[] b, int p) {
        return digits(b, p, 2) && b[p + 2] == ':' && digits(b, p + 3, 2) && b[p + 5] == ':' && digits(b, p + 6, 2);
    }

    /** {@code hh:mm:ss} at {@code p} names a time of day, second 60 allowed for leap seconds. */
    private static boolean timeInRange(byte[] b, int p) {
        return inRange(b, p, 0, 23) && inRange(b, p + 3, 0, 59) && inRange(b, p + 6, 0, 60);
    }

    private static boolean inRange(byte[] b, int p, int min, int max) {
        if (!digits(b, p, 2)) {
            return false;
        }
        int v = number(b, p, 2);
        return v >= min && v <= max;
    }

    private static boolean digits(byte[] b, int p, int n) {
        for (int i = p; i < p + n; i++) {
            if (!isDigit(b[i])) {
                return false;
            }
        }
        return true;
    }

    private static int number(byte[] b, int p, int n) {
        int v = 0;
        for (int i = p; i < p + n; i++) {
            v = v * 10 + b[i] - '0';
        }
        return v;
    }

    static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
