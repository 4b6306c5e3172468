package io.auditwatch.service.config;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

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

    /** The text form of a value, as the configuration file would write it (durations as {@code 15m}). */
    public String format(T value) {
        return String.valueOf(value);
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

        @Override
        public String format(Duration value) {
            return Durations.format(value);
        }
    };

    /** The word meaning "the collector's own zone" ({@link ZoneId#systemDefault()}, the JVM's {@code TZ}). */
    public static final String SYSTEM_ZONE = "system";

    /**
     * A time zone: a region id ({@code Europe/Berlin}), {@code UTC}, an offset ({@code -05:00}), or
     * {@value #SYSTEM_ZONE} for the collector's own zone, read when the configuration is loaded.
     */
    public static final ValueType<ZoneId> ZONE = new ValueType<>(
            "a time zone like Europe/Berlin, America/New_York, UTC or -05:00, or " + SYSTEM_ZONE + " (the collector's zone)") {
        @Override
        ZoneId parse(String text) {
            String t = text.trim();
            if (t.equalsIgnoreCase(SYSTEM_ZONE)) {
                return ZoneId.systemDefault();
            }
            try {
                return ZoneId.of(t);
            } catch (DateTimeException e) {
                throw new IllegalArgumentException(expected(), e);
            }
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

        @Override
        public String format(List<String> value) {
            return String.join(",", value);
        }
    };

    /**
     * A closed set: every constant has one canonical spelling ({@code id}), and {@link Choice#alias}
     * adds further accepted spellings. Matching ignores case and surrounding blanks; the error
     * message lists every accepted spelling.
     */
    public static <E extends Enum<E>> Choice<E> enumOf(E[] constants, Function<E, String> id) {
        Map<String, E> spellings = new LinkedHashMap<>();
        for (E c : constants) {
            spellings.put(id.apply(c).toLowerCase(Locale.ROOT), c);
        }
        return new Choice<>(spellings, List.copyOf(spellings.keySet()));
    }

    /** A list of members of a closed set: a YAML sequence, or comma-separated. */
    public static <E extends Enum<E>> ValueType<List<E>> listOf(Choice<E> member) {
        return new ValueType<>("a list (YAML sequence, or comma-separated) of " + member.expected()) {
            @Override
            List<E> parse(String text) {
                List<E> out = new ArrayList<>();
                for (String item : LIST.parse(text)) {
                    out.add(member.parse(item));
                }
                return List.copyOf(out);
            }

            @Override
            public String format(List<E> value) {
                return String.join(",", value.stream().map(member::format).toList());
            }
        };
    }

    /** The value type of a closed set, see {@link #enumOf}. */
    public static final class Choice<E extends Enum<E>> extends ValueType<E> {
        private final Map<String, E> spellings;
        private final List<String> canonical;

        private Choice(Map<String, E> spellings, List<String> canonical) {
            super(describe(spellings.keySet(), canonical));
            this.spellings = spellings;
            this.canonical = canonical;
        }

        private static String describe(Iterable<String> all, List<String> canonical) {
            List<String> aliases = new ArrayList<>();
            for (String s : all) {
                if (!canonical.contains(s)) {
                    aliases.add(s);
                }
            }
            return "one of " + String.join(", ", canonical)
                    + (aliases.isEmpty() ? "" : " (also accepted: " + String.join(", ", aliases) + ")");
        }

        /** A copy that also accepts {@code spelling} for {@code constant}. */
        public Choice<E> alias(String spelling, E constant) {
            Map<String, E> more = new LinkedHashMap<>(spellings);
            if (more.putIfAbsent(spelling.toLowerCase(Locale.ROOT), constant) != null) {
                throw new IllegalArgumentException("spelling '" + spelling + "' is taken");
            }
            return new Choice<>(more, canonical);
        }

        /** The canonical spellings, one per constant, in declaration order. */
        public List<String> canonical() {
            return canonical;
        }

        @Override
        E parse(String text) {
            E value = spellings.get(text.trim().toLowerCase(Locale.ROOT));
            if (value == null) {
                throw new IllegalArgumentException(expected());
            }
            return value;
        }

        @Override
        public String format(E value) {
            for (String s : canonical) {
                if (spellings.get(s) == value) {
                    return s;
                }
            }
            throw new IllegalArgumentException("not a constant of this set: " + value);
        }
    }
}
