package io.auditwatch.service.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The validated configuration: every key of {@link Keys#ALL} has a typed value and an origin
 * (the file, an environment variable, or the built-in default). Immutable.
 */
public final class Config {
    private final Map<String, Object> values;
    private final Map<String, String> origins;
    private final String file;

    Config(Map<String, Object> values, Map<String, String> origins, String file) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.origins = Collections.unmodifiableMap(new LinkedHashMap<>(origins));
        this.file = file;
    }

    @SuppressWarnings("unchecked")
    public <T> T get(ConfigKey<T> key) {
        Object v = values.get(key.path());
        if (v == null) {
            throw new IllegalStateException("key not registered in Keys.ALL: " + key.path());
        }
        return (T) v;
    }

    /**
     * The entries under a map prefix of {@link Keys#MAP_PREFIXES}, e.g. every role under
     * {@code alerting.recipients}, name to list.
     */
    @SuppressWarnings("unchecked")
    public Map<String, List<String>> map(String prefix) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        String p = prefix + ".";
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (e.getKey().startsWith(p) && e.getKey().indexOf('.', p.length()) < 0 && e.getValue() instanceof List<?>) {
                out.put(e.getKey().substring(p.length()), (List<String>) e.getValue());
            }
        }
        return out;
    }

    /** Where a value came from, by path (for map entries). */
    public String origin(String path) {
        return origins.getOrDefault(path, "default");
    }

    /** Where the value of {@code key} came from: a file path, {@code environment VAR}, or {@code default}. */
    public String origin(ConfigKey<?> key) {
        return origins.get(key.path());
    }

    /** The configuration file that was read, or null when none was. */
    public String file() {
        return file;
    }

    /** A {@link ConfigException} for a value that parsed but does not fit with others. */
    public ConfigException invalid(ConfigKey<?> key, String problem) {
        return new ConfigException(origin(key), key.path(), problem);
    }

    /** The value of {@code key} in its configuration-file form. */
    public <T> String formatted(ConfigKey<T> key) {
        return key.type().format(get(key));
    }

    /**
     * The effective configuration, one {@code key = value (origin)} line per key, secrets
     * redacted, for the start-up log and {@code check-config}.
     */
    public List<String> describe() {
        return Keys.ALL.stream().map(k -> {
            Object v = values.get(k.path());
            String shown;
            if (k.secret()) {
                shown = v == null || v.toString().isEmpty() ? "(not set)" : "(set, redacted)";
            } else {
                shown = formatted(k);
            }
            return k.path() + " = " + (shown.isEmpty() ? "\"\"" : shown) + "  (" + origins.get(k.path()) + ")";
        }).toList();
    }
}
