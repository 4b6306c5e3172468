package io.auditwatch.ingest.fluentd;

import java.util.List;
import java.util.Objects;

/**
 * One decoded Forward request: a tag and its events.
 *
 * @param tag the request's tag (Docker: the {@code tag} log-opt, by default the container's 12-digit ID)
 * @param mode the carrier mode it arrived in
 * @param entries its events in wire order; never empty for Message mode, may be empty otherwise
 * @param chunk the {@code chunk} option: the client waits for {@code {"ack": chunk}}; null when not requested
 * @param wireBytes the request's size on the wire
 */
public record ForwardRequest(String tag, ForwardMode mode, List<ForwardEntry> entries, String chunk, int wireBytes) {
    public ForwardRequest {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(mode, "mode");
        entries = List.copyOf(entries);
    }
}
