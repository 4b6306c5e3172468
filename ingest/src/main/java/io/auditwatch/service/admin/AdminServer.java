package io.auditwatch.service.admin;

import io.auditwatch.ingest.transport.TlsContextSource;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.compression.StandardCompressionOptions;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server: {@code /metrics} (Prometheus text 0.0.4 or OpenMetrics 1.0),
 * {@code /health}, {@code /ready}, {@code /status} (HTML), {@code /api/nodes} (JSON) and the routes
 * the service adds through {@link AdminRoutes}. HTTP/1.1 with keep-alive, optionally over TLS
 * ({@link AdminTls}); who may ask what is {@link AdminAccess}'s decision (deploy/README.md, "Admin access").
 *
 * <p>It has its own threads (one I/O thread, {@value #HANDLER_THREADS} handler threads), so neither a
 * burst of scrapes nor a slow endpoint can take time from the syslog listeners, and a stalled
 * listener cannot keep {@code /health} from answering.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    /** Admin traffic is a scrape every few seconds and a person now and then: one I/O thread suffices. */
    static final int IO_THREADS = 1;

    /**
     * Two, so that one slow extension handler (a POST that waits on something) does not hold up the
     * scrapes and probes whose connections sit on the other thread.
     */
    static final int HANDLER_THREADS = 2;

    /** Netty's defaults for the request line (4096) and headers (8192) bytes; ample for admin clients. */
    private static final int MAX_INITIAL_LINE = 4096;
    private static final int MAX_HEADER_SIZE = 8192;

    /**
     * Responses smaller than this go uncompressed: a {@code /health} body gains nothing from gzip.
     * Scrapes and the status page (tens to hundreds of KiB with a thousand nodes) shrink about
     * tenfold, which matters to a Prometheus scraping every 15 s.
     */
    static final int COMPRESSION_THRESHOLD_BYTES = 1024;

    /** Upper bound of {@link #close()} per thread group: admin responses are small and quick. */
    private static final long SHUTDOWN_TIMEOUT_MILLIS = 2000;

    /**
     * After the connections are closed, their last events (inactive, removed) still run on the
     * handler threads and may call back into the I/O thread; the handler threads accept tasks until
     * none came for this long, and only then does the I/O thread stop.
     */
    private static final long HANDLER_QUIET_MILLIS = 100;

    private final EventLoopGroup group;
    private final EventExecutorGroup handlers;
    private final Channel channel;
    private final ChannelGroup connections;
    private final TlsContextSource tls;

    private AdminServer(EventLoopGroup group, EventExecutorGroup handlers, Channel channel, ChannelGroup connections,
            TlsContextSource tls) {
        this.group = group;
        this.handlers = handlers;
        this.channel = channel;
        this.connections = connections;
        this.tls = tls;
    }

    /**
     * Binds {@code settings.host():settings.port()} and starts serving.
     *
     * @param registry the service's one meter registry: scraped by {@code /metrics}, and where
     *     {@code auditwatch_admin_requests_total} is registered
     * @param routes readiness checks, the status source and extension routes; copied now
     * @throws IllegalStateException when the address cannot be bound (in use, not local), or is not
     *     loopback while nothing authenticates and {@code allowUnauthenticated} is false
     * @throws IllegalArgumentException when the TLS material cannot be loaded (the message names the file)
     */
    public static AdminServer start(AdminSettings settings, PrometheusMeterRegistry registry, AdminRoutes routes) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(routes, "routes");
        if (settings.openToTheNetwork() && !settings.allowUnauthenticated()) {
            throw new IllegalStateException("admin server on non-loopback " + settings.host()
                    + " without authentication; configure credentials or mutual TLS, or allow-unauthenticated");
        }
        AdminRoutes.Snapshot snapshot = routes.snapshot();
        Set<String> known = new HashSet<>(AdminRoutes.BUILT_IN);
        known.addAll(snapshot.gets().keySet());
        known.addAll(snapshot.posts().keySet());
        AdminAccess access = new AdminAccess(settings);
        AdminHandler handler = new AdminHandler(registry, snapshot, access, new AdminMetrics(registry, known));
        // The listeners' certificate handling: PEM files, TLS 1.2/1.3, reloaded when they change.
        TlsContextSource tls = settings.tls() == null ? null
                : new TlsContextSource(settings.tls().material(), settings.tls().policy(), settings.tls().reloadInterval(),
                        () -> { });

        AdminTransport transport = AdminTransport.detect();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(IO_THREADS,
                new DefaultThreadFactory("auditwatch-admin-io", true), transport.ioHandlerFactory());
        EventExecutorGroup handlers = new DefaultEventExecutorGroup(HANDLER_THREADS,
                new DefaultThreadFactory("auditwatch-admin", true));
        long idleMillis = settings.idleTimeout().toMillis();
        ChannelGroup connections = new DefaultChannelGroup("auditwatch-admin", group.next());
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(transport.channelClass())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            connections.add(ch);
                            if (tls != null) {
                                ch.pipeline().addLast("tls", tls.current().newHandler(ch.alloc()));
                            }
                            ch.pipeline()
                                    .addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS))
                                    .addLast("idle-close", IdleClose.INSTANCE)
                                    .addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE,
                                            settings.maxRequestBytes()))
                                    .addLast("compressor", new HttpContentCompressor(COMPRESSION_THRESHOLD_BYTES,
                                            StandardCompressionOptions.gzip(), StandardCompressionOptions.deflate()))
                                    .addLast("aggregator", new HttpObjectAggregator(settings.maxRequestBytes()))
                                    .addLast(handlers, "router", handler);
                        }
                    })
                    .bind(settings.host(), settings.port())
                    .syncUninterruptibly()
                    .channel();
            AdminServer server = new AdminServer(group, handlers, channel, connections, tls);
            log.info("admin {} server listening on {}:{} ({}; operator credentials {}, read credentials {}, "
                            + "client certificates {}; Host names {} and the connection's own address)",
                    tls == null ? "HTTP" : "HTTPS", settings.host(), server.port(), transport.name(),
                    settings.credentials() == null ? "off" : "on", settings.readCredentials() == null ? "off" : "on",
                    settings.tls() == null ? "off" : settings.tls().material().clientAuth(), access.hostNames());
            if (settings.openToTheNetwork()) {
                log.warn("admin server on {}:{} answers everyone WITHOUT authentication (admin.allow-unauthenticated:"
                        + " true): anyone who reaches it can silence alerting", settings.host(), server.port());
            }
            return server;
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            handlers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            if (tls != null) {
                tls.close();
            }
            throw new IllegalStateException(
                    "cannot bind admin server to " + settings.host() + ":" + settings.port() + ": " + e, e);
        }
    }

    /** The bound port: the configured one, or the one the system picked for port 0. */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Stops accepting, closes connections and stops the threads; waits at most a few seconds. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MILLIS);
        handlers.shutdownGracefully(HANDLER_QUIET_MILLIS, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                .syncUninterruptibly();
        group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).syncUninterruptibly();
        if (tls != null) {
            tls.close();
        }
    }

    /** Closes a connection that saw no traffic for the idle timeout. */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class IdleClose extends ChannelInboundHandlerAdapter {
        static final IdleClose INSTANCE = new IdleClose();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            } else {
                super.userEventTriggered(ctx, evt);
            }
        }
    }
}
