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
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Defends stream listeners without idle timers (closing an idle Docker connection costs a message):
 * allowed sources, a maximum of open connections in total and per source ({@link SourceKey}: an IPv4
 * address or an IPv6 /64), and a per-frame read deadline that ends slow-loris senders which start a
 * frame and never finish it, also after frames they did finish.
 */
public final class ConnectionGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

    /**
     * Default limit of open connections in total. Docker's syslog driver opens one connection per
     * container, so a few hundred hosts with dozens of containers each stay well below it; each
     * connection costs a file descriptor and a few KiB of memory.
     */
    public static final int DEFAULT_MAX_CONNECTIONS = 16_384;
    /** Default per source (IPv4 address, IPv6 /64): one Docker host with a thousand containers. */
    public static final int DEFAULT_MAX_PER_SOURCE = 1_024;
    /**
     * Default time from the first byte of a frame to its last: honest senders write a frame at once.
     * Time while the collector itself holds reads back ({@link ReadGate}) is not the sender's fault
     * and starts the deadline again.
     */
    public static final Duration DEFAULT_FRAME_DEADLINE = Duration.ofSeconds(30);

    private final SourceFilter sources;
    private final int maxConnections;
    private final int maxPerSource;
    private final int ipv6SourcePrefix;
    private final long frameDeadlineNanos;
    private final IngestMetrics metrics;
    /** One rate-limited log per refusal reason. */
    private final ConcurrentHashMap<String, RateLimitedLog> rejections = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perSource = new ConcurrentHashMap<>();

    public ConnectionGuard(SourceFilter sources, int maxConnections, int maxPerSource, Duration frameDeadline,
            IngestMetrics metrics) {
        this(sources, maxConnections, maxPerSource, SourceKey.DEFAULT_IPV6_PREFIX, frameDeadline, metrics);
    }

    /**
     * @param maxPerSource open connections per source: per IPv4 address, per IPv6 prefix
     * @param ipv6SourcePrefix the IPv6 prefix length (1-128) that counts as one source
     * @param frameDeadline the longest time from a frame's first byte to its last
     */
    public ConnectionGuard(SourceFilter sources, int maxConnections, int maxPerSource, int ipv6SourcePrefix,
            Duration frameDeadline, IngestMetrics metrics) {
        if (ipv6SourcePrefix < 1 || ipv6SourcePrefix > 128) {
            throw new IllegalArgumentException("ipv6SourcePrefix must be 1-128: " + ipv6SourcePrefix);
        }
        this.sources = sources;
        this.maxConnections = maxConnections;
        this.maxPerSource = maxPerSource;
        this.ipv6SourcePrefix = ipv6SourcePrefix;
        this.frameDeadlineNanos = frameDeadline.toNanos();
        this.metrics = metrics;
    }

    /** The first stage of every stream connection: admits or closes it. */
    ChannelHandler newHandler(Transport transport) {
        return new Admission(transport);
    }

    /**
     * Placed after the framer: tracks whether a frame has been started and not finished.
     *
     * @param midFrame whether the connection's framer holds (or is discarding) an unfinished frame;
     *     read on the connection's event loop after each read
     */
    ChannelHandler newFrameDeadline(Transport transport, BooleanSupplier midFrame) {
        return new FrameDeadline(transport, midFrame);
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
            InetAddress source = SourceKey.of(remote.getAddress(), ipv6SourcePrefix);
            AtomicInteger n = perSource.computeIfAbsent(source, a -> new AtomicInteger());
            if (n.incrementAndGet() > maxPerSource) {
                n.decrementAndGet();
                open.decrementAndGet();
                reject(ctx, transport, "max_connections_per_source", remote);
                return;
            }
            counted = source;
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
     * Sees raw bytes (a small stage in front of the framer) and frames (this stage, after it): after
     * each read, a framer that holds an unfinished frame has a running deadline, started at the read
     * that began that frame (the first read after the last completed frame); one that holds none has
     * none. So a completed frame never lifts the deadline of the partial frame that follows it in the
     * same read. When the deadline passes the connection is closed and counted ({@code frame_deadline});
     * the framer then hands on the partial frame (kept, framing EOF) so nothing received is lost.
     */
    private final class FrameDeadline extends ChannelDuplexHandler {
        private final Transport transport;
        private final BooleanSupplier midFrame;
        private ScheduledFuture<?> timer;
        private boolean frameEnded;

        FrameDeadline(Transport transport, BooleanSupplier midFrame) {
            this.transport = transport;
            this.midFrame = midFrame;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.pipeline().addBefore("framer", "deadline-bytes", new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext c, Object msg) throws Exception {
                    boolean bytes = msg instanceof ByteBuf b && b.isReadable();
                    frameEnded = false;
                    super.channelRead(c, msg); // the framer decodes this read now, frames reach this stage
                    if (bytes) {
                        afterRead(c);
                    }
                }
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            frameEnded = true;
            super.channelRead(ctx, msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            cancel();
            super.channelInactive(ctx);
        }

        private void afterRead(ChannelHandlerContext ctx) {
            if (frameEnded) {
                cancel(); // what the framer holds now began in this read
            }
            if (!ctx.channel().isActive() || !midFrame.getAsBoolean()) {
                cancel();
            } else if (timer == null) {
                arm(ctx);
            }
        }

        private void arm(ChannelHandlerContext ctx) {
            timer = ctx.executor().schedule(() -> expire(ctx), frameDeadlineNanos, TimeUnit.NANOSECONDS);
        }

        private void cancel() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }

        private void expire(ChannelHandlerContext ctx) {
            timer = null;
            if (!ctx.channel().config().isAutoRead()) {
                arm(ctx); // held back by the read gate: the sender cannot finish its frame now
                return;
            }
            InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
            reject(ctx, transport, "frame_deadline", remote);
        }
    }
}
