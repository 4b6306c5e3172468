package io.auditwatch.alerting;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * How to reach the SMTP relay. An empty {@link #host()} means no relay: notifications are written
 * as {@code .eml} files to the outbox folder and logged (the embedded default).
 *
 * @param host relay host name or address; empty for the {@code .eml} folder
 * @param port relay port, 1..65535 (25 relay, 587 submission, 465 implicit TLS)
 * @param tls how the connection is protected
 * @param username SMTP AUTH user; empty for no authentication
 * @param password SMTP AUTH password, already read by the caller from a file or the environment
 *     (see {@link #readPassword}); never logged, {@link #toString()} redacts it
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

    /** Port 25: the relay port most internal MTAs listen on (RFC 5321 section 4.5.4). */
    public static final int DEFAULT_PORT = 25;
    /** Long enough for a relay across a WAN, short enough that a dead relay is noticed each retry. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /**
     * RFC 5321 section 4.5.3.2 lets a server take minutes per command; 60s covers a loaded relay
     * without holding the delivery thread for the RFC's full 10 minutes on a stuck one.
     */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(60);
    /** Environment variable holding the SMTP password when no password file is configured. */
    public static final String PASSWORD_ENV = "AUDITWATCH_ALERTING_SMTP_PASSWORD";

    public SmtpSettings {
        host = host == null ? "" : host.trim();
        username = username == null ? "" : username.trim();
        password = password == null ? "" : password;
        tls = tls == null ? TlsMode.STARTTLS_OPPORTUNISTIC : tls;
        connectTimeout = connectTimeout == null ? DEFAULT_CONNECT_TIMEOUT : connectTimeout;
        readTimeout = readTimeout == null ? DEFAULT_READ_TIMEOUT : readTimeout;
        writeTimeout = writeTimeout == null ? DEFAULT_WRITE_TIMEOUT : writeTimeout;
        if (port < 1 || port > 65535) {
            throw new AlertingConfigException("alerting.smtp.port", "expected 1..65535, got " + port);
        }
        requirePositive("alerting.smtp.connect-timeout", connectTimeout);
        requirePositive("alerting.smtp.read-timeout", readTimeout);
        requirePositive("alerting.smtp.write-timeout", writeTimeout);
        if (!username.isEmpty() && password.isEmpty()) {
            throw new AlertingConfigException("alerting.smtp.password-file",
                    "a password is required when alerting.smtp.username is set (file, or env " + PASSWORD_ENV + ")");
        }
        if (trustCaFile != null && !Files.isReadable(trustCaFile)) {
            throw new AlertingConfigException("alerting.smtp.trust-ca-file",
                    "expected a readable PEM file, got " + trustCaFile);
        }
    }

    /** No relay: the {@code .eml} outbox folder. */
    public static SmtpSettings none() {
        return new SmtpSettings("", DEFAULT_PORT, TlsMode.STARTTLS_OPPORTUNISTIC, "", "", null, null, null, null, true);
    }

    /** Whether a relay is configured; false means {@code .eml} files. */
    public boolean enabled() {
        return !host.isEmpty();
    }

    /**
     * Reads the SMTP password: the file's content (one trailing line break removed) when
     * {@code passwordFile} is non-empty, else the {@value #PASSWORD_ENV} environment variable, else
     * empty. For the configuration loader; secrets never come from the YAML file or the command line.
     *
     * @throws AlertingConfigException naming {@code alerting.smtp.password-file} if the file cannot be read
     */
    public static String readPassword(String passwordFile, Map<String, String> env) {
        if (passwordFile != null && !passwordFile.isBlank()) {
            try {
                String s = Files.readString(Path.of(passwordFile.trim()), StandardCharsets.UTF_8);
                if (s.endsWith("\n")) {
                    s = s.substring(0, s.length() - 1);
                }
                if (s.endsWith("\r")) {
                    s = s.substring(0, s.length() - 1);
                }
                return s;
            } catch (IOException | RuntimeException e) {
                // The exception text names the path only; the content is never part of a message.
                throw new AlertingConfigException("alerting.smtp.password-file",
                        "cannot read " + passwordFile.trim() + " (" + e.getClass().getSimpleName() + ")");
            }
        }
        String fromEnv = env == null ? null : env.get(PASSWORD_ENV);
        return fromEnv == null ? "" : fromEnv;
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
