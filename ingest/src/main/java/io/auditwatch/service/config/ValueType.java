package io.auditwatch.service.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a configuration value is read from its text form and what it must look like. Each type
 * parses or throws {@link IllegalArgumentException} whose message says what is expected; the
 * loader turns that into a {@link ConfigException} naming origin and key.
 */
public abstract class ValueType<T> {
    private final String expected;

    private ValueType(String expected) {
        this.expected = expected;
    }

    /** What a valid value looks like, for error messages and the reference docs. */
    public String expected() {
        return expected;
    }

    abstract T parse(String text);

    /**
     * Parses a value outside the configuration (e.g. an admin API argument) with this type's rules.
     *
     * @throws IllegalArgumentException whose message says what is expected
     */
    public T parseValue(String text) {
        return parse(text);
    }

    public static final ValueType<String> STRING = new ValueType<>("a string") {
        @Override
        String parse(String text) {
            return text.trim();
        }
    };

    public static final ValueType<String> NON_EMPTY = new ValueType<>("a non-empty string") {
        @Override
        String parse(String text) {
            String t = text.trim();
            if (t.isEmpty()) {
                throw new IllegalArgumentException(expected());
            }
            return t;
        }
    };

    public static final ValueType<Boolean> BOOLEAN = new ValueType<>("true or false") {
        @Override
        Boolean parse(String text) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            if (t.equals("true") || t.equals("yes") || t.equals("on")) {
                return true;
            }
            if (t.equals("false") || t.equals("no") || t.equals("off")) {
                return false;
            }
            throw new IllegalArgumentException(expected());
        }
    };

    /** A TCP/UDP port; 0 disables a listener (or picks a free port, where documented). */
    public static final ValueType<Integer> PORT = intRange(0, 65_535, "a port number 0-65535 (0 disables)");

    public static ValueType<Integer> intRange(int min, int max, String expected) {
        return new ValueType<>(expected) {
            @Override
            Integer parse(String text) {
                try {
                    int v = Integer.parseInt(text.trim());
                    if (v >= min && v <= max) {
                        return v;
                    }
                } catch (NumberFormatException e) {
                    // fall through to the common message
                }
                throw new IllegalArgumentException(expected());
            }
        };
    }

    /** Durations like {@code 500ms}, {@code 90s}, {@code 15m}, {@code 4h}, {@code 7d}, or ISO-8601 {@code PT15M}. */
    public static final ValueType<Duration> DURATION = new ValueType<>("a duration like 500ms, 90s, 15m, 4h or 7d") {
        @Override
        Duration parse(String text) {
            return Durations.parse(text, expected());
        }
    };

    /** Sizes like {@code 65536}, {@code 64KiB}, {@code 512MiB}, {@code 2GiB} (also KB/MB/GB as powers of 1000). */
    public static final ValueType<Long> SIZE = new ValueType<>("a size like 65536, 64KiB, 512MiB or 2GiB") {
        @Override
        Long parse(String text) {
            String t = text.trim();
            int i = 0;
            while (i < t.length() && Character.isDigit(t.charAt(i))) {
                i++;
            }
            if (i == 0 || i > 18) {
                throw new IllegalArgumentException(expected());
            }
            long n = Long.parseLong(t.substring(0, i));
            long unit = switch (t.substring(i).trim().toUpperCase(Locale.ROOT)) {
                case "", "B" -> 1L;
                case "KIB", "K" -> 1L << 10;
                case "MIB", "M" -> 1L << 20;
                case "GIB", "G" -> 1L << 30;
                case "KB" -> 1_000L;
                case "MB" -> 1_000_000L;
                case "GB" -> 1_000_000_000L;
                default -> throw new IllegalArgumentException(expected());
            };
            return Math.multiplyExact(n, unit);
        }
    };

    /** A comma-separated list in the environment; a YAML sequence (or a comma-separated string) in the file. */
    public static final ValueType<List<String>> LIST = new ValueType<>("a list (YAML sequence, or comma-separated)") {
        @Override
        List<String> parse(String text) {
            List<String> out = new ArrayList<>();
            for (String part : text.split(",")) {
                String p = part.trim();
                if (!p.isEmpty()) {
                    out.add(p);
                }
            }
            return List.copyOf(out);
        }
    };

    public static ValueType<String> oneOf(String... allowed) {
        return new ValueType<>("one of " + String.join(", ", allowed)) {
            @Override
            String parse(String text) {
                String t = text.trim().toLowerCase(Locale.ROOT);
                for (String a : allowed) {
                    if (a.equals(t)) {
                        return a;
                    }
                }
                throw new IllegalArgumentException(expected());
            }
        };
    }
}
