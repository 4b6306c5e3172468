package io.auditwatch.service.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Kafka client settings for a production cluster ({@code security.protocol}, {@code ssl.*},
 * {@code sasl.*}, ...) from the Java properties file {@code kafka.client-properties-file}: a file,
 * so that passwords in it stay out of the configuration and the command line.
 */
public final class KafkaClientProperties {
    private KafkaClientProperties() {
    }

    /** The settings, or an empty map when no file is configured. */
    public static Map<String, String> read(Config config) {
        String file = config.get(Keys.KAFKA_CLIENT_PROPERTIES);
        Map<String, String> out = new TreeMap<>();
        if (file.isEmpty()) {
            return out;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw config.invalid(Keys.KAFKA_CLIENT_PROPERTIES, "cannot read '" + file + "': " + e.getClass().getSimpleName());
        }
        for (String k : p.stringPropertyNames()) {
            if (k.equals("bootstrap.servers")) {
                throw config.invalid(Keys.KAFKA_CLIENT_PROPERTIES, "'" + file + "' sets bootstrap.servers; use kafka.bootstrap-servers");
            }
            out.put(k, p.getProperty(k));
        }
        return out;
    }
}
