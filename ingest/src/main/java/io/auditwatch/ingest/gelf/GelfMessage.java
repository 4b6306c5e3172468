package io.auditwatch.ingest.gelf;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One GELF message (GELF 1.1 payload specification).
 *
 * @param host the {@code host} field (Docker: the Docker host's name)
 * @param shortMessage {@code short_message} (Docker: the container's line, without its newline)
 * @param fullMessage {@code full_message}, or null (Docker never sends it)
 * @param timestamp {@code timestamp} (seconds since the epoch, Docker: millisecond precision), or null
 * @param level {@code level}, a syslog severity 0..7 (Docker: 6 for stdout, 3 for stderr), or -1 when absent
 * @param additional the {@code _}-prefixed fields with the prefix removed, values as text (Docker:
 *     {@code container_id}, {@code container_name}, {@code image_id}, {@code image_name},
 *     {@code command}, {@code tag}, {@code created}, and the labels and env named by log-opts)
 * @param utf8Valid false when the payload was not well-formed UTF-8
 * @param raw the JSON payload exactly as received, after dechunking and decompression
 */
public record GelfMessage(String host, String shortMessage, String fullMessage, Instant timestamp, int level,
        Map<String, String> additional, boolean utf8Valid, byte[] raw) {
    public GelfMessage {
        Objects.requireNonNull(shortMessage, "shortMessage");
        additional = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(additional));
        Objects.requireNonNull(raw, "raw");
    }
}
