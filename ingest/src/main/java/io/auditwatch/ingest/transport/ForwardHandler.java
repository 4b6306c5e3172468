package io.auditwatch.ingest.transport;

import io.auditwatch.ingest.envelope.Transport;
import io.auditwatch.ingest.fluentd.ForwardCodec;
import io.auditwatch.ingest.fluentd.ForwardEntry;
import io.auditwatch.ingest.fluentd.ForwardException;
import io.auditwatch.ingest.fluentd.ForwardRequest;
import io.auditwatch.ingest.kafka.Durability;
import io.auditwatch.ingest.kafka.OutboundEvent;
import io.auditwatch.ingest.pipeline.DockerLine;
import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.auditwatch.ingest.pipeline.Ingestor;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last stage of a Fluentd Forward connection: every event of a request goes through the
 * ingestor, and a request that carries a {@code chunk} is answered with {@code {"ack": chunk}} only
 * when all its events are durable ({@link Durability}): in the spool, or acknowledged by Kafka when
 * there is no spool. While the spool is full nothing becomes durable, so no ack goes out and the
 * client (Docker's fluentd driver) holds its lines and waits, and retries on a new connection when
 * an event is lost or the connection breaks. One per connection.
 */
final class ForwardHandler extends ConnectionHandler<ForwardRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(ForwardHandler.class);

    ForwardHandler(Transport transport, String listener, Ingestor ingestor, ReadGate gate, IngestMetrics metrics) {
        super(transport, listener, ingestor, gate, metrics);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ForwardRequest request) {
        Channel ch = ctx.channel();
        if (request.chunk() == null) {
            for (ForwardEntry e : request.entries()) {
                ingestor.ingestDocker(DockerLine.fromFluentd(request.tag(), e, null), peer, true,
                        event -> gate.admit(event, ch));
            }
            return;
        }
        Chunk chunk = new Chunk(ch, request.chunk());
        for (ForwardEntry e : request.entries()) {
            ingestor.ingestDocker(DockerLine.fromFluentd(request.tag(), e, request.chunk()), peer, false,
                    event -> gate.admit(chunk.track(event), ch));
        }
        chunk.sealed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ForwardException fe) {
            metrics.frameDiscard("fluentd_" + fe.error().label());
            LOG.debug("Closing Forward connection from {}: {}", remote(), fe.getMessage());
        } else if (cause instanceof java.io.IOException) {
            LOG.debug("Forward connection from {} ended: {}", remote(), cause.toString());
        } else {
            LOG.warn("Closing Forward connection from {} after an unexpected error", remote(),
                    cause);
            metrics.connectionRejected(transport, "error");
        }
        ctx.close();
    }

    /**
     * The events of one request that asked for an ack: the ack goes out once every one of them is
     * durable; a lost one closes the connection instead, so the client sends the chunk again.
     */
    private static final class Chunk {
        private final Channel channel;
        private final String id;
        /** Events not yet durable, plus one until all were handed out. */
        private final AtomicInteger outstanding = new AtomicInteger(1);
        private final AtomicBoolean failed = new AtomicBoolean();

        Chunk(Channel channel, String id) {
            this.channel = channel;
            this.id = id;
        }

        OutboundEvent track(OutboundEvent event) {
            outstanding.incrementAndGet();
            AtomicBoolean reported = new AtomicBoolean();
            return event.withDurability(new Durability() {
                @Override
                public void durable() {
                    if (reported.compareAndSet(false, true)) {
                        done();
                    }
                }

                @Override
                public void lost() {
                    if (reported.compareAndSet(false, true) && failed.compareAndSet(false, true)) {
                        channel.close();
                    }
                }
            });
        }

        void sealed() {
            done();
        }

        private void done() {
            if (outstanding.decrementAndGet() == 0 && !failed.get()) {
                channel.writeAndFlush(Unpooled.wrappedBuffer(ForwardCodec.ack(id)));
            }
        }
    }
}
