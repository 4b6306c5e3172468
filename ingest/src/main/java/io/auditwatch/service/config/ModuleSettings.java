package io.auditwatch.service.config;

import io.auditwatch.alerting.AlertingConfigException;
import io.auditwatch.alerting.AlertingSettings;
import io.auditwatch.alerting.EscalationStep;
import io.auditwatch.alerting.SmtpSettings;
import io.auditwatch.heartbeat.HeartbeatConfigException;
import io.auditwatch.heartbeat.HeartbeatSettings;
import io.auditwatch.heartbeat.HeartbeatSource;
import io.auditwatch.heartbeat.Inventory;
import io.auditwatch.heartbeat.Stream;
import io.auditwatch.ingest.classify.FragmentReassembler;
import io.auditwatch.ingest.envelope.EnvelopeCodec;
import io.auditwatch.ingest.kafka.LivenessSettings;
import io.auditwatch.ingest.kafka.PublisherSettings;
import io.auditwatch.ingest.spool.SpoolSettings;
import io.auditwatch.ingest.transport.TlsPolicy;
import io.auditwatch.ingest.transport.TlsContextSource;
import io.auditwatch.service.admin.AdminSettings;
import io.auditwatch.service.admin.AdminTls;
import io.netty.handler.ssl.ClientAuth;
import io.auditwatch.service.admin.BasicCredentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the validated configuration into the settings records the modules and the data path
 * declare (they know nothing of YAML, environment variables or defaults: every default is in
 * {@link Keys}). Their own validation errors come back as {@link ConfigException}s that name where
 * the bad value came from.
 */
public final class ModuleSettings {
    private ModuleSettings() {
    }

    public static AlertingSettings alerting(Config c) {
        Map<String, List<String>> recipients = c.map("alerting.recipients");
        Map<String, List<String>> routes = c.map("alerting.routes");
        List<EscalationStep> escalation = escalation(c);
        char[] password = Secrets.read(c, Keys.SMTP_PASSWORD, Keys.SMTP_PASSWORD_FILE);
        String outbox = c.get(Keys.ALERT_OUTBOX);
        Path outboxDir = outbox.isEmpty() ? Path.of(c.get(Keys.DATA_DIR), "outbox") : Path.of(outbox);
        String trust = c.get(Keys.SMTP_TRUST_CA);
        try {
            SmtpSettings smtp = new SmtpSettings(c.get(Keys.SMTP_HOST), c.get(Keys.SMTP_PORT),
                    c.get(Keys.SMTP_STARTTLS), c.get(Keys.SMTP_USERNAME),
                    password == null ? "" : new String(password), c.get(Keys.SMTP_CONNECT_TIMEOUT),
                    c.get(Keys.SMTP_READ_TIMEOUT), c.get(Keys.SMTP_WRITE_TIMEOUT),
                    trust.isEmpty() ? null : Path.of(trust), c.get(Keys.SMTP_CHECK_IDENTITY));
            return new AlertingSettings(recipients, routes, escalation, smtp, c.get(Keys.ALERT_FROM),
                    c.get(Keys.ALERT_GROUP_WINDOW), c.get(Keys.ALERT_REPEAT), outboxDir, c.get(Keys.ALERT_RETRY_INITIAL),
                    c.get(Keys.ALERT_RETRY_MAX), c.get(Keys.ALERT_STATUS_URL));
        } catch (AlertingConfigException e) {
            throw new ConfigException(c.origin(e.key()), e.key(), problem(e.getMessage(), e.key()));
        }
    }

    /**
     * The TLS versions and cipher suites of every TLS server socket ({@code tls.*}); the admin
     * server's TLS uses the same policy as the listeners.
     */
    public static TlsPolicy tlsPolicy(Config c) {
        List<String> protocols = c.get(Keys.TLS_PROTOCOLS);
        List<String> suites = c.get(Keys.TLS_CIPHER_SUITES);
        try {
            TlsPolicy.checkProtocols(protocols);
        } catch (IllegalArgumentException e) {
            throw c.invalid(Keys.TLS_PROTOCOLS, e.getMessage());
        }
        try {
            return new TlsPolicy(protocols, suites);
        } catch (IllegalArgumentException e) {
            throw c.invalid(Keys.TLS_CIPHER_SUITES, e.getMessage());
        }
    }

    public static HeartbeatSettings heartbeat(Config c) {
        Set<Stream> streams = EnumSet.noneOf(Stream.class);
        streams.addAll(c.get(Keys.HB_ENROL_STREAMS));
        try {
            return new HeartbeatSettings(c.get(Keys.HB_DEFAULT_THRESHOLD), c.get(Keys.HB_GRACE),
                    c.get(Keys.HB_UNKNOWN), streams,
                    c.get(Keys.HB_EVENT_LAG), c.get(Keys.HB_CONSUMER_LAG), c.get(Keys.HB_FLUSH),
                    c.get(Keys.HB_AUDIT_DISABLED), c.get(Keys.HB_MAX_STREAMS));
        } catch (HeartbeatConfigException e) {
            throw new ConfigException(c.origin(e.key()), e.key(), problem(e.getMessage(), e.key()));
        }
    }

    /**
     * How the publisher reaches Kafka.
     *
     * @param bootstrapServers the configured cluster, or the embedded broker's address
     * @param clientProperties the Kafka client properties of {@code kafka.client-properties-file}
     */
    public static PublisherSettings publisher(Config c, String bootstrapServers, Map<String, String> clientProperties) {
        // With the spool, what Kafka has not acknowledged by the deadline stays on disk for the next start.
        Duration closeDeadline = c.get(Keys.SPOOL_ENABLED) ? c.get(Keys.SPOOL_DRAIN_DEADLINE) : c.get(Keys.KAFKA_CLOSE_DEADLINE);
        long maxValue = EnvelopeCodec.maxEncodedBytes(largestAcceptedMessage(c));
        try {
            PublisherSettings s = new PublisherSettings(bootstrapServers, c.get(Keys.KAFKA_TOPIC),
                    c.get(Keys.KAFKA_PARTITIONS), c.get(Keys.KAFKA_REPLICATION).shortValue(), c.get(Keys.KAFKA_QUEUE_BYTES),
                    c.get(Keys.KAFKA_MAX_BLOCK), closeDeadline, clientProperties, c.get(Keys.KAFKA_HEALTH_INTERVAL),
                    c.get(Keys.KAFKA_DEAD_LETTER_TOPIC), maxValue);
            if (s.queueBytes() < s.maxRecordBytes()) {
                throw c.invalid(Keys.KAFKA_QUEUE_BYTES, "must hold the largest record, " + s.maxRecordBytes() + " bytes");
            }
            return s;
        } catch (IllegalArgumentException e) {
            throw c.invalid(Keys.KAFKA_DEAD_LETTER_TOPIC, e.getMessage());
        }
    }

    /**
     * The liveness summaries ingest publishes for heartbeat, or null when heartbeat judges every event
     * ({@code heartbeat.source: events}) and nobody reads them.
     */
    public static LivenessSettings liveness(Config c) {
        if (c.get(Keys.HB_SOURCE) != HeartbeatSource.SUMMARIES) {
            return null;
        }
        if (c.get(Keys.KAFKA_LIVENESS_TOPIC).equals(c.get(Keys.KAFKA_TOPIC))) {
            throw c.invalid(Keys.KAFKA_LIVENESS_TOPIC, "must be a topic other than kafka.topic");
        }
        try {
            return new LivenessSettings(c.get(Keys.KAFKA_LIVENESS_TOPIC), c.get(Keys.KAFKA_LIVENESS_INTERVAL),
                    c.get(Keys.KAFKA_LIVENESS_MAX_KEYS));
        } catch (IllegalArgumentException e) {
            throw c.invalid(Keys.KAFKA_LIVENESS_INTERVAL, e.getMessage());
        }
    }

    /**
     * The longest raw message any listener accepts, in bytes: a frame or GELF payload of
     * {@code listeners.max-message-size}, a line joined from Docker's 16 KiB pieces (1 MiB of text
     * plus the pieces' headers), or, with the fluentd listener, a Forward request (its raw bytes are
     * the request in Message mode). The envelope's size budget is computed from it.
     */
    public static long largestAcceptedMessage(Config c) {
        long largest = Math.max(c.get(Keys.MAX_MESSAGE_SIZE),
                FragmentReassembler.maxReassembledRawBytes(FragmentReassembler.DEFAULT_MAX_REASSEMBLED_BYTES));
        if (c.get(Keys.FLUENTD_ENABLED)) {
            largest = Math.max(largest, c.get(Keys.FLUENTD_MAX_REQUEST));
        }
        return largest;
    }

    /** The disk spool under {@code <data-dir>/spool}. */
    public static SpoolSettings spool(Config c) {
        try {
            return new SpoolSettings(Path.of(c.get(Keys.DATA_DIR), "spool"), c.get(Keys.SPOOL_MAX_BYTES),
                    c.get(Keys.SPOOL_FSYNC), c.get(Keys.SPOOL_FSYNC_INTERVAL), c.get(Keys.SPOOL_ALERT_FILL) / 100.0,
                    c.get(Keys.SPOOL_MIN_FREE_BYTES), c.get(Keys.SPOOL_MIN_FREE_PERCENT));
        } catch (IllegalArgumentException e) {
            throw c.invalid(Keys.SPOOL_MAX_BYTES, e.getMessage());
        }
    }

    /**
     * The admin server: address, the credentials of both roles, TLS, the Host names it answers.
     *
     * @throws ConfigException when {@code admin.host} is not loopback and nothing authenticates
     *     (no credentials, no mutual TLS) unless {@code admin.allow-unauthenticated} is true; when a
     *     user name has no password; when TLS files are missing or half configured
     */
    public static AdminSettings admin(Config c) {
        AdminSettings a = AdminSettings.of(c.get(Keys.ADMIN_HOST), c.get(Keys.ADMIN_PORT))
                .withCredentials(credentials(c, Keys.ADMIN_USERNAME, Keys.ADMIN_PASSWORD, Keys.ADMIN_PASSWORD_FILE))
                .withReadCredentials(credentials(c, Keys.ADMIN_READ_USERNAME, Keys.ADMIN_READ_PASSWORD,
                        Keys.ADMIN_READ_PASSWORD_FILE))
                .withTls(adminTls(c))
                .withAllowedHosts(c.get(Keys.ADMIN_ALLOWED_HOSTS))
                .withAllowUnauthenticated(c.get(Keys.ADMIN_ALLOW_UNAUTHENTICATED));
        if (c.get(Keys.ADMIN_PORT) > 0 && a.openToTheNetwork() && !a.allowUnauthenticated()) {
            throw c.invalid(Keys.ADMIN_HOST, "'" + a.host() + "' is not a loopback address and the admin API would"
                    + " answer without authentication: set " + Keys.ADMIN_USERNAME.path() + " (with "
                    + Keys.ADMIN_PASSWORD_FILE.path() + " or " + Keys.ADMIN_PASSWORD.envVar() + ") and/or "
                    + Keys.ADMIN_READ_USERNAME.path() + ", or " + Keys.ADMIN_TLS_CLIENT_AUTH.path()
                    + ": required, or, to accept the risk, " + Keys.ADMIN_ALLOW_UNAUTHENTICATED.path() + ": true");
        }
        return a;
    }

    private static BasicCredentials credentials(Config c, ConfigKey<String> userKey, ConfigKey<String> envOnly,
            ConfigKey<String> fileKey) {
        String user = c.get(userKey);
        if (user.isEmpty()) {
            return null;
        }
        char[] password = Secrets.read(c, envOnly, fileKey);
        if (password == null || password.length == 0) {
            throw c.invalid(userKey, "needs a password in " + fileKey.path() + " or " + envOnly.envVar());
        }
        try {
            return BasicCredentials.of(user, new String(password));
        } catch (IllegalArgumentException e) {
            throw c.invalid(userKey, e.getMessage());
        }
    }

    private static AdminTls adminTls(Config c) {
        String cert = c.get(Keys.ADMIN_TLS_CERT);
        String key = c.get(Keys.ADMIN_TLS_KEY);
        String ca = c.get(Keys.ADMIN_TLS_CLIENT_CA);
        ClientAuth auth = c.get(Keys.ADMIN_TLS_CLIENT_AUTH);
        if (cert.isEmpty() && key.isEmpty()) {
            if (auth != ClientAuth.NONE || !ca.isEmpty()) {
                throw c.invalid(Keys.ADMIN_TLS_CLIENT_AUTH, "client certificates need TLS: set "
                        + Keys.ADMIN_TLS_CERT.path() + " and " + Keys.ADMIN_TLS_KEY.path());
            }
            return null;
        }
        if (cert.isEmpty() || key.isEmpty()) {
            throw c.invalid(cert.isEmpty() ? Keys.ADMIN_TLS_CERT : Keys.ADMIN_TLS_KEY, "admin TLS needs both "
                    + Keys.ADMIN_TLS_CERT.path() + " and " + Keys.ADMIN_TLS_KEY.path());
        }
        if (auth != ClientAuth.NONE && ca.isEmpty()) {
            throw c.invalid(Keys.ADMIN_TLS_CLIENT_AUTH, "client-auth " + c.formatted(Keys.ADMIN_TLS_CLIENT_AUTH)
                    + " needs " + Keys.ADMIN_TLS_CLIENT_CA.path());
        }
        TlsContextSource.Material m = new TlsContextSource.Material(Path.of(cert), Path.of(key), null, new char[0],
                ca.isEmpty() ? null : Path.of(ca), auth);
        return new AdminTls(m, tlsPolicy(c), c.get(Keys.ADMIN_TLS_RELOAD), c.get(Keys.ADMIN_TLS_OPERATOR_SUBJECTS));
    }

    /** The inventory file's nodes, or an empty inventory when {@code heartbeat.inventory-file} is empty. */
    public static Inventory inventory(Config c) {
        String file = c.get(Keys.HB_INVENTORY);
        return file.isEmpty() ? Inventory.empty() : InventoryLoader.load(Path.of(file));
    }

    private static List<EscalationStep> escalation(Config c) {
        String text = c.get(Keys.ALERT_ESCALATION);
        List<EscalationStep> steps = new ArrayList<>();
        if (text.isBlank()) {
            return steps;
        }
        for (String step : text.split(",")) {
            int colon = step.indexOf(':');
            if (colon < 0) {
                throw c.invalid(Keys.ALERT_ESCALATION, "expected steps like '2h:ops,4h:ops+ciso', got '" + step.trim() + "'");
            }
            Duration after;
            try {
                after = ValueType.DURATION.parse(step.substring(0, colon));
            } catch (IllegalArgumentException e) {
                throw c.invalid(Keys.ALERT_ESCALATION, "'" + step.trim() + "': expected " + ValueType.DURATION.expected()
                        + " before ':'");
            }
            List<String> roles = new ArrayList<>();
            for (String r : step.substring(colon + 1).split("\\+")) {
                if (!r.isBlank()) {
                    roles.add(r.trim());
                }
            }
            steps.add(new EscalationStep(after, roles));
        }
        return steps;
    }

    private static String problem(String message, String key) {
        return message.startsWith(key + ": ") ? message.substring(key.length() + 2) : message;
    }
}
