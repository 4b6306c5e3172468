package io.auditwatch.ingest.transport;

import io.auditwatch.ingest.envelope.Transport;
import io.auditwatch.ingest.log.RateLimitedLog;
import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Defends stream listeners without idle timers (closing an idle Docker connection costs a message):
 * allowed sources, a maximum of open connections in total and per source address, and a per-frame
 * read deadline that ends slow-loris senders which start a frame and never finish it.
 */
public final class ConnectionGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

    /**
     * Default limit of open connections in total. Docker's syslog driver opens one connection per
     * container, so a few hundred hosts with dozens of containers each stay well below it; each
     * connection costs a file descriptor and a few KiB of memory.
     */
    public static final int DEFAULT_MAX_CONNECTIONS = 16_384;
    /** Default per source address: one Docker host with a thousand containers. */
    public static final int DEFAULT_MAX_PER_SOURCE = 1_024;
    /** Default time a started frame may take to complete: honest senders write a frame at once. */
    public static final Duration DEFAULT_FRAME_DEADLINE = Duration.ofSeconds(30);

    private final SourceFilter sources;
    private final int maxConnections;
    private final int maxPerSource;
    private final long frameDeadlineNanos;
    private final IngestMetrics metrics;
    /** One rate-limited log per refusal reason. */
    private final ConcurrentHashMap<String, RateLimitedLog> rejections = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perSource = new ConcurrentHashMap<>();

    public ConnectionGuard(SourceFilter sources, int maxConnections, int maxPerSource, Duration frameDeadline,
            IngestMetrics metrics) {
        this.sources = sources;
        this.maxConnections = maxConnections;
        this.maxPerSource = maxPerSource;
        this.frameDeadlineNanos = frameDeadline.toNanos();
        this.metrics = metrics;
    }

    /** The first stage of every stream connection: admits or closes it. */
    ChannelHandler newHandler(Transport transport) {
        return new Admission(transport);
    }

    /** Placed after the framer: tracks whether a frame has been started and not finished. */
    ChannelHandler newFrameDeadline(Transport transport) {
        return new FrameDeadline(transport);
    }

    /** Whether a datagram from {@code sender} is allowed (the same source rules as connections). */
    boolean allows(InetSocketAddress sender) {
        return sources.allows(sender);
    }

    /** Open connections counted by this guard. */
    public int open() {
        return open.get();
    }

    private void reject(ChannelHandlerContext ctx, Transport t, String reason, InetSocketAddress remote) {
        metrics.connectionRejected(t, reason);
        rejections.computeIfAbsent(t.id() + "/" + reason,
                k -> new RateLimitedLog(LOG, "Rejected " + t.id() + " connections (" + reason + ")"))
                .record("from " + remote.getAddress().getHostAddress());
        ctx.close();
    }

    private final class Admission extends ChannelInboundHandlerAdapter {
        private final Transport transport;
        private InetAddress counted;

        Admission(Transport transport) {
            this.transport = transport;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
            if (!sources.allows(remote)) {
                reject(ctx, transport, "source_not_allowed", remote);
                return;
            }
            if (open.incrementAndGet() > maxConnections) {
                open.decrementAndGet();
                reject(ctx, transport, "max_connections", remote);
                return;
            }
            AtomicInteger n = perSource.computeIfAbsent(remote.getAddress(), a -> new AtomicInteger());
            if (n.incrementAndGet() > maxPerSource) {
                n.decrementAndGet();
                open.decrementAndGet();
                reject(ctx, transport, "max_connections_per_source", remote);
                return;
            }
            counted = remote.getAddress();
            super.channelActive(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (counted != null) {
                open.decrementAndGet();
                perSource.computeIfPresent(counted, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
                counted = null;
                super.channelInactive(ctx);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (counted == null) {
                io.netty.util.ReferenceCountUtil.release(msg); // a rejected connection's last bytes
                return;
            }
            super.channelRead(ctx, msg);
        }
    }

    /**
     * Sees raw bytes (before the framer, as a duplex stage placed after it sees frames): when bytes
     * have arrived and no frame completed for longer than the deadline, the connection is closed;
     * the framer then hands on the partial frame (kept, framing EOF) so nothing received is lost.
     */
    private final class FrameDeadline extends ChannelDuplexHandler {
        private final Transport transport;
        private ScheduledFuture<?> timer;

        FrameDeadline(Transport transport) {
            this.transport = transport;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            // Bytes are observed by a small stage in front of the framer.
            ctx.pipeline().addBefore("framer", "deadline-bytes", new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext c, Object msg) throws Exception {
                    if (msg instanceof ByteBuf b && b.isReadable() && timer == null) {
                        timer = c.executor().schedule(() -> expire(c), frameDeadlineNanos, TimeUnit.NANOSECONDS);
                    }
                    super.channelRead(c, msg);
                }
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            // A frame completed: the framer holds no partial frame older than this read.
            cancel();
            super.channelRead(ctx, msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            cancel();
            super.channelInactive(ctx);
        }

        private void cancel() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }

        private void expire(ChannelHandlerContext ctx) {
            timer = null;
            InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
            reject(ctx, transport, "frame_deadline", remote);
        }
    }
}
