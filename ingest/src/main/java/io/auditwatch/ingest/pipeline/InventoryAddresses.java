package io.auditwatch.ingest.pipeline;

import io.auditwatch.heartbeat.Inventory;
import io.auditwatch.heartbeat.NodeSpec;
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
    private record Entry(Cidr block, String node) {
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
                try {
                    out.add(new Entry(Cidr.parse(a), n.name()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("node " + n.name() + ": " + e.getMessage());
                }
            }
        }
        out.sort(Comparator.comparingInt((Entry e) -> e.block().bits()).reversed());
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
            if (e.block().matches(sa)) {
                return e.node();
            }
        }
        return null;
    }

    @Override
    public boolean inAddressesOf(String node, InetAddress address) {
        InetSocketAddress sa = new InetSocketAddress(address, 0);
        for (Entry e : entries) {
            if (e.node().equals(node) && e.block().matches(sa)) {
                return true;
            }
        }
        return false;
    }
}
