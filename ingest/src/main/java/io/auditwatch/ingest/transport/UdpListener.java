package io.auditwatch.ingest.transport;

import io.auditwatch.ingest.envelope.Transport;
import io.auditwatch.ingest.kafka.EventPublisher;
import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.auditwatch.ingest.pipeline.Ingestor;
import io.auditwatch.ingest.pipeline.Peer;
import io.auditwatch.ingest.syslog.SyslogFrame;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Syslog over UDP (RFC 5426): one datagram is one message. UDP has no back-pressure: when the way
 * to Kafka is full the datagram is dropped and counted ({@code auditwatch_messages_dropped_total}).
 */
public final class UdpListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UdpListener.class);

    /** Largest UDP payload over IPv4 (65,535 - 8 UDP - 20 IP header bytes). */
    static final int MAX_DATAGRAM = 65_507;
    /** Kernel receive buffer asked for: absorbs bursts while an event loop is busy (capped by net.core.rmem_max). */
    static final int RECEIVE_BUFFER = 4 << 20;

    private final Channel channel;

    private UdpListener(Channel channel) {
        this.channel = channel;
    }

    public static UdpListener start(String name, String host, int port, int maxMessageSize, EventLoops loops,
            Ingestor ingestor, EventPublisher publisher, IngestMetrics metrics, SourceFilter sources) {
        Channel ch = bind(name, host, port, loops,
                new DatagramHandler(name, maxMessageSize, ingestor, publisher, metrics, sources));
        bindKernelDrops(name, ch, metrics);
        LOG.info("Syslog UDP listener '{}' on {} ({})", name, ch.localAddress(), loops.name());
        return new UdpListener(ch);
    }

    /**
     * The one way a UDP listener (syslog, gelf) binds: a large kernel receive buffer and a read buffer
     * that holds the largest datagram.
     *
     * @throws ListenerException when the address cannot be bound
     */
    static Channel bind(String name, String host, int port, EventLoops loops, io.netty.channel.ChannelHandler handler) {
        Bootstrap b = new Bootstrap()
                .group(loops.workers())
                .channel(loops.datagramChannel())
                .option(ChannelOption.SO_RCVBUF, RECEIVE_BUFFER)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM))
                .handler(handler);
        try {
            return b.bind(host, port).syncUninterruptibly().channel();
        } catch (Exception e) {
            throw new ListenerException("cannot listen on UDP " + host + ":" + port + " (listeners." + name
                    + "): " + e.getMessage(), e);
        }
    }

    /**
     * What the kernel dropped before the listener could read it becomes the listener's meter. The meter
     * holds its object weakly: it is the channel, which the listener holds for as long as it lives.
     */
    static void bindKernelDrops(String name, Channel ch, IngestMetrics metrics) {
        UdpSocketDrops drops = new UdpSocketDrops(((InetSocketAddress) ch.localAddress()).getPort());
        metrics.bindUdpKernelDrops(name, ch, c -> drops.total());
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    public boolean isBound() {
        return channel.isActive();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    private static final class DatagramHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final String name;
        private final int maxMessageSize;
        private final Ingestor ingestor;
        private final EventPublisher publisher;
        private final IngestMetrics metrics;
        private final SourceFilter sources;
        private final java.util.function.Consumer<io.auditwatch.ingest.kafka.OutboundEvent> publish;

        DatagramHandler(String name, int maxMessageSize, Ingestor ingestor, EventPublisher publisher,
                IngestMetrics metrics, SourceFilter sources) {
            this.sources = sources;
            this.publish = event -> {
                if (!publisher.offer(event)) {
                    metrics.dropped("udp_queue_full");
                }
            };
            this.name = name;
            this.maxMessageSize = maxMessageSize;
            this.ingestor = ingestor;
            this.publisher = publisher;
            this.metrics = metrics;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ByteBuf content = packet.content();
            if (!content.isReadable()) {
                return;
            }
            if (!sources.allows(packet.sender())) {
                metrics.dropped("source_not_allowed");
                return;
            }
            byte[] bytes = ByteBufUtil.getBytes(content);
            SyslogFrame frame = SyslogFrame.datagram(bytes, maxMessageSize);
            if (frame == null) {
                return; // only a trailer: nothing to store
            }
            Peer peer = new Peer(Transport.UDP, name, packet.sender(), null, 0);
            ingestor.ingest(frame, peer, publish);
        }
    }
}
