package io.auditwatch.ingest.transport;

import io.auditwatch.ingest.envelope.Transport;
import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.auditwatch.ingest.pipeline.Ingestor;
import io.auditwatch.ingest.pipeline.Peer;
import io.auditwatch.ingest.syslog.SyslogFrame;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The last stage of a stream connection: each frame becomes an event for Kafka. One per connection. */
final class FrameHandler extends SimpleChannelInboundHandler<SyslogFrame> {
    private static final Logger LOG = LoggerFactory.getLogger(FrameHandler.class);
    private static final AtomicLong CONNECTION_IDS = new AtomicLong();

    private final Transport transport;
    private final String listener;
    private final Ingestor ingestor;
    private final ReadGate gate;
    private final IngestMetrics metrics;
    private Peer peer;
    private java.util.function.Consumer<io.auditwatch.ingest.kafka.OutboundEvent> toGate;

    FrameHandler(Transport transport, String listener, Ingestor ingestor, ReadGate gate, IngestMetrics metrics) {
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
        toGate = event -> gate.admit(event, ctx.channel());
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
    void certificateIdentity(String identity) {
        peer = new Peer(peer.transport(), peer.listener(), peer.remote(), identity, peer.connectionId());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, SyslogFrame frame) {
        ingestor.ingest(frame, peer, toGate);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset by the peer is normal at the end of a sender's life; anything else is worth a line.
        if (cause instanceof java.io.IOException) {
            LOG.debug("Connection from {} ended: {}", peer == null ? "?" : peer.remote(), cause.toString());
        } else {
            LOG.warn("Closing connection from {} after an unexpected error", peer == null ? "?" : peer.remote(), cause);
            metrics.connectionRejected(transport, "error");
        }
        ctx.close();
    }
}
