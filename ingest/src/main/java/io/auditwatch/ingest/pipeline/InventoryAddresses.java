package io.auditwatch.ingest.pipeline;

import io.auditwatch.heartbeat.Inventory;
import io.auditwatch.heartbeat.NodeSpec;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The inventory's mapping of source addresses and CIDR blocks to node names, for senders whose
 * messages carry no usable HOSTNAME (Docker's default format). The most specific block wins.
 */
public final class InventoryAddresses implements NodeResolver.AddressMap {
    private record Entry(IpSubnetFilterRule rule, int bits, String node) {
    }

    private final List<Entry> entries;

    private InventoryAddresses(List<Entry> entries) {
        this.entries = entries;
    }

    /** @throws IllegalArgumentException naming the node whose address is not an address or CIDR block */
    public static InventoryAddresses of(Inventory inventory) {
        List<Entry> out = new ArrayList<>();
        for (NodeSpec n : inventory.nodes()) {
            for (String a : n.addresses()) {
                String s = a.trim();
                int slash = s.indexOf('/');
                String addr = slash < 0 ? s : s.substring(0, slash);
                try {
                    int bits = slash < 0 ? (addr.contains(":") ? 128 : 32) : Integer.parseInt(s.substring(slash + 1));
                    out.add(new Entry(new IpSubnetFilterRule(addr, bits, IpFilterRuleType.ACCEPT), bits, n.name()));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("node " + n.name() + ": '" + s + "' is not an address or CIDR block");
                }
            }
        }
        out.sort(Comparator.comparingInt(Entry::bits).reversed());
        return new InventoryAddresses(List.copyOf(out));
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    @Override
    public String nodeFor(InetAddress address) {
        if (entries.isEmpty()) {
            return null;
        }
        InetSocketAddress sa = new InetSocketAddress(address, 0);
        for (Entry e : entries) {
            if (e.rule().matches(sa)) {
                return e.node();
            }
        }
        return null;
    }
}
