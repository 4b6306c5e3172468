package io.auditwatch.ingest.transport;

import io.auditwatch.ingest.pipeline.Cidr;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The allowed-sources list of a plain TCP or UDP listener: CIDR blocks ({@code 10.0.0.0/8},
 * {@code 2001:db8::/32}) or single addresses. An empty list allows every source.
 */
public final class SourceFilter {
    private final List<Cidr> blocks;
    private final List<String> text;

    private SourceFilter(List<Cidr> blocks, List<String> text) {
        this.blocks = blocks;
        this.text = text;
    }

    public static final SourceFilter ALLOW_ALL = new SourceFilter(List.of(), List.of());

    /**
     * @throws IllegalArgumentException naming the entry that is not an address or CIDR block
     */
    public static SourceFilter of(List<String> cidrs) {
        if (cidrs.isEmpty()) {
            return ALLOW_ALL;
        }
        List<Cidr> blocks = new ArrayList<>();
        for (String c : cidrs) {
            blocks.add(Cidr.parse(c));
        }
        return new SourceFilter(List.copyOf(blocks), List.copyOf(cidrs));
    }

    public boolean allows(InetSocketAddress remote) {
        if (blocks.isEmpty()) {
            return true;
        }
        for (Cidr b : blocks) {
            if (b.matches(remote)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return blocks.isEmpty() ? "any" : String.join(",", text);
    }
}
