package io.auditwatch.service.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Objects;

/**
 * One username and password of the admin server's HTTP Basic authentication
 * (RFC 7617). Only a SHA-256 digest of {@code username:password} is kept, so the password is not in
 * the heap for a dump to find, and {@link #toString()} never shows either.
 *
 * <p>The caller reads both from the environment or a file; they never come from the command line
 * and are never logged.
 */
public final class BasicCredentials {

    /** RFC 7617 section 2: the credentials follow this scheme name, case-insensitively. */
    private static final String SCHEME = "basic ";

    private final String username;
    private final byte[] digest;

    private BasicCredentials(String username, byte[] digest) {
        this.username = username;
        this.digest = digest;
    }

    /** The user name (not secret: it names who acted in logs and audit records). */
    public String username() {
        return username;
    }

    /**
     * @throws IllegalArgumentException when the username is empty or contains a colon (RFC 7617
     *     section 2: the user-id cannot contain one), or the password is empty
     */
    public static BasicCredentials of(String username, String password) {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (username.isEmpty() || username.indexOf(':') >= 0) {
            throw new IllegalArgumentException("admin username must be non-empty and contain no ':'");
        }
        if (password.isEmpty()) {
            throw new IllegalArgumentException("admin password must be non-empty");
        }
        return new BasicCredentials(username, sha256((username + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Whether an {@code Authorization} header value carries these credentials. The comparison of
     * fixed-length digests takes the same time whatever the input, so response timing tells an
     * attacker nothing about how much of a guess was right.
     *
     * @param authorization the header value, or null when absent
     */
    boolean matches(String authorization) {
        if (authorization == null || authorization.length() <= SCHEME.length()
                || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(authorization.substring(SCHEME.length()).trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(digest, sha256(decoded));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "BasicCredentials[redacted]";
    }
}
