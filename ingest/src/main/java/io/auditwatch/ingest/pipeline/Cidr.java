package io.auditwatch.ingest.pipeline;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import java.net.InetSocketAddress;

/**
 * An address or CIDR block as configuration writes it ({@code 10.0.0.0/8}, {@code 2001:db8::/32},
 * {@code 10.20.0.11}): the listeners' allowed sources and the inventory's address mappings.
 *
 * @param bits the prefix length, 32 or 128 for a single address (the more, the more specific)
 */
public record Cidr(IpSubnetFilterRule rule, int bits) {

    /**
     * @throws IllegalArgumentException when {@code text} is not a numeric address with an optional
     *     prefix length: a host name here would make every check a DNS lookup
     */
    public static Cidr parse(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        try {
            if (!isLiteral(addr)) {
                throw new IllegalArgumentException(s);
            }
            int bits = slash < 0 ? (addr.contains(":") ? 128 : 32) : Integer.parseInt(s.substring(slash + 1));
            return new Cidr(new IpSubnetFilterRule(addr, bits, IpFilterRuleType.ACCEPT), bits);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + s + "' is not an IP address or CIDR block like 10.0.0.0/8");
        }
    }

    public boolean matches(InetSocketAddress remote) {
        return rule.matches(remote);
    }

    private static boolean isLiteral(String addr) {
        return !addr.isEmpty() && (addr.indexOf(':') >= 0 || addr.chars().allMatch(ch -> ch == '.' || Character.isDigit(ch)));
    }
}
