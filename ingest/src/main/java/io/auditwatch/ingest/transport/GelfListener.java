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

    /** The UDP receiver, or null for the stream listener. */
    private final DatagramReceiver receiver;
    private final Channel channel;

    private GelfListener(DatagramReceiver receiver, Channel channel) {
        this.receiver = receiver;
        this.channel = channel;
    }

    /**
     * Binds GELF over UDP: receiving threads hand datagrams to processing threads, as for syslog
     * ({@link UdpListener}); the chunk assembler's timeout is enforced every second.
     *
     * @param maxMessageSize the largest payload after dechunking and decompression
     * @param sockets receiving sockets and processing threads; 0: one per available processor
     */
    public static GelfListener startUdp(String name, String host, int port, int maxMessageSize, int sockets,
            EventLoops loops, Ingestor ingestor, EventPublisher publisher, IngestMetrics metrics, ConnectionGuard guard,
            Clock clock) {
        GelfChunkAssembler chunks = new GelfChunkAssembler(GelfChunkAssembler.DEFAULT_TIMEOUT, maxMessageSize,
                GelfChunkAssembler.DEFAULT_MAX_PENDING_MESSAGES,
                Math.max(GelfChunkAssembler.DEFAULT_MAX_PENDING_BYTES, maxMessageSize),
                (reason, held) -> metrics.dropped("gelf_" + reason.label()));
        int threads = UdpListener.threads(sockets);
        DatagramHandoff handoff = new DatagramHandoff(name, threads, DatagramHandoff.DEFAULT_MAX_DATAGRAMS,
                DatagramHandoff.DEFAULT_MAX_BYTES, new DatagramProcessor(name, maxMessageSize, chunks, ingestor,
                        UdpListener.publishOrDrop(publisher, metrics), metrics, clock), metrics);
        DatagramReceiver r = DatagramReceiver.bind(name, host, port, threads, loops, guard::allows, handoff, metrics);
        r.group().next().scheduleAtFixedRate(() -> chunks.expire(clock.instant()), 1, 1, TimeUnit.SECONDS);
        LOG.info("GELF UDP listener '{}' on {} ({}, {} socket(s), {} processing thread(s))", name, r.localAddress(),
                loops.name(), r.sockets(), threads);
        return new GelfListener(r, null);
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
        return new GelfListener(null, ch);
    }

    public int port() {
        return receiver != null ? receiver.port() : ((InetSocketAddress) channel.localAddress()).getPort();
    }

    public boolean isBound() {
        return receiver != null ? receiver.isBound() : channel.isActive();
    }

    @Override
    public void close() {
        if (receiver != null) {
            receiver.close();
        } else {
            channel.close().syncUninterruptibly();
        }
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

    /** One GELF datagram (a whole payload or a chunk) on a processing thread. */
    private record DatagramProcessor(String name, int maxMessageSize, GelfChunkAssembler chunks, Ingestor ingestor,
            Consumer<OutboundEvent> publish, IngestMetrics metrics, Clock clock) implements DatagramHandoff.Processor {
        @Override
        public void process(InetSocketAddress sender, byte[] bytes) {
            try {
                byte[] payload = GelfChunkAssembler.isChunk(bytes) ? chunks.offer(sender, bytes, clock.instant()) : bytes;
                if (payload != null) {
                    DockerLine line = DockerLine.fromGelf(GelfCodec.decode(payload, maxMessageSize), Framing.DATAGRAM);
                    ingestor.ingestDocker(line, new Peer(Transport.UDP, name, sender, null, 0), true, publish);
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
