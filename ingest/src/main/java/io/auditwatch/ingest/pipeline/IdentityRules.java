package io.auditwatch.ingest.pipeline;

import io.auditwatch.heartbeat.IdentityRule;
import io.auditwatch.heartbeat.Inventory;
import io.auditwatch.heartbeat.NodeSpec;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The inventory's identity rules ({@code identity:} per node) and {@code listeners.require-identity}.
 * A name designates an inventory node when it is the node's name ignoring case, or either one is the
 * other's first DNS label ({@code node-7} and {@code node-7.example.org}): a claim written
 * differently still names the node it imitates.
 */
public final class IdentityRules {
    /** No node has a rule but the default, and HOSTNAME claims are accepted: the behaviour without an inventory. */
    public static final IdentityRules NONE = new IdentityRules(Map.of(), Map.of(), false);

    /** A protected node (rule other than hostname) as a claim resolves to it. */
    record Node(String name, IdentityRule rule) {
    }

    /** Lower-case name to protected node. */
    private final Map<String, Node> byName;
    /** Lower-case first DNS label to protected node, for labels only one node has. */
    private final Map<String, Node> byLabel;
    private final boolean requireIdentity;

    private IdentityRules(Map<String, Node> byName, Map<String, Node> byLabel, boolean requireIdentity) {
        this.byName = byName;
        this.byLabel = byLabel;
        this.requireIdentity = requireIdentity;
    }

    /**
     * @param requireIdentity {@code listeners.require-identity}: every node must be recognised by a
     *     certificate or an address, a HOSTNAME alone never names one
     */
    public static IdentityRules of(Inventory inventory, boolean requireIdentity) {
        Map<String, Node> byName = new HashMap<>();
        Map<String, Node> byLabel = new HashMap<>();
        Set<String> sharedLabels = new HashSet<>();
        for (NodeSpec n : inventory.nodes()) {
            if (n.identity() == IdentityRule.HOSTNAME) {
                continue;
            }
            Node node = new Node(n.name(), n.identity());
            byName.put(n.name().toLowerCase(Locale.ROOT), node);
            String label = NodeResolver.firstLabel(n.name()).toLowerCase(Locale.ROOT);
            if (byLabel.putIfAbsent(label, node) != null) {
                sharedLabels.add(label);
            }
        }
        sharedLabels.forEach(byLabel::remove);
        return new IdentityRules(Map.copyOf(byName), Map.copyOf(byLabel), requireIdentity);
    }

    public boolean requireIdentity() {
        return requireIdentity;
    }

    /** The protected node {@code name} designates, or null when it names none (or one recognised by HOSTNAME). */
    Node protectedNode(String name) {
        if (byName.isEmpty()) {
            return null;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        Node n = byName.get(lower);
        return n != null ? n : byLabel.get(NodeResolver.firstLabel(lower));
    }
}
