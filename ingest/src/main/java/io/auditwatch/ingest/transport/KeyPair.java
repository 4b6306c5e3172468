package io.auditwatch.ingest.transport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server's private key and certificate chain read from PEM files in one go, and checked to
 * belong together: the key signs a random challenge that the leaf certificate's public key must
 * verify. A key file from one renewal with a certificate from another fails here, at load time,
 * instead of in every client's handshake.
 *
 * @param key the PKCS#8 private key ({@code -----BEGIN PRIVATE KEY-----}, unencrypted)
 * @param chain the certificates, leaf first
 */
record KeyPair(PrivateKey key, X509Certificate[] chain) {
    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    /** Key algorithms a TLS server key can have, tried in turn on the PKCS#8 bytes. */
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519");

    /** @throws IllegalArgumentException when a file is unreadable or malformed, or the key is not the certificate's */
    static KeyPair read(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
        byte[] certBytes = Files.readAllBytes(certFile);
        byte[] keyBytes = Files.readAllBytes(keyFile);
        X509Certificate[] chain = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(certBytes)).stream()
                .map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
        if (chain.length == 0) {
            throw new IllegalArgumentException("no PEM certificate in " + certFile);
        }
        PrivateKey key = privateKey(keyBytes, keyFile);
        if (!belongTogether(key, chain[0].getPublicKey())) {
            throw new IllegalArgumentException("the key in " + keyFile + " does not belong to the certificate in " + certFile
                    + " (" + chain[0].getSubjectX500Principal().getName() + ")");
        }
        return new KeyPair(key, chain);
    }

    private static PrivateKey privateKey(byte[] pem, Path file) {
        Matcher m = PKCS8.matcher(new String(pem, StandardCharsets.US_ASCII));
        if (!m.find()) {
            throw new IllegalArgumentException("expected an unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----) in " + file);
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(m.group(1)));
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException | NoSuchAlgorithmException e) {
                // not this algorithm
            }
        }
        throw new IllegalArgumentException("unsupported private key algorithm in " + file + " (expected RSA, EC or Ed25519)");
    }

    private static boolean belongTogether(PrivateKey key, PublicKey pub) throws GeneralSecurityException {
        if (!key.getAlgorithm().equals(pub.getAlgorithm())) {
            return false;
        }
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519: the key algorithm names the signature algorithm
        };
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(challenge);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(pub);
        verifier.update(challenge);
        return verifier.verify(signature);
    }
}
