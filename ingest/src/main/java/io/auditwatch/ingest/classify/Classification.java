package io.auditwatch.ingest.classify;

import io.auditwatch.heartbeat.Stream;
import io.auditwatch.heartbeat.compliance.ComplianceSignal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
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
 *     unmodifiable, empty when nothing was parsed; the keys per stream are listed in ingest/README.md
 * @param shortfall why parsing fell short of the full field set, or null when it did not
 * @param parseNote human-readable detail for {@code shortfall} (never message content), or null
 * @param compliance what an auditd record tells heartbeat's compliance tracking (a v=2 pulse's rule
 *     state, a change auditd recorded), or null
 */
public record Classification(
        Stream stream,
        String component,
        String containerName,
        String containerId,
        boolean pulse,
        Map<String, Object> fields,
        ParseShortfall shortfall,
        String parseNote,
        ComplianceSignal compliance) {

    public Classification {
        Objects.requireNonNull(stream, "stream");
        fields = fields == null ? Map.of() : deepUnmodifiable(fields);
    }

    /** A classification that carries no compliance signal (everything but auditd records). */
    public Classification(Stream stream, String component, String containerName, String containerId, boolean pulse,
            Map<String, Object> fields, ParseShortfall shortfall, String parseNote) {
        this(stream, component, containerName, containerId, pulse, fields, shortfall, parseNote, null);
    }

    /** Wraps nested maps and lists too, so the record is immutable all the way down. */
    @SuppressWarnings("unchecked")
    private static <T> T deepUnmodifiable(T value) {
        if (value instanceof Map<?, ?> m) {
            Map<Object, Object> copy = new LinkedHashMap<>(m);
            copy.replaceAll((k, v) -> deepUnmodifiable(v));
            return (T) Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> l) {
            List<Object> copy = new ArrayList<>(l);
            copy.replaceAll(Classification::deepUnmodifiable);
            return (T) Collections.unmodifiableList(copy);
        }
        return value;
    }

    /** True when the text was recognised and parsed without a shortfall. */
    public boolean parsed() {
        return shortfall == null;
    }
}
