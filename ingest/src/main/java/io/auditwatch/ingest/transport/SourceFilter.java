package io.auditwatch.ingest.transport;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The allowed-sources list of a plain TCP or UDP listener: CIDR blocks ({@code 10.0.0.0/8},
 * {@code 2001:db8::/32}) or single addresses. An empty list allows every source.
 */
public final class SourceFilter {
    private final List<IpSubnetFilterRule> rules;
    private final List<String> text;

    private SourceFilter(List<IpSubnetFilterRule> rules, List<String> text) {
        this.rules = rules;
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
        List<IpSubnetFilterRule> rules = new ArrayList<>();
        for (String c : cidrs) {
            String s = c.trim();
            int slash = s.indexOf('/');
            String addr = slash < 0 ? s : s.substring(0, slash);
            int bits;
            try {
                bits = slash < 0 ? (addr.contains(":") ? 128 : 32) : Integer.parseInt(s.substring(slash + 1));
                if (!isLiteral(addr)) {
                    throw new IllegalArgumentException(s);
                }
                rules.add(new IpSubnetFilterRule(addr, bits, IpFilterRuleType.ACCEPT));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("'" + s + "' is not an IP address or CIDR block like 10.0.0.0/8");
            }
        }
        return new SourceFilter(List.copyOf(rules), List.copyOf(cidrs));
    }

    /** Accepts only numeric literals: a host name here would make every check a DNS lookup. */
    private static boolean isLiteral(String addr) {
        return !addr.isEmpty() && (addr.indexOf(':') >= 0 || addr.chars().allMatch(ch -> ch == '.' || Character.isDigit(ch)));
    }

    public boolean allows(InetSocketAddress remote) {
        if (rules.isEmpty()) {
            return true;
        }
        for (IpSubnetFilterRule r : rules) {
            if (r.matches(remote)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return rules.isEmpty() ? "any" : String.join(",", text);
    }
}
