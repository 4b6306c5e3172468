package io.auditwatch.ingest.transport;

import io.auditwatch.ingest.envelope.Transport;
import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.auditwatch.ingest.pipeline.Ingestor;
import io.auditwatch.ingest.syslog.SyslogFrame;
import io.netty.channel.ChannelHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The last stage of a syslog stream connection: each frame becomes an event for Kafka. One per connection. */
final class FrameHandler extends ConnectionHandler<SyslogFrame> {
    private static final Logger LOG = LoggerFactory.getLogger(FrameHandler.class);

    FrameHandler(Transport transport, String listener, Ingestor ingestor, ReadGate gate, IngestMetrics metrics) {
        super(transport, listener, ingestor, gate, metrics);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, SyslogFrame frame) {
        ingestor.ingest(frame, peer, event -> gate.admit(event, ctx.channel()));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset by the peer is normal at the end of a sender's life; anything else is worth a line.
        if (cause instanceof java.io.IOException) {
            LOG.debug("Connection from {} ended: {}", remote(), cause.toString());
        } else {
            LOG.warn("Closing connection from {} after an unexpected error", remote(), cause);
            metrics.connectionRejected(transport, "error");
        }
        ctx.close();
    }
}
