package io.auditwatch.ingest.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.auditwatch.ingest.envelope.NodeSource;
import io.auditwatch.heartbeat.IdentityRule;
import io.auditwatch.heartbeat.Inventory;
import io.auditwatch.heartbeat.NodeSpec;
import io.auditwatch.heartbeat.Stream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
        assertEquals(new NodeResolver.Identity("node-1.example.org", NodeSource.CERTIFICATE, "node-2",
                IdentityMismatch.CERTIFICATE_DIFFERS), id);
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

    // ---- identity rules (heartbeat/README.md, "Identity rules")

    static final Inventory PROTECTED = new Inventory(Map.of(), List.of(
            new NodeSpec("ucp-manager-1", null, Map.of(Stream.AUDITD, Duration.ofMinutes(15)), List.of(), IdentityRule.CERTIFICATE),
            new NodeSpec("wrk-9.example.org", null, Map.of(Stream.AUDITD, Duration.ofMinutes(15)), List.of("10.0.9.0/29"),
                    IdentityRule.ADDRESS),
            new NodeSpec("wrk-10", null, Map.of(Stream.AUDITD, Duration.ofMinutes(15)), List.of("10.0.10.1"))));
    static final InetSocketAddress ELSEWHERE = new InetSocketAddress("10.0.5.5", 514);
    static final InetSocketAddress WRK_9 = new InetSocketAddress("10.0.9.3", 514);
    static final InetSocketAddress WRK_10 = new InetSocketAddress("10.0.10.1", 514);

    final NodeResolver rules = new NodeResolver(InventoryAddresses.of(PROTECTED), IdentityRules.of(PROTECTED, false));

    @Test
    void aHostnameClaimOfACertificateNodeIsAttributedToTheSendersAddress() {
        assertEquals(new NodeResolver.Identity("10.0.5.5", NodeSource.ADDRESS, "ucp-manager-1",
                IdentityMismatch.CERTIFICATE_REQUIRED), rules.resolve(null, ELSEWHERE, "ucp-manager-1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"UCP-MANAGER-1", "ucp-manager-1.example.org", "ucp-manager-1."})
    void aClaimWrittenDifferentlyStillNamesTheProtectedNode(String hostname) {
        var id = rules.resolve(null, ELSEWHERE, hostname);
        assertEquals(IdentityMismatch.CERTIFICATE_REQUIRED, id.mismatch());
        assertEquals("10.0.5.5", id.node());
    }

    @Test
    void theCertificateNamingTheNodeMeetsTheCertificateRule() {
        assertEquals(new NodeResolver.Identity("ucp-manager-1.example.org", NodeSource.CERTIFICATE),
                rules.resolve("ucp-manager-1.example.org", ELSEWHERE, "ucp-manager-1"));
    }

    @Test
    void anotherCertificateClaimingACertificateNodeIsAttributedToItsOwnName() {
        assertEquals(new NodeResolver.Identity("wrk-4", NodeSource.CERTIFICATE, "ucp-manager-1",
                IdentityMismatch.CERTIFICATE_REQUIRED), rules.resolve("wrk-4", ELSEWHERE, "ucp-manager-1"));
    }

    @Test
    void aCertificateWritingAnUnprotectedHostnameIsTheOldBenignMismatch() {
        assertEquals(new NodeResolver.Identity("wrk-4", NodeSource.CERTIFICATE, "wrk-5", IdentityMismatch.CERTIFICATE_DIFFERS),
                rules.resolve("wrk-4", ELSEWHERE, "wrk-5"));
        assertEquals(new NodeResolver.Identity("wrk-4", NodeSource.CERTIFICATE), rules.resolve("wrk-4", ELSEWHERE, "WRK-4.example.org"));
    }

    @Test
    void theInventoryAddressOfACertificateNodeIsNotEnough() {
        Inventory inv = new Inventory(Map.of(), List.of(new NodeSpec("mgr", null, Map.of(Stream.AUDITD, Duration.ofMinutes(1)),
                List.of("10.0.1.1"), IdentityRule.CERTIFICATE)));
        NodeResolver r = new NodeResolver(InventoryAddresses.of(inv), IdentityRules.of(inv, false));
        var from = new InetSocketAddress("10.0.1.1", 514);
        assertEquals(new NodeResolver.Identity("10.0.1.1", NodeSource.ADDRESS, "mgr", IdentityMismatch.CERTIFICATE_REQUIRED),
                r.resolve(null, from, null));
        assertEquals(new NodeResolver.Identity("mgr", NodeSource.CERTIFICATE), r.resolve("mgr", from, "mgr"));
    }

    @Test
    void anAddressNodeIsOnlyItsAddresses() {
        assertEquals(new NodeResolver.Identity("wrk-9.example.org", NodeSource.INVENTORY), rules.resolve(null, WRK_9, "wrk-9"));
        assertEquals(new NodeResolver.Identity("10.0.5.5", NodeSource.ADDRESS, "wrk-9", IdentityMismatch.ADDRESS_REQUIRED),
                rules.resolve(null, ELSEWHERE, "wrk-9"));
        // A certificate naming it, from elsewhere, is not it either.
        assertEquals(new NodeResolver.Identity("10.0.5.5", NodeSource.ADDRESS, "wrk-9.example.org",
                IdentityMismatch.ADDRESS_REQUIRED), rules.resolve("wrk-9.example.org", ELSEWHERE, null));
    }

    @Test
    void aMappedSenderClaimingAProtectedNodeKeepsItsOwnNodeAndIsFlagged() {
        assertEquals(new NodeResolver.Identity("wrk-10", NodeSource.INVENTORY, "wrk-9", IdentityMismatch.ADDRESS_REQUIRED),
                rules.resolve(null, WRK_10, "wrk-9"));
        // Writing an unprotected name is today's Docker case: the mapping decides, nothing is flagged.
        assertEquals(new NodeResolver.Identity("wrk-10", NodeSource.INVENTORY), rules.resolve(null, WRK_10, "some-name"));
    }

    @Test
    void unprotectedNodesKeepTodaysHostnameRule() {
        assertEquals(new NodeResolver.Identity("wrk-11", NodeSource.HOSTNAME), rules.resolve(null, ELSEWHERE, "wrk-11"));
        assertEquals(new NodeResolver.Identity("wrk-10", NodeSource.HOSTNAME), rules.resolve(null, ELSEWHERE, "wrk-10"));
    }

    @Test
    void requireIdentityMakesEveryHostnameOnlyClaimAMismatch() {
        NodeResolver strict = new NodeResolver(InventoryAddresses.of(PROTECTED), IdentityRules.of(PROTECTED, true));
        assertEquals(new NodeResolver.Identity("10.0.5.5", NodeSource.ADDRESS, "wrk-11", IdentityMismatch.IDENTITY_REQUIRED),
                strict.resolve(null, ELSEWHERE, "wrk-11"));
        assertEquals(new NodeResolver.Identity("wrk-10", NodeSource.INVENTORY), strict.resolve(null, WRK_10, "wrk-10"));
        assertEquals(new NodeResolver.Identity("wrk-11", NodeSource.CERTIFICATE), strict.resolve("wrk-11", ELSEWHERE, "wrk-11"));
        assertEquals(new NodeResolver.Identity("10.0.5.5", NodeSource.ADDRESS), strict.resolve(null, ELSEWHERE, null));
    }
}
