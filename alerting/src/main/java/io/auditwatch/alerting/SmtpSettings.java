package io.auditwatch.alerting;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to reach the SMTP relay. An empty {@link #host()} means no relay: notifications are written
 * as {@code .eml} files to the outbox folder and logged. Every value is given: the defaults of the
 * {@code alerting.smtp.*} keys live in the service's configuration table, not here.
 *
 * @param host relay host name or address; empty for the {@code .eml} folder
 * @param port relay port, 1..65535 (25 relay, 587 submission, 465 implicit TLS)
 * @param tls how the connection is protected
 * @param username SMTP AUTH user; empty for no authentication. Only with a {@code tls} that
 *     {@linkplain TlsMode#encrypts() encrypts}, so that the password never crosses in clear
 * @param password SMTP AUTH password, already read by the caller from a file or the environment;
 *     never logged, {@link #toString()} redacts it
 * @param connectTimeout TCP connect timeout ({@code mail.smtp.connectiontimeout})
 * @param readTimeout socket read timeout ({@code mail.smtp.timeout})
 * @param writeTimeout socket write timeout ({@code mail.smtp.writetimeout})
 * @param trustCaFile PEM file of the CA (or self-signed certificate) that signed the relay's
 *     certificate, added to nothing else: only this CA is trusted when set; null = the JDK trust store
 * @param checkServerIdentity verify that the relay's certificate names {@link #host()}; turn off
 *     only for a relay whose certificate lacks its name (tests use GreenMail's self-signed one)
 */
public record SmtpSettings(
        String host,
        int port,
        TlsMode tls,
        String username,
        String password,
        Duration connectTimeout,
        Duration readTimeout,
        Duration writeTimeout,
        Path trustCaFile,
        boolean checkServerIdentity) {

    public SmtpSettings {
        host = host == null ? "" : host.trim();
        username = username == null ? "" : username.trim();
        password = password == null ? "" : password;
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        Objects.requireNonNull(writeTimeout, "writeTimeout");
        if (port < 1 || port > 65535) {
            throw new AlertingConfigException("alerting.smtp.port", "expected 1..65535, got " + port);
        }
        requirePositive("alerting.smtp.connect-timeout", connectTimeout);
        requirePositive("alerting.smtp.read-timeout", readTimeout);
        requirePositive("alerting.smtp.write-timeout", writeTimeout);
        if (!username.isEmpty() && password.isEmpty()) {
            throw new AlertingConfigException("alerting.smtp.password-file",
                    "a password is required when alerting.smtp.username is set (this file, or alerting.smtp.password"
                            + " in the environment)");
        }
        if (!username.isEmpty() && !tls.encrypts()) {
            // RFC 4954 section 4: AUTH PLAIN and LOGIN carry the password in clear; a man in the
            // middle who strips 250-STARTTLS from the EHLO reply would read it.
            throw new AlertingConfigException("alerting.smtp.starttls",
                    "SMTP AUTH (alerting.smtp.username) is only sent over an encrypted connection: expected"
                            + " alerting.smtp.starttls required or implicit, got " + tls.id());
        }
        if (trustCaFile != null && !Files.isReadable(trustCaFile)) {
            throw new AlertingConfigException("alerting.smtp.trust-ca-file",
                    "expected a readable PEM file, got " + trustCaFile);
        }
    }

    /** Whether a relay is configured; false means {@code .eml} files. */
    public boolean enabled() {
        return !host.isEmpty();
    }

    private static void requirePositive(String key, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new AlertingConfigException(key, "expected a positive duration, got " + d);
        }
    }

    /** Secrets redacted: safe to log at start-up. */
    @Override
    public String toString() {
        return "SmtpSettings[host=" + host + ", port=" + port + ", tls=" + tls.id()
                + ", username=" + username + ", password=" + (password.isEmpty() ? "(none)" : "(redacted)")
                + ", connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout
                + ", writeTimeout=" + writeTimeout + ", trustCaFile=" + trustCaFile
                + ", checkServerIdentity=" + checkServerIdentity + "]";
    }
}
