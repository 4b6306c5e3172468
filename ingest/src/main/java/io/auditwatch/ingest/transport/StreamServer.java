package io.auditwatch.ingest.transport;

import io.auditwatch.ingest.envelope.Transport;
import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The one way a stream listener (syslog, fluentd, gelf) binds: the same socket options and the same
 * named stages around its protocol's framer and ingest stage: {@code "guard"} (source and connection
 * limits), {@code "tls"} and {@code "tls-identity"} (TLS only), {@code "framer"}, {@code "deadline"},
 * {@code "ingest"}.
 */
final class StreamServer {
    /** Pending connections the kernel queues while the acceptor is busy: a reconnect storm after a restart. */
    static final int ACCEPT_BACKLOG = 1024;

    private StreamServer() {
    }

    /**
     * One connection's framer and whether it holds an unfinished frame (read on the connection's
     * event loop after each read): the frame deadline runs exactly while it does.
     */
    record Framer(ChannelHandler handler, BooleanSupplier midFrame) {
    }

    /**
     * @param name the listener's configuration name, for the error message
     * @param tls the TLS context source, or null for plain TCP
     * @throws ListenerException when the address cannot be bound
     */
    static Channel bind(String name, Transport transport, String host, int port, EventLoops loops,
            ConnectionGuard guard, TlsContextSource tls, IngestMetrics metrics, Supplier<Framer> framer,
            Supplier<ConnectionHandler<?>> ingest) {
        ServerBootstrap b = new ServerBootstrap()
                .group(loops.boss(), loops.workers())
                .channel(loops.serverChannel())
                .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        p.addLast("guard", guard.newHandler(transport));
                        ConnectionHandler<?> last = ingest.get();
                        if (tls != null) {
                            p.addLast("tls", tls.current().newHandler(ch.alloc()));
                            p.addLast("tls-identity", new TlsIdentityHandler(last, metrics));
                        }
                        Framer f = framer.get();
                        p.addLast("framer", f.handler());
                        p.addLast("deadline", guard.newFrameDeadline(transport, f.midFrame()));
                        p.addLast("ingest", last);
                    }
                });
        try {
            return b.bind(host, port).syncUninterruptibly().channel();
        } catch (Exception e) {
            throw new ListenerException("cannot listen on " + transport.id().toUpperCase(java.util.Locale.ROOT) + " "
                    + host + ":" + port + " (listeners." + name + "): " + e.getMessage(), e);
        }
    }
}
