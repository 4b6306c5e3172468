package io.auditwatch.ingest.transport;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * What per-source limits count by: an IPv4 address as it is, an IPv6 address cut to its prefix
 * ({@code listeners.ipv6-source-prefix}, a /64 by default). RFC 4291 section 2.5.4 gives every IPv6
 * subnet a 64-bit interface identifier, so one host (or one hostile customer) holds a whole /64 and
 * can connect from 2^64 addresses: counted per full address, a per-source cap would not hold it.
 * An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}, RFC 4291 section 2.5.5.2) counts as its IPv4 address.
 */
final class SourceKey {
    /** RFC 4291 section 2.5.4: the interface identifier of a unicast address is 64 bits. */
    static final int DEFAULT_IPV6_PREFIX = 64;

    private SourceKey() {
    }

    /**
     * @param ipv6Prefix prefix length 1-128 applied to IPv6 sources
     * @return the address with every bit beyond the prefix cleared (IPv6), or the IPv4 address
     */
    static InetAddress of(InetAddress address, int ipv6Prefix) {
        if (address instanceof Inet4Address) {
            return address;
        }
        byte[] b = address.getAddress();
        if (isIpv4Mapped(b)) {
            return byAddress(Arrays.copyOfRange(b, 12, 16));
        }
        int full = ipv6Prefix / 8;
        int rest = ipv6Prefix % 8;
        if (full < b.length && rest > 0) {
            b[full] &= (byte) (0xFF << (8 - rest));
            full++;
        }
        Arrays.fill(b, Math.min(full, b.length), b.length, (byte) 0);
        // No scope id: link-local sources of one prefix on different interfaces count together.
        return byAddress(b);
    }

    private static boolean isIpv4Mapped(byte[] b) {
        if (b.length != 16 || b[10] != (byte) 0xFF || b[11] != (byte) 0xFF) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static InetAddress byAddress(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 4 or 16 bytes are always an address
        }
    }
}
