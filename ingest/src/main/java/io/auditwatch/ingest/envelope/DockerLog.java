package io.auditwatch.ingest.envelope;

import java.util.Map;

/**
 * What Docker's fluentd or gelf driver said about the container, field by field as sent (the
 * mapping is in ingest/README.md, "Docker's fluentd and gelf drivers"). Null fields were not sent.
 *
 * @param driver {@code fluentd} or {@code gelf}
 * @param source {@code stdout} or {@code stderr} (fluentd {@code source}; gelf {@code level} 6 or 3)
 * @param containerId the full 64-digit container ID
 * @param containerName the container's name (fluentd sends Docker's leading {@code /}, gelf does not)
 * @param imageName gelf {@code _image_name}; fluentd sends none
 * @param imageId gelf {@code _image_id}
 * @param tag the tag log-opt's value (fluentd: the request's tag; gelf: {@code _tag})
 * @param chunk the fluentd chunk id this event was acknowledged under, or null; a chunk the driver
 *     sent again after a lost ack carries the same id, which is how such duplicates are recognised
 * @param partial for one piece of a line Docker cut at 16 KiB that was stored as a piece (fluentd
 *     with acknowledgements), its place in the line; null otherwise
 * @param extra every other field the driver sent (labels, env, gelf's {@code command} and {@code created})
 */
public record DockerLog(String driver, String source, String containerId, String containerName, String imageName,
        String imageId, String tag, String chunk, Partial partial, Map<String, String> extra) {

    /** Docker's partial-message metadata: the line's id, this piece's 1-based ordinal, and whether it is the last. */
    public record Partial(String id, int ordinal, boolean last) {
    }

    public DockerLog {
        extra = extra == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(extra));
    }
}
