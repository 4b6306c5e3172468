package io.auditwatch.service.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.auditwatch.heartbeat.HeartbeatConfigException;
import io.auditwatch.heartbeat.IdentityRule;
import io.auditwatch.heartbeat.Inventory;
import io.auditwatch.heartbeat.NodeSpec;
import io.auditwatch.heartbeat.Role;
import io.auditwatch.heartbeat.Stream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the inventory ({@code heartbeat.inventory-file}, e.g. {@code config/nodes.yaml}) into the
 * heartbeat module's records. Errors name the file, the entry and what is expected.
 */
public final class InventoryLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> TOP = Set.of("roles", "nodes");
    private static final Set<String> ROLE_FIELDS = Set.of("streams");
    private static final Set<String> NODE_FIELDS = Set.of("name", "role", "thresholds", "addresses", "identity");

    private InventoryLoader() {
    }

    /** @throws ConfigException naming {@code file}, the entry and the problem */
    public static Inventory load(Path file) {
        String f = file.toString();
        JsonNode root;
        try {
            root = YAML.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException(f, "(file)", "does not exist (heartbeat.inventory-file)");
        } catch (JacksonException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new ConfigException(f, "(file)", "is not valid YAML" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(f, "(file)", "cannot be read: " + e.getMessage());
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return Inventory.empty();
        }
        try {
            return build(f, root);
        } catch (HeartbeatConfigException e) {
            throw new ConfigException(f, e.key(), e.getMessage().startsWith(e.key() + ": ")
                    ? e.getMessage().substring(e.key().length() + 2) : e.getMessage());
        }
    }

    private static Inventory build(String f, JsonNode root) {
        requireObject(f, "(top level)", root, TOP);
        Map<String, Role> roles = new LinkedHashMap<>();
        JsonNode rs = root.path("roles");
        if (!rs.isMissingNode() && !rs.isNull()) {
            requireObject(f, "roles", rs, null);
            for (Iterator<Map.Entry<String, JsonNode>> it = rs.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String path = "roles." + e.getKey();
                requireObject(f, path, e.getValue(), ROLE_FIELDS);
                roles.put(e.getKey(), new Role(e.getKey(), thresholds(f, path + ".streams", e.getValue().path("streams"))));
            }
        }
        List<NodeSpec> nodes = new ArrayList<>();
        JsonNode ns = root.path("nodes");
        if (!ns.isMissingNode() && !ns.isNull()) {
            if (!ns.isArray()) {
                throw new ConfigException(f, "nodes", "expected a list of nodes");
            }
            for (int i = 0; i < ns.size(); i++) {
                JsonNode n = ns.get(i);
                String path = "nodes[" + i + "]";
                requireObject(f, path, n, NODE_FIELDS);
                String name = n.path("name").asText("");
                if (name.isBlank()) {
                    throw new ConfigException(f, path + ".name", "expected the node's name");
                }
                path = "nodes[" + i + "] (" + name + ")";
                String role = n.hasNonNull("role") ? n.get("role").asText() : null;
                List<String> addresses = new ArrayList<>();
                JsonNode a = n.path("addresses");
                if (a.isArray()) {
                    for (JsonNode x : a) {
                        addresses.add(x.asText());
                    }
                } else if (a.isValueNode() && !a.isNull()) {
                    addresses.add(a.asText());
                }
                nodes.add(new NodeSpec(name, role, thresholds(f, path + ".thresholds", n.path("thresholds")), addresses,
                        identity(f, path + ".identity", n.path("identity"))));
            }
        }
        return new Inventory(roles, nodes).validate();
    }

    /** The node's {@code identity:}; absent means {@link IdentityRule#HOSTNAME}. */
    private static IdentityRule identity(String file, String path, JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return IdentityRule.HOSTNAME;
        }
        IdentityRule rule = node.isTextual() ? IdentityRule.byId(node.asText()) : null;
        if (rule == null) {
            throw new ConfigException(file, path, "expected certificate, address or hostname, got '" + node.asText() + "'");
        }
        return rule;
    }

    private static Map<Stream, Duration> thresholds(String file, String path, JsonNode node) {
        Map<Stream, Duration> out = new EnumMap<>(Stream.class);
        if (node.isMissingNode() || node.isNull()) {
            return out;
        }
        requireObject(file, path, node, null);
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Stream s;
            try {
                s = Keys.STREAM.parse(e.getKey());
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(file, path + "." + e.getKey(), "unknown stream; expected " + Keys.STREAM.expected());
            }
            try {
                out.put(s, ValueType.DURATION.parse(e.getValue().asText()));
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(file, path + "." + e.getKey(),
                        "expected " + ValueType.DURATION.expected() + ", got '" + e.getValue().asText() + "'");
            }
        }
        return out;
    }

    private static void requireObject(String file, String path, JsonNode node, Set<String> allowed) {
        if (!node.isObject()) {
            throw new ConfigException(file, path, "expected a mapping");
        }
        if (allowed != null) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!allowed.contains(k)) {
                    throw new ConfigException(file, path + "." + k, "unknown key; known keys here: " + String.join(", ",
                            new java.util.TreeSet<>(allowed)));
                }
            }
        }
    }
}
