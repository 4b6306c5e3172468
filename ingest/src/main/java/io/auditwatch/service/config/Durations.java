package io.auditwatch.service.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** The duration syntax of every {@code *-threshold}, {@code *-interval}, {@code *-window} key. */
public final class Durations {
    private Durations() {
    }

    /**
     * Parses {@code 500ms}, {@code 90s}, {@code 15m}, {@code 4h}, {@code 7d}, combinations such as
     * {@code 1h30m}, or ISO-8601 ({@code PT15M}). A bare {@code 0} is zero.
     *
     * @throws IllegalArgumentException with {@code expected} as message when the text is not a duration
     */
    static Duration parse(String text, String expected) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        if (t.startsWith("p")) {
            try {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(expected);
            }
        }
        Duration total = Duration.ZERO;
        int i = 0;
        boolean any = false;
        while (i < t.length()) {
            int start = i;
            while (i < t.length() && Character.isDigit(t.charAt(i))) {
                i++;
            }
            if (i == start || i - start > 12) {
                throw new IllegalArgumentException(expected);
            }
            long n = Long.parseLong(t.substring(start, i));
            int unitStart = i;
            while (i < t.length() && Character.isLetter(t.charAt(i))) {
                i++;
            }
            total = total.plus(switch (t.substring(unitStart, i)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> throw new IllegalArgumentException(expected);
            });
            any = true;
        }
        if (!any) {
            throw new IllegalArgumentException(expected);
        }
        return total;
    }

    /** The shortest form this syntax reads back, for the effective-configuration log. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000 == 0 && ms > 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
