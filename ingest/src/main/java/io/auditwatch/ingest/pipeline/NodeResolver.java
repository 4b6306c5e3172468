package io.auditwatch.ingest.pipeline;

import io.auditwatch.heartbeat.IdentityRule;
import io.auditwatch.ingest.envelope.NodeSource;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Decides an event's node identity, strongest rule first (ingest/DESIGN.md, Decisions): the TLS client
 * certificate's identity, the inventory's mapping of the source address, the syslog HOSTNAME (unless
 * it is {@code localhost}), the sender's address. Then applies the inventory's identity rules
 * (heartbeat/README.md, "Identity rules"): a node named without meeting its rule is not that node; the
 * event is attributed to the sender's address and the named node kept as the claim.
 */
public final class NodeResolver {
    /**
     * The resolved identity and the rule that decided it.
     *
     * @param claimed the node the event named when it differs from {@code node}, else null
     * @param mismatch why {@code claimed} is not {@code node}, else null
     */
    public record Identity(String node, NodeSource source, String claimed, IdentityMismatch mismatch) {
        public Identity(String node, NodeSource source) {
            this(node, source, null, null);
        }
    }

    /** Maps a sender address to a node name from the inventory; null when unmapped. */
    @FunctionalInterface
    public interface AddressMap {
        String nodeFor(InetAddress address);

        /**
         * Whether {@code address} lies in one of {@code node}'s own addresses, even where a more
         * specific block of another node maps it elsewhere.
         */
        default boolean inAddressesOf(String node, InetAddress address) {
            return node.equals(nodeFor(address));
        }

        AddressMap NONE = a -> null;
    }

    private final AddressMap addresses;
    private final IdentityRules rules;

    public NodeResolver(AddressMap addresses) {
        this(addresses, IdentityRules.NONE);
    }

    public NodeResolver(AddressMap addresses, IdentityRules rules) {
        this.addresses = addresses;
        this.rules = rules;
    }

    public Identity resolve(String certificateIdentity, InetSocketAddress remote, String hostname) {
        InetAddress from = remote == null ? null : remote.getAddress();
        String certificate = certificateIdentity == null || certificateIdentity.isEmpty() ? null : certificateIdentity;
        String claim = hostname == null || hostname.isEmpty() || isLoopbackName(hostname) ? null : hostname;
        String node;
        NodeSource source;
        String mapped;
        if (certificate != null) {
            node = certificate;
            source = NodeSource.CERTIFICATE;
        } else if (from != null && (mapped = addresses.nodeFor(from)) != null) {
            node = mapped;
            source = NodeSource.INVENTORY;
        } else if (claim != null) {
            node = claim;
            source = NodeSource.HOSTNAME;
        } else {
            return new Identity(addressText(remote), NodeSource.ADDRESS);
        }
        IdentityMismatch broken = unmet(node, source, certificate, from);
        if (broken != null) {
            return new Identity(addressText(remote), NodeSource.ADDRESS, node, broken);
        }
        if (claim != null && source != NodeSource.HOSTNAME && !sameHost(node, claim)) {
            IdentityRules.Node claimed = rules.protectedNode(claim);
            if (claimed != null && !meets(claimed, certificate, from)) {
                return new Identity(node, source, claim, claimed.rule() == IdentityRule.CERTIFICATE
                        ? IdentityMismatch.CERTIFICATE_REQUIRED : IdentityMismatch.ADDRESS_REQUIRED);
            }
            if (source == NodeSource.CERTIFICATE) {
                return new Identity(node, source, claim, IdentityMismatch.CERTIFICATE_DIFFERS);
            }
        }
        return new Identity(node, source);
    }

    /**
     * The inventory name of the protected node {@code claim} designates ({@code UCP-MANAGER-1.example.org}
     * designates {@code ucp-manager-1}), else {@code claim} itself: one spoofing alert per node, however
     * the senders spell it.
     */
    public String claimedNode(String claim) {
        IdentityRules.Node n = claim == null ? null : rules.protectedNode(claim);
        return n == null ? claim : n.name();
    }

    /** Why naming {@code node} this way breaks its rule, or null when it does not. */
    private IdentityMismatch unmet(String node, NodeSource source, String certificate, InetAddress from) {
        IdentityRules.Node n = rules.protectedNode(node);
        if (n != null) {
            return meets(n, certificate, from) ? null : n.rule() == IdentityRule.CERTIFICATE
                    ? IdentityMismatch.CERTIFICATE_REQUIRED : IdentityMismatch.ADDRESS_REQUIRED;
        }
        return rules.requireIdentity() && source == NodeSource.HOSTNAME ? IdentityMismatch.IDENTITY_REQUIRED : null;
    }

    private boolean meets(IdentityRules.Node n, String certificate, InetAddress from) {
        return switch (n.rule()) {
            case CERTIFICATE -> certificate != null && sameHost(certificate, n.name());
            case ADDRESS -> from != null && addresses.inAddressesOf(n.name(), from);
            case HOSTNAME -> true;
        };
    }

    /**
     * True for the names a sender uses when it does not know its own: {@code localhost} and its
     * usual variants (loggen and unconfigured hosts send it). Every such host would otherwise be
     * one node called "localhost", so the sender's address decides instead.
     */
    static boolean isLoopbackName(String hostname) {
        String h = hostname.toLowerCase(java.util.Locale.ROOT);
        return h.equals("localhost") || h.equals("localhost.localdomain") || h.equals("localhost6")
                || h.equals("localhost6.localdomain6") || h.equals("ip6-localhost") || h.equals("ip6-loopback");
    }

    /**
     * Whether two names (a certificate identity, a HOSTNAME, an inventory name) name the same host:
     * equal ignoring case, or one is the other's first DNS label ({@code node-7} and
     * {@code node-7.example.org}), since senders differ in whether they send the FQDN.
     */
    static boolean sameHost(String a, String b) {
        return a.equalsIgnoreCase(b) || firstLabel(a).equalsIgnoreCase(b) || firstLabel(b).equalsIgnoreCase(a);
    }

    static String firstLabel(String name) {
        int dot = name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    static String addressText(InetSocketAddress remote) {
        if (remote == null) {
            return "unknown";
        }
        return remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
    }
}
