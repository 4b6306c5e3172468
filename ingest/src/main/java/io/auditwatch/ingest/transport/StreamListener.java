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
 * A stream listener: syslog over TCP (RFC 6587) or over TLS (RFC 5425), octet counting and
 * non-transparent framing decided frame by frame. The pipeline's stages have stable names, in order:
 * {@code "guard"} (source and connection limits), {@code "tls"} and {@code "tls-identity"} (TLS only:
 * the handshake, then the client certificate's node identity), {@code "deadline-bytes"} (added by
 * {@code "deadline"}: starts the frame deadline on the first byte of a frame), {@code "framer"}
 * ({@code SyslogFrameDecoder}), {@code "deadline"} (closes a connection whose frame is not finished
 * in time) and {@code "ingest"} (one frame to one event, through the read gate).
 *
 * <p>Connections are never closed for being idle: Docker's syslog driver loses the next message
 * after its connection is closed (moby #30979), so quiet senders keep their connection. Abuse is
 * bounded by connection limits and a per-frame read deadline instead ({@link ConnectionGuard}).
 */
public final class StreamListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamListener.class);

    /** Pending connections the kernel queues while the acceptor is busy: a reconnect storm after a restart. */
    static final int ACCEPT_BACKLOG = 1024;

    private final Channel server;
    private final Transport transport;

    private StreamListener(Channel server, Transport transport) {
        this.server = server;
        this.transport = transport;
    }

    /**
     * Binds and starts accepting.
     *
     * @param name the listener's configuration name ({@code tcp}, {@code tls})
     * @param tls the TLS context source for a TLS listener, null for plain TCP
     * @throws ListenerException when the address cannot be bound
     */
    public static StreamListener start(String name, Transport transport, String host, int port, int maxMessageSize,
            EventLoops loops, Ingestor ingestor, ReadGate gate, IngestMetrics metrics, ConnectionGuard guard,
            TlsContextSource tls) {
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
                        FrameHandler ingest = new FrameHandler(transport, name, ingestor, gate, metrics);
                        if (tls != null) {
                            p.addLast("tls", tls.current().newHandler(ch.alloc()));
                            p.addLast("tls-identity", new TlsIdentityHandler(ingest, metrics));
                        }
                        p.addLast("framer", new SyslogFrameDecoder(maxMessageSize, new CountingFramingListener(metrics)));
                        p.addLast("deadline", guard.newFrameDeadline(transport));
                        p.addLast("ingest", ingest);
                    }
                });
        try {
            Channel ch = b.bind(host, port).syncUninterruptibly().channel();
            LOG.info("Syslog {} listener '{}' on {} ({})", transport.id().toUpperCase(java.util.Locale.ROOT), name,
                    ch.localAddress(), loops.name());
            return new StreamListener(ch, transport);
        } catch (Exception e) {
            throw new ListenerException("cannot listen on " + transport.id().toUpperCase(java.util.Locale.ROOT) + " "
                    + host + ":" + port + " (listeners." + name + "): " + e.getMessage(), e);
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
