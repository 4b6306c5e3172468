package io.auditwatch.ingest.transport;

import io.auditwatch.ingest.log.RateLimitedLog;
import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After the TLS handshake: counts and logs a failed one with the peer address, and hands the
 * verified client certificate's identity (SAN DNS name, else CN) to the connection's ingest stage.
 */
public final class TlsIdentityHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(TlsIdentityHandler.class);
    /** One rate-limited log per failure reason (a closed set, see {@link #reason}). */
    private static final java.util.concurrent.ConcurrentHashMap<String, RateLimitedLog> FAILURES =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** GeneralName type of a dNSName in subjectAltName (RFC 5280, 4.2.1.6). */
    private static final int SAN_DNS = 2;

    /** The stage that attributes what the connection sends: takes the verified certificate identity. */
    interface IdentitySink {
        void certificateIdentity(String identity);
    }

    private final IdentitySink ingest;
    private final IngestMetrics metrics;

    TlsIdentityHandler(IdentitySink ingest, IngestMetrics metrics) {
        this.ingest = ingest;
        this.metrics = metrics;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
            if (!done.isSuccess()) {
                String reason = reason(done.cause());
                metrics.tlsHandshakeFailed(reason);
                FAILURES.computeIfAbsent(reason, r -> new RateLimitedLog(LOG, "TLS handshakes failed (" + r + ")"))
                        .record("with " + remote.getAddress().getHostAddress() + ": "
                                + (done.cause() == null ? "" : done.cause().getMessage()));
                ctx.close();
            } else {
                String identity = identity(ctx.pipeline().get(SslHandler.class));
                if (identity != null) {
                    ingest.certificateIdentity(identity);
                }
            }
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() instanceof javax.net.ssl.SSLException) {
            // Reported through the handshake completion event; the connection closes there.
            ctx.close();
            return;
        }
        super.exceptionCaught(ctx, cause);
    }

    /** A small closed set of reasons for the metric label. */
    static String reason(Throwable cause) {
        String m = cause == null || cause.getMessage() == null ? "" : cause.getMessage().toLowerCase(java.util.Locale.ROOT);
        if (m.contains("certificate_required") || m.contains("empty client certificate") || m.contains("peer not authenticated")) {
            return "no_client_certificate";
        }
        if (m.contains("certificate") || m.contains("pkix") || m.contains("unknown_ca") || m.contains("bad_certificate")) {
            return "bad_certificate";
        }
        if (m.contains("protocol") || m.contains("version")) {
            return "protocol";
        }
        if (cause instanceof javax.net.ssl.SSLHandshakeException) {
            return "handshake";
        }
        if (m.contains("timed out")) {
            return "timeout";
        }
        return cause instanceof javax.net.ssl.SSLException ? "not_tls" : "other";
    }

    /**
     * The verified client certificate's identity, or null when the client presented none (or
     * {@code ssl} is null). Public for the admin server, which maps it to a role.
     */
    public static String identity(SslHandler ssl) {
        if (ssl == null) {
            return null;
        }
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                return null;
            }
            return identity(leaf);
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** First SAN dNSName, else the subject's CN, else null. */
    static String identity(X509Certificate cert) {
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(SAN_DNS).equals(san.get(0))) {
                        return san.get(1).toString();
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // fall back to the CN
        }
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return null;
    }
}
