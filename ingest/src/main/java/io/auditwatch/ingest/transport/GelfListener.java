package io.auditwatch.ingest.transport;

import io.auditwatch.ingest.envelope.Transport;
import io.auditwatch.ingest.gelf.GelfChunkAssembler;
import io.auditwatch.ingest.gelf.GelfCodec;
import io.auditwatch.ingest.gelf.GelfException;
import io.auditwatch.ingest.kafka.EventPublisher;
import io.auditwatch.ingest.kafka.OutboundEvent;
import io.auditwatch.ingest.pipeline.DockerLine;
import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.auditwatch.ingest.pipeline.Ingestor;
import io.auditwatch.ingest.pipeline.Peer;
import io.auditwatch.ingest.syslog.Framing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.DelimiterBasedFrameDecoder;
import io.netty.handler.codec.Delimiters;
import io.netty.handler.codec.TooLongFrameException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GELF input (Docker's {@code gelf} log driver, Graylog senders): over UDP, datagrams that are
 * whole payloads or chunks ({@link GelfChunkAssembler}), gzip, zlib or plain; over TCP or TLS,
 * NUL-delimited uncompressed JSON. UDP has no back-pressure and no acknowledgement: what cannot be
 * queued is dropped and counted, as for syslog over UDP. Stream pipeline stages: {@code "guard"},
 * {@code "tls"}/{@code "tls-identity"} (TLS only), {@code "framer"}, {@code "deadline"}, {@code "ingest"}.
 */
public final class GelfListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GelfListener.class);

    private final Channel channel;

    private GelfListener(Channel channel) {
        this.channel = channel;
    }

    /**
     * Binds GELF over UDP; the chunk assembler's timeout is enforced every second on an event loop.
     *
     * @param maxMessageSize the largest payload after dechunking and decompression
     */
    public static GelfListener startUdp(String name, String host, int port, int maxMessageSize, EventLoops loops,
            Ingestor ingestor, EventPublisher publisher, IngestMetrics metrics, ConnectionGuard guard, Clock clock) {
        GelfChunkAssembler chunks = new GelfChunkAssembler(GelfChunkAssembler.DEFAULT_TIMEOUT, maxMessageSize,
                GelfChunkAssembler.DEFAULT_MAX_PENDING_MESSAGES,
                Math.max(GelfChunkAssembler.DEFAULT_MAX_PENDING_BYTES, maxMessageSize),
                (reason, held) -> metrics.dropped("gelf_" + reason.label()));
        Channel ch = UdpListener.bind(name, host, port, loops,
                new DatagramHandler(name, maxMessageSize, chunks, ingestor, publisher, metrics, guard, clock));
        UdpListener.bindKernelDrops(name, ch, metrics);
        ch.eventLoop().scheduleAtFixedRate(() -> chunks.expire(clock.instant()), 1, 1, TimeUnit.SECONDS);
        LOG.info("GELF UDP listener '{}' on {} ({})", name, ch.localAddress(), loops.name());
        return new GelfListener(ch);
    }

    /** Binds GELF over TCP, or TLS when {@code tls} is not null. */
    public static GelfListener startStream(String name, String host, int port, int maxMessageSize, EventLoops loops,
            Ingestor ingestor, ReadGate gate, IngestMetrics metrics, ConnectionGuard guard, TlsContextSource tls) {
        Transport transport = tls == null ? Transport.TCP : Transport.TLS;
        // Over-long frames are discarded up to the next NUL and reported; the connection goes on.
        Channel ch = StreamServer.bind(name, transport, host, port, loops, guard, tls, metrics,
                () -> {
                    NulFramer d = new NulFramer(maxMessageSize);
                    return new StreamServer.Framer(d, d::midFrame);
                },
                () -> new StreamHandler(transport, name, maxMessageSize, ingestor, gate, metrics));
        LOG.info("GELF {} listener '{}' on {} ({})", transport.id().toUpperCase(java.util.Locale.ROOT), name,
                ch.localAddress(), loops.name());
        return new GelfListener(ch);
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

    /**
     * GELF's TCP framing (a NUL after each message); says whether it holds part of a message for the
     * frame deadline. An over-long frame is discarded (and reported) without being held, so only what
     * is buffered counts as an unfinished frame.
     */
    private static final class NulFramer extends DelimiterBasedFrameDecoder {
        NulFramer(int maxMessageSize) {
            super(maxMessageSize, true, false, Delimiters.nulDelimiter());
        }

        boolean midFrame() {
            return internalBuffer().isReadable();
        }
    }

    private static final class DatagramHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final String name;
        private final int maxMessageSize;
        private final GelfChunkAssembler chunks;
        private final Ingestor ingestor;
        private final IngestMetrics metrics;
        private final ConnectionGuard guard;
        private final Clock clock;
        private final Consumer<OutboundEvent> publish;

        DatagramHandler(String name, int maxMessageSize, GelfChunkAssembler chunks, Ingestor ingestor,
                EventPublisher publisher, IngestMetrics metrics, ConnectionGuard guard, Clock clock) {
            this.name = name;
            this.maxMessageSize = maxMessageSize;
            this.chunks = chunks;
            this.ingestor = ingestor;
            this.metrics = metrics;
            this.guard = guard;
            this.clock = clock;
            this.publish = event -> {
                if (!publisher.offer(event)) {
                    metrics.dropped("udp_queue_full");
                }
            };
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ByteBuf content = packet.content();
            if (!content.isReadable()) {
                return;
            }
            if (!guard.allows(packet.sender())) {
                metrics.dropped("source_not_allowed");
                return;
            }
            byte[] bytes = ByteBufUtil.getBytes(content);
            try {
                byte[] payload = GelfChunkAssembler.isChunk(bytes) ? chunks.offer(packet.sender(), bytes, clock.instant())
                        : bytes;
                if (payload != null) {
                    DockerLine line = DockerLine.fromGelf(GelfCodec.decode(payload, maxMessageSize), Framing.DATAGRAM);
                    ingestor.ingestDocker(line, new Peer(Transport.UDP, name, packet.sender(), null, 0), true, publish);
                }
            } catch (GelfException e) {
                metrics.dropped("gelf_" + e.error().label());
            }
        }
    }

    private static final class StreamHandler extends ConnectionHandler<ByteBuf> {
        private final int maxMessageSize;

        StreamHandler(Transport transport, String name, int maxMessageSize, Ingestor ingestor, ReadGate gate,
                IngestMetrics metrics) {
            super(transport, name, ingestor, gate, metrics);
            this.maxMessageSize = maxMessageSize;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            if (!frame.isReadable()) {
                return;
            }
            Channel ch = ctx.channel();
            try {
                DockerLine line = DockerLine.fromGelf(GelfCodec.decode(ByteBufUtil.getBytes(frame), maxMessageSize),
                        Framing.NUL);
                ingestor.ingestDocker(line, peer, true, event -> gate.admit(event, ch));
            } catch (GelfException e) {
                metrics.dropped("gelf_" + e.error().label());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof TooLongFrameException) {
                metrics.frameDiscard("gelf_too_long");
                return;
            }
            if (!(cause instanceof java.io.IOException)) {
                LOG.warn("Closing GELF connection from {} after an unexpected error", remote(),
                        cause);
                metrics.connectionRejected(transport, "error");
            }
            ctx.close();
        }
    }
}
