package io.auditwatch.service.config;

import java.util.Locale;

/**
 * One configuration option: its path, what it means, its default and its type, in one place
 * (modelled on Kafka's {@code ProducerConfig}). Paths are stable: users script against them.
 *
 * @param path dotted path, e.g. {@code listeners.tcp.port}
 * @param defaultValue text form of the default, parsed by {@code type} like any other value
 * @param type parser and validator
 * @param doc one line for the reference and {@code check-config}
 * @param secret never logged; must not appear in the configuration file (environment only)
 */
public record ConfigKey<T>(String path, String defaultValue, ValueType<T> type, String doc, boolean secret) {

    /** The environment variable that overrides this key: {@code AUDITWATCH_} + path with {@code .} and {@code -} as {@code _}. */
    public String envVar() {
        return envVarFor(path);
    }

    /** The default as a typed value. */
    public T parsedDefault() {
        return type.parse(defaultValue);
    }

    static String envVarFor(String path) {
        return "AUDITWATCH_" + path.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
