package io.auditwatch.ingest.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.auditwatch.ingest.envelope.NodeSource;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeResolverTest {
    static final InetSocketAddress SENDER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);
    static final NodeResolver.AddressMap INVENTORY = a -> a.getHostAddress().equals("10.0.0.7") ? "node-7" : null;

    final NodeResolver resolver = new NodeResolver(INVENTORY);

    @Test
    void certificateWinsOverEverything() {
        var id = resolver.resolve("node-1.example.org", new InetSocketAddress("10.0.0.7", 1), "node-2");
        assertEquals(new NodeResolver.Identity("node-1.example.org", NodeSource.CERTIFICATE), id);
    }

    @Test
    void inventoryAddressWinsOverHostname() {
        var id = resolver.resolve(null, new InetSocketAddress("10.0.0.7", 1), "node-2");
        assertEquals(new NodeResolver.Identity("node-7", NodeSource.INVENTORY), id);
    }

    @Test
    void hostnameWhenNothingStronger() {
        assertEquals(new NodeResolver.Identity("node-2", NodeSource.HOSTNAME), resolver.resolve(null, SENDER, "node-2"));
    }

    @Test
    void addressWhenNoHostname() {
        assertEquals(new NodeResolver.Identity("127.0.0.1", NodeSource.ADDRESS), resolver.resolve(null, SENDER, null));
        assertEquals(new NodeResolver.Identity("127.0.0.1", NodeSource.ADDRESS), resolver.resolve("", SENDER, ""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "LOCALHOST", "localhost.localdomain", "localhost6", "ip6-localhost", "ip6-loopback"})
    void aLoopbackHostnameIsNoIdentity(String hostname) {
        assertEquals(new NodeResolver.Identity("127.0.0.1", NodeSource.ADDRESS), resolver.resolve(null, SENDER, hostname));
    }

    @Test
    void aHostnameThatOnlyStartsWithLocalhostIsAName() {
        assertEquals(NodeSource.HOSTNAME, resolver.resolve(null, SENDER, "localhost-builder").source());
    }
}
