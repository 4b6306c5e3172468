package io.auditwatch.ingest.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** What a per-source limit counts by: IPv4 addresses one by one, IPv6 addresses by their prefix. */
class SourceKeyTest {

    @Test
    void anIpv4AddressIsItsOwnSource() throws Exception {
        assertEquals(ip("192.0.2.7"), SourceKey.of(ip("192.0.2.7"), 64));
        assertNotEquals(SourceKey.of(ip("192.0.2.7"), 64), SourceKey.of(ip("192.0.2.8"), 64));
    }

    @Test
    void everyAddressOfOneIpv6Slash64IsOneSource() throws Exception {
        InetAddress a = SourceKey.of(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), 64);
        assertEquals(ip("2001:db8:1:2::"), a);
        assertEquals(a, SourceKey.of(ip("2001:db8:1:2::1"), 64));
        assertNotEquals(a, SourceKey.of(ip("2001:db8:1:3::1"), 64));
    }

    @Test
    void thePrefixLengthIsConfigurableToTheBit() throws Exception {
        assertEquals(ip("2001:db8:1:200::"), SourceKey.of(ip("2001:db8:1:2ff:1::1"), 56));
        assertEquals(ip("2001:db8:1:2:8000::"), SourceKey.of(ip("2001:db8:1:2:ffff::1"), 65));
        assertEquals(ip("2001:db8::5"), SourceKey.of(ip("2001:db8::5"), 128));
    }

    @Test
    void anIpv4MappedIpv6AddressCountsAsItsIpv4Address() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        mapped[12] = (byte) 192;
        mapped[13] = 0;
        mapped[14] = 2;
        mapped[15] = 7;
        assertEquals(ip("192.0.2.7"), SourceKey.of(java.net.Inet6Address.getByAddress(null, mapped, -1), 64));
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }
}
