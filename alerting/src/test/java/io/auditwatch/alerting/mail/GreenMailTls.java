package io.auditwatch.alerting.mail;

import com.icegreen.greenmail.util.ServerSetup;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * GreenMail's self-signed test certificate ({@code greenmail.p12} inside greenmail-2.1.5.jar,
 * alias {@code greenmail}, password {@code changeit}; CN "GreenMail selfsigned Test Certificate",
 * no subject alternative names, so host-name verification must be off for it).
 */
public final class GreenMailTls {
    private static final char[] PASSWORD = "changeit".toCharArray();

    private GreenMailTls() {
    }

    static KeyStore keyStore() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = GreenMailTls.class.getClassLoader().getResourceAsStream("greenmail.p12")) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    /**
     * A GreenMail server on a free loopback port. Its SMTPS set-up can take longer than GreenMail's
     * 2 s start-up default on a busy machine: 30 s.
     */
    public static ServerSetup loopback(String protocol) {
        ServerSetup setup = new ServerSetup(0, "127.0.0.1", protocol);
        setup.setServerStartupTimeout(java.time.Duration.ofSeconds(30).toMillis());
        return setup;
    }

    /** Writes the certificate as PEM, the form {@code alerting.smtp.trust-ca-file} takes. */
    public static Path exportPem(Path dir) throws Exception {
        Certificate cert = keyStore().getCertificate("greenmail");
        String pem = "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        Path file = dir.resolve("greenmail-ca.pem");
        Files.writeString(file, pem, StandardCharsets.US_ASCII);
        return file;
    }

    /** A server-side context with GreenMail's key, for the STARTTLS proxy. */
    static SSLContext serverContext() throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore(), PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }
}
