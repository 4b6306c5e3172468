package io.auditwatch.service.config;

import io.auditwatch.alerting.AlertingConfigException;
import io.auditwatch.alerting.AlertingSettings;
import io.auditwatch.alerting.EscalationStep;
import io.auditwatch.alerting.SmtpSettings;
import io.auditwatch.heartbeat.HeartbeatConfigException;
import io.auditwatch.heartbeat.HeartbeatSettings;
import io.auditwatch.heartbeat.Inventory;
import io.auditwatch.heartbeat.Stream;
import io.auditwatch.ingest.classify.FragmentReassembler;
import io.auditwatch.ingest.envelope.EnvelopeCodec;
import io.auditwatch.ingest.kafka.PublisherSettings;
import io.auditwatch.ingest.spool.SpoolSettings;
import io.auditwatch.service.admin.AdminSettings;
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
                    c.get(Keys.SPOOL_FSYNC), c.get(Keys.SPOOL_FSYNC_INTERVAL), c.get(Keys.SPOOL_ALERT_FILL) / 100.0);
        } catch (IllegalArgumentException e) {
            throw c.invalid(Keys.SPOOL_MAX_BYTES, e.getMessage());
        }
    }

    /** The admin server's address and, when {@code admin.username} is set, its credentials. */
    public static AdminSettings admin(Config c) {
        AdminSettings a = AdminSettings.of(c.get(Keys.ADMIN_HOST), c.get(Keys.ADMIN_PORT));
        String user = c.get(Keys.ADMIN_USERNAME);
        if (user.isEmpty()) {
            return a;
        }
        char[] password = Secrets.read(c, Keys.ADMIN_PASSWORD, Keys.ADMIN_PASSWORD_FILE);
        if (password == null || password.length == 0) {
            throw c.invalid(Keys.ADMIN_USERNAME, "needs a password in " + Keys.ADMIN_PASSWORD_FILE.path() + " or "
                    + Keys.ADMIN_PASSWORD.envVar());
        }
        return a.withCredentials(BasicCredentials.of(user, new String(password)));
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
