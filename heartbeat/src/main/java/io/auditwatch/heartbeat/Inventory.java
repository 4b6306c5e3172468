package io.auditwatch.heartbeat;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The expected estate ({@code config/nodes.yaml}): roles with the streams they must deliver, and the
 * nodes with their role, overrides and address mappings. The configuration loader fills this record;
 * {@link #validate()} rejects what cannot work, naming the offending entry.
 *
 * @param roles roles by name
 * @param nodes expected nodes, names unique
 */
public record Inventory(Map<String, Role> roles, List<NodeSpec> nodes) {

    /**
     * Address or CIDR as ingest accepts it: IPv4 dotted quad or IPv6 text, optional {@code /prefix}.
     * Only the shape is checked here; ingest parses it.
     */
    private static final Pattern ADDRESS = Pattern.compile("[0-9A-Fa-f:.]+(/\\d{1,3})?");

    public Inventory {
        roles = roles == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(roles));
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
    }

    /** No expected nodes: every node is enrolled on first sight (or ignored, by policy). */
    public static Inventory empty() {
        return new Inventory(Map.of(), List.of());
    }

    /**
     * The streams a node must deliver with their thresholds: its role's, then its own overrides.
     *
     * @throws HeartbeatConfigException when the node names an unknown role
     */
    public Map<Stream, Duration> expectedStreams(NodeSpec node) {
        Map<Stream, Duration> expected = new EnumMap<>(Stream.class);
        if (node.role() != null) {
            Role role = roles.get(node.role());
            if (role == null) {
                throw new HeartbeatConfigException("nodes[" + node.name() + "].role",
                        "unknown role '" + node.role() + "' (known: " + roles.keySet() + ")");
            }
            expected.putAll(role.streams());
        }
        expected.putAll(node.thresholds());
        return expected;
    }

    /**
     * Checks the whole inventory.
     *
     * @return this, for chaining
     * @throws HeartbeatConfigException naming the first offending role, node or address
     */
    public Inventory validate() {
        for (Map.Entry<String, Role> e : roles.entrySet()) {
            if (!e.getKey().equals(e.getValue().name())) {
                throw new HeartbeatConfigException("roles." + e.getKey(), "role record is named '" + e.getValue().name() + "'");
            }
            for (Map.Entry<Stream, Duration> s : e.getValue().streams().entrySet()) {
                checkThreshold("roles." + e.getKey() + ".streams." + s.getKey().id(), s.getValue());
            }
        }
        Set<String> names = new HashSet<>();
        Map<String, String> addressOwner = new LinkedHashMap<>();
        for (NodeSpec node : nodes) {
            String path = "nodes[" + node.name() + "]";
            if (node.name().isBlank()) {
                throw new HeartbeatConfigException("nodes[]", "a node has an empty name");
            }
            if (!names.add(node.name())) {
                throw new HeartbeatConfigException(path, "listed twice");
            }
            Map<Stream, Duration> expected = expectedStreams(node);
            if (expected.isEmpty()) {
                throw new HeartbeatConfigException(path, "expects no stream: give it a role with streams or thresholds");
            }
            for (Map.Entry<Stream, Duration> s : node.thresholds().entrySet()) {
                checkThreshold(path + ".thresholds." + s.getKey().id(), s.getValue());
            }
            if (node.identity() == IdentityRule.ADDRESS && node.addresses().isEmpty()) {
                throw new HeartbeatConfigException(path + ".identity",
                        "'address' needs the node's addresses: list them under addresses, or choose certificate or hostname");
            }
            for (String address : node.addresses()) {
                if (address == null || !ADDRESS.matcher(address).matches()) {
                    throw new HeartbeatConfigException(path + ".addresses", "'" + address + "' is not an address or CIDR block");
                }
                String previous = addressOwner.putIfAbsent(address, node.name());
                if (previous != null) {
                    throw new HeartbeatConfigException(path + ".addresses",
                            "'" + address + "' is already mapped to node '" + previous + "'");
                }
            }
        }
        return this;
    }

    /** Number of (node, stream) pairs the inventory expects. */
    public int expectedStreamCount() {
        int n = 0;
        for (NodeSpec node : nodes) {
            n += expectedStreams(node).size();
        }
        return n;
    }

    private static void checkThreshold(String key, Duration d) {
        if (d == null || d.compareTo(HeartbeatSettings.MIN_THRESHOLD) < 0) {
            throw new HeartbeatConfigException(key, "threshold must be at least " + HeartbeatSettings.MIN_THRESHOLD.toSeconds()
                    + "s (the evaluation tick), not " + d);
        }
    }
}
