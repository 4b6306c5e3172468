package io.auditwatch.ingest.pipeline;

import io.auditwatch.ingest.envelope.NodeSource;
import java.net.InetSocketAddress;

/**
 * Decides an event's node identity, strongest rule first (ingest/DESIGN.md, Decisions): the TLS client
 * certificate's identity, the inventory's mapping of the source address, the syslog HOSTNAME (unless
 * it is {@code localhost}), the sender's address.
 */
public final class NodeResolver {
    /** The resolved identity and the rule that decided it. */
    public record Identity(String node, NodeSource source) {
    }

    /** Maps a sender address to a node name from the inventory; null when unmapped. */
    @FunctionalInterface
    public interface AddressMap {
        String nodeFor(java.net.InetAddress address);

        AddressMap NONE = a -> null;
    }

    private final AddressMap addresses;

    public NodeResolver(AddressMap addresses) {
        this.addresses = addresses;
    }

    public Identity resolve(String certificateIdentity, InetSocketAddress remote, String hostname) {
        if (certificateIdentity != null && !certificateIdentity.isEmpty()) {
            return new Identity(certificateIdentity, NodeSource.CERTIFICATE);
        }
        if (remote != null && remote.getAddress() != null) {
            String mapped = addresses.nodeFor(remote.getAddress());
            if (mapped != null) {
                return new Identity(mapped, NodeSource.INVENTORY);
            }
        }
        if (hostname != null && !hostname.isEmpty() && !isLoopbackName(hostname)) {
            return new Identity(hostname, NodeSource.HOSTNAME);
        }
        return new Identity(addressText(remote), NodeSource.ADDRESS);
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

    static String addressText(InetSocketAddress remote) {
        if (remote == null) {
            return "unknown";
        }
        return remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
    }
}
