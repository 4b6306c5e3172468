package io.auditwatch.ingest.transport;

import io.auditwatch.ingest.envelope.Transport;
import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.auditwatch.ingest.pipeline.Ingestor;
import io.auditwatch.ingest.pipeline.Peer;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The last stage of a stream connection, whatever its protocol: who the peer is (address,
 * certificate identity, a connection id the reassembler keys by), the connection metrics, the
 * read gate's registration, and handing the reassembler's waiting pieces on when it closes.
 * Subclasses turn their protocol's frames into events. One per connection.
 */
abstract class ConnectionHandler<I> extends SimpleChannelInboundHandler<I> implements TlsIdentityHandler.IdentitySink {
    /** Connection ids of every stream listener (syslog, fluentd, gelf): the reassembler keys by them. */
    private static final AtomicLong CONNECTION_IDS = new AtomicLong();

    final Transport transport;
    final String listener;
    final Ingestor ingestor;
    final ReadGate gate;
    final IngestMetrics metrics;
    Peer peer;

    ConnectionHandler(Transport transport, String listener, Ingestor ingestor, ReadGate gate, IngestMetrics metrics) {
        this.transport = transport;
        this.listener = listener;
        this.ingestor = ingestor;
        this.gate = gate;
        this.metrics = metrics;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        peer = new Peer(transport, listener, (InetSocketAddress) ctx.channel().remoteAddress(), null,
                CONNECTION_IDS.incrementAndGet());
        metrics.connectionOpened(transport);
        gate.register(ctx.channel());
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        metrics.connectionClosed(transport);
        if (peer != null) {
            ingestor.connectionClosed(peer, event -> gate.admit(event, null));
        }
        super.channelInactive(ctx);
    }

    /** Sets the verified client-certificate identity once the TLS handshake is done. */
    @Override
    public void certificateIdentity(String identity) {
        peer = new Peer(peer.transport(), peer.listener(), peer.remote(), identity, peer.connectionId());
    }

    /** The peer's address for log lines. */
    final Object remote() {
        return peer == null ? "?" : peer.remote();
    }
}
