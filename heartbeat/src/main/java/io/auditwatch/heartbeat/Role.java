package io.auditwatch.heartbeat;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * A kind of node (e.g. {@code manager}, {@code worker}, {@code registry}) and the streams every
 * node of that kind must deliver, each with its silence threshold.
 *
 * @param name the role name used by {@link NodeSpec#role()}
 * @param streams expected streams and the longest acceptable gap between two of their events
 */
public record Role(String name, Map<Stream, Duration> streams) {
    public Role {
        Objects.requireNonNull(name, "name");
        streams = streams == null || streams.isEmpty()
                ? Map.of()
                : Collections.unmodifiableMap(new EnumMap<>(streams));
    }
}
