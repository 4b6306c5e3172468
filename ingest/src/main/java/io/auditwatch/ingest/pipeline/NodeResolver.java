package io.auditwatch.ingest.pipeline;

import io.auditwatch.ingest.envelope.NodeSource;
import java.net.InetSocketAddress;

/**
 * Decides an event's node identity, strongest rule first (DESIGN.md): the TLS client
 * certificate's identity, the inventory's mapping of the source address, the syslog HOSTNAME, the
 * sender's address.
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
        if (hostname != null && !hostname.isEmpty()) {
            return new Identity(hostname, NodeSource.HOSTNAME);
        }
        return new Identity(addressText(remote), NodeSource.ADDRESS);
    }

    static String addressText(InetSocketAddress remote) {
        if (remote == null) {
            return "unknown";
        }
        return remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
    }
}
