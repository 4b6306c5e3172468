package io.auditwatch.ingest.transport;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates made for a test with the real {@code openssl} command: a CA, a server certificate
 * for 127.0.0.1, client certificates signed by the CA or by a rogue CA. Keys are PKCS#8 PEM (what
 * the listener reads) and PKCS#12 (what a Java client reads). Skips the test when openssl is absent.
 */
public final class TestPki {
    /** Test-only keystore password for the client's PKCS#12 bundle (never a real secret). */
    static final char[] P12_PASSWORD = "test-only".toCharArray();

    final Path dir;

    public TestPki(Path dir) {
        this.dir = dir;
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
    }

    /** A self-signed CA named {@code name}: {@code name.crt}, {@code name.key}. */
    public void ca(String name) throws IOException {
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", name + ".key", "-out", name + ".crt", "-days", "2", "-subj", "/CN=" + name,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    }

    /**
     * A leaf certificate {@code name.crt} with PKCS#8 key {@code name.key} and PKCS#12 bundle
     * {@code name.p12}, signed by {@code ca}.
     *
     * @param san subjectAltName value, e.g. {@code DNS:node-7.example.org} or {@code IP:127.0.0.1}; null for none
     */
    public void leaf(String name, String ca, String cn, String san) throws IOException {
        run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn);
        List<String> sign = new ArrayList<>(List.of("openssl", "x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt",
                "-CAkey", ca + ".key", "-CAcreateserial", "-out", name + ".crt", "-days", "2"));
        if (san != null) {
            Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=" + san + "\n");
            sign.addAll(List.of("-extfile", name + ".ext"));
        }
        run(sign.toArray(String[]::new));
        run("openssl", "pkcs12", "-export", "-in", name + ".crt", "-inkey", name + ".key", "-out", name + ".p12",
                "-passout", "pass:" + new String(P12_PASSWORD));
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    /** A client SSLContext trusting {@code ca}, presenting {@code client} (null: no certificate). */
    public SSLContext clientContext(String ca, String client) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(file(ca + ".crt"))) {
            trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (client != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(file(client + ".p12"))) {
                ks.load(in, P12_PASSWORD);
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, P12_PASSWORD);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    String run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new IOException("timed out: " + String.join(" ", cmd));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + out);
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            p.destroyForcibly();
        }
    }
}
