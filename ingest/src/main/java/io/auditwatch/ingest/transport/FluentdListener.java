package io.auditwatch.ingest.transport;

import io.auditwatch.ingest.envelope.Transport;
import io.auditwatch.ingest.fluentd.ForwardDecoder;
import io.auditwatch.ingest.fluentd.ForwardLimits;
import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.auditwatch.ingest.pipeline.Ingestor;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Fluentd Forward protocol input (Docker's {@code fluentd} log driver, Fluent Bit, Fluentd):
 * MessagePack requests over TCP or TLS, and on the same port over UDP the protocol's heartbeat,
 * answered with the same single byte {@code 0x00} (Forward Protocol v1, "Heartbeat Message").
 * Pipeline stages: {@code "guard"}, {@code "tls"} and {@code "tls-identity"} (TLS only),
 * {@code "framer"} ({@link ForwardDecoder}), {@code "deadline"}, {@code "ingest"} ({@link ForwardHandler}).
 */
public final class FluentdListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FluentdListener.class);
    /** The heartbeat datagram, both ways. */
    private static final byte HEARTBEAT = 0x00;

    private final Channel server;
    private final Channel heartbeat;

    private FluentdListener(Channel server, Channel heartbeat) {
        this.server = server;
        this.heartbeat = heartbeat;
    }

    /**
     * Binds TCP (and the UDP heartbeat on the same port) and starts accepting.
     *
     * @param tls the TLS context source, or null for plain TCP
     * @throws ListenerException when either port cannot be bound
     */
    public static FluentdListener start(String name, String host, int port, ForwardLimits limits, EventLoops loops,
            Ingestor ingestor, ReadGate gate, IngestMetrics metrics, ConnectionGuard guard, TlsContextSource tls) {
        Transport transport = tls == null ? Transport.TCP : Transport.TLS;
        ForwardDecoder.Listener skipped = new ForwardDecoder.Listener() {
            @Override
            public void heartbeat() {
            }

            @Override
            public void ignored(int bytes) {
                metrics.frameDiscard("fluentd_not_an_array");
            }
        };
        Channel server = StreamServer.bind(name, transport, host, port, loops, guard, tls, metrics,
                () -> {
                    ForwardDecoder d = new ForwardDecoder(limits, skipped);
                    return new StreamServer.Framer(d, d::midFrame);
                },
                () -> new ForwardHandler(transport, name, ingestor, gate, metrics));
        int bound = ((InetSocketAddress) server.localAddress()).getPort();
        Channel udp;
        try {
            udp = new Bootstrap().group(loops.workers()).channel(loops.datagramChannel())
                    .handler(new HeartbeatHandler(guard)).bind(host, bound).syncUninterruptibly().channel();
        } catch (Exception e) {
            server.close().syncUninterruptibly();
            throw new ListenerException("cannot listen on UDP " + host + ":" + bound + " for the Forward heartbeat"
                    + " (listeners." + name + "): " + e.getMessage(), e);
        }
        LOG.info("Fluentd Forward {} listener '{}' on {} with UDP heartbeat ({})",
                transport.id().toUpperCase(java.util.Locale.ROOT), name, server.localAddress(), loops.name());
        return new FluentdListener(server, udp);
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public boolean isBound() {
        return server.isActive() && heartbeat.isActive();
    }

    @Override
    public void close() {
        heartbeat.close().syncUninterruptibly();
        server.close().syncUninterruptibly();
    }

    /** Answers a heartbeat from an allowed source; ignores anything else. */
    private static final class HeartbeatHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final ConnectionGuard guard;

        HeartbeatHandler(ConnectionGuard guard) {
            this.guard = guard;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            if (packet.content().readableBytes() == 1 && packet.content().getByte(0) == HEARTBEAT
                    && guard.allows(packet.sender())) {
                ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {HEARTBEAT}), packet.sender()));
            }
        }
    }
}
