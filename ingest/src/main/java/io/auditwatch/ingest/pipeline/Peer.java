package io.auditwatch.ingest.pipeline;

import io.auditwatch.ingest.envelope.Transport;
import java.net.InetSocketAddress;

/**
 * Who sent a frame and over what.
 *
 * @param transport udp, tcp or tls
 * @param listener the listener's configuration name
 * @param remote the sender's address and port
 * @param certificateIdentity the verified TLS client certificate's identity, or null
 * @param connectionId a per-process unique id of the TCP/TLS connection; 0 for UDP
 */
public record Peer(Transport transport, String listener, InetSocketAddress remote, String certificateIdentity,
        long connectionId) {
}
