package io.auditwatch.heartbeat;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One expected node of the inventory.
 *
 * @param name the node identity as ingest resolves it (certificate identity, mapped address, or
 *     syslog HOSTNAME); also the Kafka record key of its events
 * @param role name of a {@link Role}, or null for a node with only its own {@code thresholds}
 * @param thresholds per-node overrides: replaces the role's threshold for a stream, or adds a stream
 *     the role does not list
 * @param addresses source addresses or CIDR blocks ({@code 10.0.0.11}, {@code 10.0.1.0/28},
 *     {@code fd00::/64}) that ingest maps to this node when the message names no usable host; kept
 *     as strings, matched by ingest
 * @param identity how the node must be recognised; {@link IdentityRule#HOSTNAME} when the inventory
 *     says nothing
 */
public record NodeSpec(String name, String role, Map<Stream, Duration> thresholds, List<String> addresses,
        IdentityRule identity) {
    /** A node recognised by the default rule, {@link IdentityRule#HOSTNAME}. */
    public NodeSpec(String name, String role, Map<Stream, Duration> thresholds, List<String> addresses) {
        this(name, role, thresholds, addresses, IdentityRule.HOSTNAME);
    }

    public NodeSpec {
        Objects.requireNonNull(name, "name");
        identity = identity == null ? IdentityRule.HOSTNAME : identity;
        thresholds = thresholds == null || thresholds.isEmpty()
                ? Map.of()
                : Collections.unmodifiableMap(new EnumMap<>(thresholds));
        addresses = addresses == null ? List.of() : List.copyOf(addresses);
    }
}
