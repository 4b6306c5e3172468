package io.auditwatch.ingest.transport;

import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.SslContextBuilder;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The TLS versions and cipher suites every TLS server socket of auditwatch offers (keys
 * {@code tls.protocols} and {@code tls.cipher-suites}). One policy for the syslog, fluentd and GELF
 * listeners and the admin server: {@link #applyTo(SslContextBuilder)} for Netty contexts,
 * {@link #applyTo(SSLParameters)} for JDK sockets and engines.
 *
 * @param protocols TLS versions, a non-empty subset of {@link #ALLOWED_PROTOCOLS}
 * @param cipherSuites IANA cipher suite names in order of preference; each one the JDK supports, at
 *     least one for each protocol in {@code protocols}; the server's order wins
 */
public record TlsPolicy(List<String> protocols, List<String> cipherSuites) {
    /** TLS 1.0 and 1.1 are deprecated by RFC 8996; nothing older is accepted even when configured. */
    public static final Set<String> ALLOWED_PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");

    /**
     * Mozilla's "intermediate" server configuration (ssl-config.mozilla.org, guidelines 5.7): TLS
     * 1.3 and 1.2; AEAD suites with forward secrecy only (no CBC, no static RSA key exchange, no
     * SHA-1). Every client of the last decade that matters here speaks one of them: Docker's Go
     * syslog driver, rsyslog with GnuTLS or OpenSSL, syslog-ng, Prometheus, curl.
     */
    public static final TlsPolicy INTERMEDIATE = new TlsPolicy(List.of("TLSv1.3", "TLSv1.2"), List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"));

    /**
     * @throws IllegalArgumentException naming the bad entry; {@link #checkProtocols} and
     *     {@link #checkCipherSuites} say which list it came from
     */
    public TlsPolicy {
        protocols = List.copyOf(protocols);
        cipherSuites = List.copyOf(cipherSuites);
        checkProtocols(protocols);
        checkCipherSuites(protocols, cipherSuites);
    }

    /** @throws IllegalArgumentException when a protocol is empty, unknown or deprecated */
    public static void checkProtocols(List<String> protocols) {
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("expected TLSv1.3 and/or TLSv1.2, got an empty list");
        }
        for (String p : protocols) {
            if (!ALLOWED_PROTOCOLS.contains(p)) {
                throw new IllegalArgumentException("expected TLSv1.3 and/or TLSv1.2 (RFC 8996 deprecates older versions), got '"
                        + p + "'");
            }
        }
    }

    /** @throws IllegalArgumentException when a suite is unknown to the JDK or a protocol has none */
    public static void checkCipherSuites(List<String> protocols, List<String> cipherSuites) {
        Set<String> supported = Set.of(jdkSupported());
        List<String> tls13 = new ArrayList<>();
        List<String> tls12 = new ArrayList<>();
        for (String s : cipherSuites) {
            if (!supported.contains(s)) {
                throw new IllegalArgumentException("expected cipher suites the JDK supports (IANA names such as "
                        + "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), got '" + s + "'");
            }
            (isTls13Suite(s) ? tls13 : tls12).add(s);
        }
        if (protocols.contains("TLSv1.3") && tls13.isEmpty()) {
            throw new IllegalArgumentException("TLSv1.3 is offered but no TLS 1.3 suite (TLS_AES_*, TLS_CHACHA20_*) is listed");
        }
        if (protocols.contains("TLSv1.2") && tls12.isEmpty()) {
            throw new IllegalArgumentException("TLSv1.2 is offered but no TLS 1.2 suite (TLS_ECDHE_*, TLS_DHE_*) is listed");
        }
    }

    /** TLS 1.3 suites name no key exchange (RFC 8446 section B.4). */
    private static boolean isTls13Suite(String suite) {
        return suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20_");
    }

    private static String[] jdkSupported() {
        try {
            return SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no default TLS context", e);
        }
    }

    /** Restricts a Netty server context to this policy: exactly these protocols and suites, nothing the JDK adds. */
    public SslContextBuilder applyTo(SslContextBuilder builder) {
        return builder.protocols(protocols).ciphers(cipherSuites, IdentityCipherSuiteFilter.INSTANCE);
    }

    /** Restricts JDK parameters (an {@code SSLServerSocket}'s, an {@code HttpsServer}'s) to this policy. */
    public SSLParameters applyTo(SSLParameters parameters) {
        parameters.setProtocols(protocols.toArray(String[]::new));
        parameters.setCipherSuites(cipherSuites.toArray(String[]::new));
        parameters.setUseCipherSuitesOrder(true);
        return parameters;
    }
}
