package io.auditwatch.ingest.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS listener's key material from a PKCS#12 keystore and from PEM files, proved by real
 * handshakes on loopback sockets; reloading keeps the old certificates when new files are bad.
 */
class TlsContextSourceIT {
    @TempDir
    static Path dir;

    static TestPki pki;

    @BeforeAll
    static void certificates() throws Exception {
        pki = new TestPki(dir);
        pki.ca("ca");
        pki.leaf("server", "ca", "auditwatch-p12", "IP:127.0.0.1");
        pki.leaf("other", "ca", "auditwatch-renewed", "IP:127.0.0.1");
    }

    @Test
    void pkcs12KeystoreServesAHandshake() throws Exception {
        TlsContextSource.Material m = new TlsContextSource.Material(null, null, pki.file("server.p12"),
                TestPki.P12_PASSWORD, null, ClientAuth.NONE);
        assertEquals("auditwatch-p12", handshakeSubjectCn(TlsContextSource.build(m, TlsPolicy.INTERMEDIATE)));
    }

    @Test
    void wrongKeystorePasswordNamesTheFile() {
        TlsContextSource.Material m = new TlsContextSource.Material(null, null, pki.file("server.p12"),
                "wrong".toCharArray(), null, ClientAuth.NONE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TlsContextSource.build(m, TlsPolicy.INTERMEDIATE));
        assertTrue(e.getMessage().contains("server.p12"), e.getMessage());
    }

    @Test
    void clientAuthWithoutCaIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TlsContextSource.Material(pki.file("server.crt"),
                pki.file("server.key"), null, null, null, ClientAuth.REQUIRE));
    }

    @Test
    void changedFilesReloadAndBadOnesKeepThePrevious() throws Exception {
        Path cert = dir.resolve("live.crt");
        Path key = dir.resolve("live.key");
        AtomicInteger failures = new AtomicInteger();
        try (TlsContextSource source = serverPairSource(cert, key, failures)) {
            SslContext first = source.current();
            source.reloadIfChanged();
            assertSame(first, source.current(), "nothing changed, nothing reloaded");

            Files.writeString(cert, "not a certificate");
            Files.setLastModifiedTime(cert, FileTime.fromMillis(System.currentTimeMillis() + 10_000));
            source.reloadIfChanged();
            assertSame(first, source.current(), "bad files keep the previous certificates");
            assertEquals(1, failures.get());

            Files.copy(pki.file("other.crt"), cert, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(pki.file("other.key"), key, StandardCopyOption.REPLACE_EXISTING);
            Files.setLastModifiedTime(cert, FileTime.fromMillis(System.currentTimeMillis() + 20_000));
            source.reloadIfChanged();
            assertNotSame(first, source.current());
            assertEquals("auditwatch-renewed", handshakeSubjectCn(source.current()));
        }
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefusedNamingBothFiles() {
        TlsContextSource.Material m = new TlsContextSource.Material(pki.file("other.crt"), pki.file("server.key"), null,
                null, null, ClientAuth.NONE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TlsContextSource.build(m, TlsPolicy.INTERMEDIATE));
        assertTrue(e.getMessage().contains("server.key") && e.getMessage().contains("does not belong to the certificate"),
                e.getMessage());
    }

    @Test
    void aCertificateReplacedBeforeItsKeyKeepsThePreviousPairUntilBothAreNew() throws Exception {
        Path cert = dir.resolve("pair.crt");
        Path key = dir.resolve("pair.key");
        AtomicInteger failures = new AtomicInteger();
        try (TlsContextSource source = serverPairSource(cert, key, failures)) {
            SslContext first = source.current();
            Files.copy(pki.file("other.crt"), cert, StandardCopyOption.REPLACE_EXISTING);
            Files.setLastModifiedTime(cert, FileTime.fromMillis(System.currentTimeMillis() + 10_000));
            source.reloadIfChanged();
            assertSame(first, source.current(), "the new certificate with the old key is not served");
            assertEquals(1, failures.get());
            assertEquals("auditwatch-p12", handshakeSubjectCn(source.current()));

            Files.copy(pki.file("other.key"), key, StandardCopyOption.REPLACE_EXISTING);
            Files.setLastModifiedTime(key, FileTime.fromMillis(System.currentTimeMillis() + 20_000));
            source.reloadIfChanged();
            assertEquals("auditwatch-renewed", handshakeSubjectCn(source.current()));
            assertEquals(1, failures.get());
        }
    }

    /** A source reading {@code cert} and {@code key}, which start as the server pair; reloads only when asked. */
    private static TlsContextSource serverPairSource(Path cert, Path key, AtomicInteger failures) throws Exception {
        Files.copy(pki.file("server.crt"), cert, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(pki.file("server.key"), key, StandardCopyOption.REPLACE_EXISTING);
        return new TlsContextSource(new TlsContextSource.Material(cert, key, null, null, null, ClientAuth.NONE),
                TlsPolicy.INTERMEDIATE, Duration.ofHours(1), failures::incrementAndGet);
    }

    /** Serves one handshake with {@code ctx} and returns the CN the client saw. */
    private static String handshakeSubjectCn(SslContext ctx) throws Exception {
        javax.net.ssl.SSLContext server = ((JdkSslContext) ctx).context();
        try (SSLServerSocket ss = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            ss.setSSLParameters(TlsPolicy.INTERMEDIATE.applyTo(ss.getSSLParameters()));
            CompletableFuture<Void> accepted = CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) ss.accept()) {
                    s.startHandshake();
                    s.getInputStream().read();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SSLSocket c = (SSLSocket) pki.clientContext("ca", null).getSocketFactory()
                    .createSocket("127.0.0.1", ss.getLocalPort())) {
                c.startHandshake();
                X509Certificate peer = (X509Certificate) c.getSession().getPeerCertificates()[0];
                c.getOutputStream().write('x');
                accepted.get(30, TimeUnit.SECONDS);
                return cn(peer);
            }
        }
    }

    private static String cn(X509Certificate cert) throws Exception {
        for (javax.naming.ldap.Rdn rdn : new javax.naming.ldap.LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
            if (rdn.getType().equals("CN")) {
                return rdn.getValue().toString();
            }
        }
        return null;
    }
}
