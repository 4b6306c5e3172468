package io.auditwatch.ingest.classify;

import io.auditwatch.heartbeat.Stream;
import java.util.Map;
import java.util.Objects;

/**
 * What one syslog message is: the stream heartbeat tracks it under, the Docker component and
 * container that produced it, and the fields parsed from its text for the envelope. The raw message
 * is never part of this value; the envelope keeps it unchanged beside these fields.
 *
 * @param stream never null; {@link Stream#OTHER} when nothing matched
 * @param component the producing component from the bounded set in {@link Components}
 *     ({@code ucp-controller}, {@code dtr-api}, {@code dockerd}, {@code audisp-syslog}, ...), or
 *     null when unknown
 * @param containerName the container name taken from the Docker tag, or null
 * @param containerId the 12- or 64-hex-digit container ID taken from the Docker tag, or null
 * @param pulse true for an auditwatch liveness pulse ({@code auditctl -m "auditwatch-pulse"})
 * @param fields parsed fields, JSON-serialisable (String, Long, Integer, Boolean, List, Map, null);
 *     unmodifiable, empty when nothing was parsed; the keys per stream are listed in the README
 * @param shortfall why parsing fell short of the full field set, or null when it did not
 * @param parseNote human-readable detail for {@code shortfall} (never message content), or null
 */
public record Classification(
        Stream stream,
        String component,
        String containerName,
        String containerId,
        boolean pulse,
        Map<String, Object> fields,
        ParseShortfall shortfall,
        String parseNote) {

    public Classification {
        Objects.requireNonNull(stream, "stream");
        fields = fields == null ? Map.of() : java.util.Collections.unmodifiableMap(fields);
    }

    /** True when the text was recognised and parsed without a shortfall. */
    public boolean parsed() {
        return shortfall == null;
    }
}
