package io.auditwatch.alerting.engine;

import java.time.Duration;

/**
 * Durations as a person reads them in a subject line: {@code 45s}, {@code 12m}, {@code 1h 5m},
 * {@code 2d 3h}. Two units at most, truncated (never rounded up: "for 12m" is never an overstatement).
 */
final class HumanDuration {
    private HumanDuration() {
    }

    /** Negative or null durations render as {@code 0s}. */
    static String format(Duration d) {
        if (d == null || d.isNegative()) {
            return "0s";
        }
        long s = d.getSeconds();
        if (s < 60) {
            return s + "s";
        }
        long m = s / 60;
        if (m < 60) {
            return m + "m";
        }
        long h = m / 60;
        if (h < 24) {
            long rm = m % 60;
            return rm == 0 ? h + "h" : h + "h " + rm + "m";
        }
        long days = h / 24;
        long rh = h % 24;
        return rh == 0 ? days + "d" : days + "d " + rh + "h";
    }
}
