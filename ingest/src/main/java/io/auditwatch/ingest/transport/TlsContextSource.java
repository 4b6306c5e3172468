package io.auditwatch.ingest.transport;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS listener's server context, built from PEM files or a PKCS#12 keystore and rebuilt when
 * those files change, so that renewed certificates apply to new connections without a restart.
 * Versions and cipher suites are those of the {@link TlsPolicy} (RFC 9662 updates RFC 5425's
 * cipher requirements; RFC 8996 deprecates TLS 1.0 and 1.1).
 *
 * <p>Certificate and key are one unit: a reload reads both files, checks that the key belongs to
 * the certificate ({@link KeyPair}), builds the whole context and only then swaps the one reference
 * new connections read. A renewal that replaces the two files one after the other is therefore
 * seen either as the old pair or as the new one, never as a mix: the half-replaced state fails the
 * check, keeps the previous context, and is logged and counted like any other bad material.
 */
public final class TlsContextSource implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TlsContextSource.class);

    /**
     * Server session timeout, one second longer than TLS 1.3's longest ticket lifetime (7 days, RFC
     * 8446 section 4.6.1): with it the JDK sends no NewSessionTicket after a TLS 1.3 handshake
     * (sun.security.ssl.NewSessionTicket, 17 to 25: "session timeout is too long").
     *
     * <p>Why that matters: syslog senders only write. A ticket the server sends after the handshake
     * stays unread in the sender's socket, and a socket closed with unread data sends a TCP RST
     * instead of a FIN. The RST makes this host's kernel drop everything the sender wrote that
     * auditwatch had not read yet: the last lines before a sender disconnects (a stopped container's
     * Docker connection, loggen: 5,217 of 6,000 messages lost in LoggenSenderIT before this). Nothing
     * is lost by it: syslog senders reconnect rarely and resume nothing.
     */
    static final long SESSION_TIMEOUT_SECONDS = TimeUnit.DAYS.toSeconds(7) + 1;
    /** How often the certificate files are checked for changes. */
    public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(30);

    /** Where the server's key material and the client CA come from. */
    public record Material(Path certFile, Path keyFile, Path keystoreFile, char[] keystorePassword, Path clientCaFile,
            ClientAuth clientAuth) {
        public Material {
            Objects.requireNonNull(clientAuth, "clientAuth");
            if (keystoreFile == null && (certFile == null || keyFile == null)) {
                throw new IllegalArgumentException("a TLS listener needs cert-file and key-file, or keystore-file");
            }
            if (clientAuth != ClientAuth.NONE && clientCaFile == null) {
                throw new IllegalArgumentException("client-auth " + clientAuth.name().toLowerCase(java.util.Locale.ROOT)
                        + " needs client-ca-file");
            }
        }

        List<Path> files() {
            List<Path> out = new ArrayList<>();
            for (Path p : new Path[] {certFile, keyFile, keystoreFile, clientCaFile}) {
                if (p != null) {
                    out.add(p);
                }
            }
            return out;
        }
    }

    private final Material material;
    private final TlsPolicy policy;
    private volatile SslContext current;
    private volatile List<FileTime> stamps;
    private final ScheduledExecutorService reloader;
    private final Runnable onReloadFailure;

    /**
     * Builds the first context (failing fast on bad material) and checks the files every
     * {@code reloadInterval}.
     *
     * @throws IllegalArgumentException when the material cannot be loaded; the message says which file
     */
    public TlsContextSource(Material material, TlsPolicy policy, Duration reloadInterval, Runnable onReloadFailure) {
        this.material = material;
        this.policy = Objects.requireNonNull(policy, "policy");
        this.onReloadFailure = onReloadFailure;
        this.stamps = stamps();
        this.current = build(material, policy);
        this.reloader = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "aw-tls-reload");
            t.setDaemon(true);
            return t;
        });
        long ms = reloadInterval.toMillis();
        reloader.scheduleWithFixedDelay(this::reloadIfChanged, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** The context for a new connection. */
    public SslContext current() {
        return current;
    }

    /** Rebuilds the context when a file changed; keeps the old one (and says so) when the new files are bad. */
    public void reloadIfChanged() {
        List<FileTime> now = stamps();
        if (now.equals(stamps)) {
            return;
        }
        try {
            current = build(material, policy);
            stamps = now;
            LOG.info("TLS certificates reloaded from {}", material.files());
        } catch (RuntimeException e) {
            // Not recorded as seen: the next check retries, e.g. once the key file has also been replaced.
            LOG.error("TLS certificates changed but cannot be loaded; keeping the previous ones: {}", e.getMessage());
            onReloadFailure.run();
        }
    }

    private List<FileTime> stamps() {
        List<FileTime> out = new ArrayList<>();
        for (Path p : material.files()) {
            try {
                out.add(Files.getLastModifiedTime(p));
            } catch (IOException e) {
                out.add(FileTime.fromMillis(-1));
            }
        }
        return out;
    }

    static SslContext build(Material m, TlsPolicy policy) {
        try {
            SslContextBuilder b;
            if (m.keystoreFile() != null) {
                // One file holds key and chain: read once, they are one unit.
                KeyStore ks = KeyStore.getInstance("PKCS12");
                try (InputStream in = new ByteArrayInputStream(Files.readAllBytes(m.keystoreFile()))) {
                    ks.load(in, m.keystorePassword());
                }
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, m.keystorePassword());
                b = SslContextBuilder.forServer(kmf);
            } else {
                KeyPair pair = KeyPair.read(m.certFile(), m.keyFile());
                b = SslContextBuilder.forServer(pair.key(), pair.chain());
            }
            if (m.clientCaFile() != null) {
                b.trustManager(new ByteArrayInputStream(Files.readAllBytes(m.clientCaFile())));
            }
            return policy.applyTo(b.sslProvider(SslProvider.JDK))
                    .clientAuth(m.clientAuth())
                    .sessionTimeout(SESSION_TIMEOUT_SECONDS)
                    .build();
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot load TLS material " + m.files() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        reloader.shutdownNow();
    }
}
