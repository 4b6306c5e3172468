package io.auditwatch.service.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a secret from its environment-only key or from the file its {@code *-file} key names.
 * Secrets never come from the command line or the configuration file, and never reach a log.
 */
public final class Secrets {
    private Secrets() {
    }

    /**
     * @return the secret, or null when neither source is set
     * @throws ConfigException naming the {@code *-file} key when its file cannot be read
     */
    public static char[] read(Config config, ConfigKey<String> envOnlyKey, ConfigKey<String> fileKey) {
        String fromEnv = config.get(envOnlyKey);
        if (!fromEnv.isEmpty()) {
            return fromEnv.toCharArray();
        }
        String file = config.get(fileKey);
        if (file.isEmpty()) {
            return null;
        }
        try {
            String s = new String(Files.readAllBytes(Path.of(file)), StandardCharsets.UTF_8);
            // Editors and `echo` add a final newline that is not part of the password.
            int end = s.length();
            while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
                end--;
            }
            return s.substring(0, end).toCharArray();
        } catch (IOException e) {
            throw config.invalid(fileKey, "cannot read the secret file '" + file + "': " + e.getClass().getSimpleName());
        }
    }
}
