package io.auditwatch.ingest.transport;

import io.auditwatch.ingest.envelope.Transport;
import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.auditwatch.ingest.pipeline.Ingestor;
import io.auditwatch.ingest.syslog.SyslogFrameDecoder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Syslog over TCP (RFC 6587): octet counting and non-transparent framing, decided frame by frame.
 * Connections are never closed for being idle: Docker's syslog driver loses the next message after
 * its connection is closed (moby #30979), so quiet senders keep their connection.
 */
public final class TcpListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpListener.class);

    /** Pending connections the kernel queues while the acceptor is busy: a reconnect storm after a restart. */
    static final int ACCEPT_BACKLOG = 1024;

    private final Channel server;
    private final Transport transport;

    private TcpListener(Channel server, Transport transport) {
        this.server = server;
        this.transport = transport;
    }

    /**
     * Binds and starts accepting.
     *
     * @param name the listener's configuration name
     * @throws ListenerException when the address cannot be bound
     */
    public static TcpListener start(String name, String host, int port, int maxMessageSize, EventLoops loops,
            Ingestor ingestor, ReadGate gate, IngestMetrics metrics) {
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
                        p.addLast("framer", new SyslogFrameDecoder(maxMessageSize, new CountingFramingListener(metrics)));
                        p.addLast("ingest", new FrameHandler(Transport.TCP, name, ingestor, gate, metrics));
                    }
                });
        try {
            Channel ch = b.bind(host, port).syncUninterruptibly().channel();
            LOG.info("Syslog TCP listener '{}' on {} ({})", name, ch.localAddress(), loops.name());
            return new TcpListener(ch, Transport.TCP);
        } catch (Exception e) {
            throw new ListenerException("cannot listen on TCP " + host + ":" + port + " (listeners." + name
                    + "): " + e.getMessage(), e);
        }
    }

    /** The bound port (the real one when 0 was configured). */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public boolean isBound() {
        return server.isActive();
    }

    public Transport transport() {
        return transport;
    }

    /** Stops accepting new connections; open connections are closed by the event loops' shutdown. */
    @Override
    public void close() {
        server.close().syncUninterruptibly();
    }
}
