package io.auditwatch.ingest.transport;

import io.auditwatch.ingest.envelope.Transport;
import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.auditwatch.ingest.pipeline.Ingestor;
import io.auditwatch.ingest.syslog.SyslogFrameDecoder;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream listener: syslog over TCP (RFC 6587) or over TLS (RFC 5425), octet counting and
 * non-transparent framing decided frame by frame. The pipeline's stages have stable names, in order:
 * {@code "guard"} (source and connection limits), {@code "tls"} and {@code "tls-identity"} (TLS only:
 * the handshake, then the client certificate's node identity), {@code "deadline-bytes"} (added by
 * {@code "deadline"}: after each read, the frame deadline runs while the framer holds an unfinished
 * frame), {@code "framer"}
 * ({@code SyslogFrameDecoder}), {@code "deadline"} (closes a connection whose frame is not finished
 * in time) and {@code "ingest"} (one frame to one event, through the read gate).
 *
 * <p>Connections are never closed for being idle: Docker's syslog driver loses the next message
 * after its connection is closed (moby #30979), so quiet senders keep their connection. Abuse is
 * bounded by connection limits and a per-frame read deadline instead ({@link ConnectionGuard}).
 */
public final class StreamListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamListener.class);

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
        Channel ch = StreamServer.bind(name, transport, host, port, loops, guard, tls, metrics,
                () -> {
                    SyslogFrameDecoder d = new SyslogFrameDecoder(maxMessageSize, new CountingFramingListener(metrics));
                    return new StreamServer.Framer(d, d::midFrame);
                },
                () -> new FrameHandler(transport, name, ingestor, gate, metrics));
        LOG.info("Syslog {} listener '{}' on {} ({})", transport.id().toUpperCase(java.util.Locale.ROOT), name,
                ch.localAddress(), loops.name());
        return new StreamListener(ch, transport);
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
