package io.auditwatch.service.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alerting.AlertingSettings;
import io.auditwatch.alerting.SmtpSettings;
import io.auditwatch.heartbeat.HeartbeatSettings;
import io.auditwatch.heartbeat.Stream;
import io.auditwatch.ingest.kafka.LivenessSettings;
import io.auditwatch.ingest.kafka.PublisherSettings;
import io.auditwatch.ingest.spool.SpoolSettings;
import io.auditwatch.service.admin.AdminSettings;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The settings records carry no defaults of their own: built from an empty configuration, every
 * field holds what {@link Keys} documents for its key (and so what config/README.md says).
 */
class ModuleSettingsTest {
    /** The only keys without a usable default: start-up insists on both. */
    private static final Map<String, String> RECIPIENTS = Map.of(
            "AUDITWATCH_ALERTING_RECIPIENTS_ISSO", "isso@x.example", "AUDITWATCH_ALERTING_RECIPIENTS_SA", "sa@x.example");

    private final Config empty = ConfigLoader.load(null, Map.of());

    @Test
    void heartbeatSettingsFromAnEmptyConfigurationAreTheDocumentedDefaults() {
        HeartbeatSettings h = ModuleSettings.heartbeat(empty);
        assertEquals(Keys.HB_DEFAULT_THRESHOLD.parsedDefault(), h.defaultThreshold());
        assertEquals(Keys.HB_GRACE.parsedDefault(), h.gracePeriod());
        assertEquals(Keys.HB_UNKNOWN.parsedDefault(), h.unknownNodes());
        assertEquals(EnumSet.copyOf(Keys.HB_ENROL_STREAMS.parsedDefault()), h.enrolStreams());
        assertEquals(EnumSet.allOf(Stream.class), h.enrolStreams());
        assertEquals(Keys.HB_EVENT_LAG.parsedDefault(), h.eventLagThreshold());
        assertEquals((long) Keys.HB_CONSUMER_LAG.parsedDefault(), h.consumerLagBound());
        assertEquals(Keys.HB_FLUSH.parsedDefault(), h.stateFlushInterval());
        assertEquals(Keys.HB_AUDIT_DISABLED.parsedDefault(), h.auditDisabledWindow());
        assertEquals(Keys.HB_MAX_STREAMS.parsedDefault(), h.maxTrackedStreams());
        h.validate();
    }

    @Test
    void livenessSettingsFromAnEmptyConfigurationAreTheDocumentedDefaultsAndEventsAsSourceMeansNone() {
        LivenessSettings l = ModuleSettings.liveness(empty);
        assertEquals(Keys.KAFKA_LIVENESS_TOPIC.parsedDefault(), l.topic());
        assertEquals(Keys.KAFKA_LIVENESS_INTERVAL.parsedDefault(), l.interval());
        assertEquals(Keys.KAFKA_LIVENESS_MAX_KEYS.parsedDefault(), l.maxKeys());
        assertNull(ModuleSettings.liveness(ConfigLoader.load(null, Map.of("AUDITWATCH_HEARTBEAT_SOURCE", "events"))));
    }

    @Test
    void aLivenessIntervalOutsideItsBoundsIsAConfigurationErrorNamingTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> ModuleSettings.liveness(
                ConfigLoader.load(null, Map.of("AUDITWATCH_KAFKA_LIVENESS_INTERVAL", "50ms"))));
        assertTrue(e.getMessage().contains("kafka.liveness-interval"), e.getMessage());
        assertTrue(e.getMessage().contains("100 ms"), e.getMessage());
    }

    @Test
    void alertingSettingsFromAnEmptyConfigurationAreTheDocumentedDefaults() {
        AlertingSettings a = ModuleSettings.alerting(ConfigLoader.load(null, RECIPIENTS));
        assertEquals(Keys.ALERT_FROM.parsedDefault(), a.from());
        assertEquals(Keys.ALERT_GROUP_WINDOW.parsedDefault(), a.groupWindow());
        assertEquals(Keys.ALERT_REPEAT.parsedDefault(), a.repeatInterval());
        assertEquals(Keys.ALERT_RETRY_INITIAL.parsedDefault(), a.retryInitial());
        assertEquals(Keys.ALERT_RETRY_MAX.parsedDefault(), a.retryMax());
        assertEquals(Keys.ALERT_STATUS_URL.parsedDefault(), a.statusUrl());
        assertEquals(Path.of(Keys.DATA_DIR.parsedDefault(), "outbox"), a.outboxDir());
        assertEquals(List.of(), a.escalation());
        assertEquals(Map.of(), a.routes());
        SmtpSettings smtp = a.smtp();
        assertFalse(smtp.enabled());
        assertEquals(Keys.SMTP_HOST.parsedDefault(), smtp.host());
        assertEquals(Keys.SMTP_PORT.parsedDefault(), smtp.port());
        assertEquals(Keys.SMTP_STARTTLS.parsedDefault(), smtp.tls());
        assertEquals(Keys.SMTP_USERNAME.parsedDefault(), smtp.username());
        assertEquals(Keys.SMTP_CONNECT_TIMEOUT.parsedDefault(), smtp.connectTimeout());
        assertEquals(Keys.SMTP_READ_TIMEOUT.parsedDefault(), smtp.readTimeout());
        assertEquals(Keys.SMTP_WRITE_TIMEOUT.parsedDefault(), smtp.writeTimeout());
        assertNull(smtp.trustCaFile());
        assertEquals(Keys.SMTP_CHECK_IDENTITY.parsedDefault(), smtp.checkServerIdentity());
    }

    @Test
    void publisherSettingsFromAnEmptyConfigurationAreTheDocumentedDefaults() {
        PublisherSettings p = ModuleSettings.publisher(empty, "127.0.0.1:9092", Map.of());
        assertEquals(Keys.KAFKA_TOPIC.parsedDefault(), p.topic());
        assertEquals(Keys.KAFKA_PARTITIONS.parsedDefault(), p.partitions());
        assertEquals(Keys.KAFKA_REPLICATION.parsedDefault().shortValue(), p.replicationFactor());
        assertEquals(Keys.KAFKA_QUEUE_BYTES.parsedDefault(), p.queueBytes());
        assertEquals(Keys.KAFKA_MAX_BLOCK.parsedDefault(), p.maxBlock());
        assertEquals(Keys.KAFKA_HEALTH_INTERVAL.parsedDefault(), p.healthCheckInterval());
        // The spool is on by default, so shutdown waits for the spool's drain deadline.
        assertEquals(Keys.SPOOL_DRAIN_DEADLINE.parsedDefault(), p.closeDeadline());
        PublisherSettings memoryOnly = ModuleSettings.publisher(ConfigLoader.load(null,
                Map.of("AUDITWATCH_SPOOL_ENABLED", "false")), "127.0.0.1:9092", Map.of());
        assertEquals(Keys.KAFKA_CLOSE_DEADLINE.parsedDefault(), memoryOnly.closeDeadline());
    }

    @Test
    void spoolSettingsFromAnEmptyConfigurationAreTheDocumentedDefaults() {
        SpoolSettings s = ModuleSettings.spool(empty);
        assertEquals(Path.of(Keys.DATA_DIR.parsedDefault(), "spool"), s.dir());
        assertEquals(Keys.SPOOL_MAX_BYTES.parsedDefault(), s.maxBytes());
        assertEquals(Keys.SPOOL_FSYNC.parsedDefault(), s.fsync());
        assertEquals(Keys.SPOOL_FSYNC_INTERVAL.parsedDefault(), s.fsyncInterval());
        assertEquals(Keys.SPOOL_ALERT_FILL.parsedDefault() / 100.0, s.alertFill());
    }

    @Test
    void adminSettingsFromAnEmptyConfigurationAreTheDocumentedDefaults() {
        AdminSettings a = ModuleSettings.admin(empty);
        assertEquals(Keys.ADMIN_HOST.parsedDefault(), a.host());
        assertEquals(Keys.ADMIN_PORT.parsedDefault(), a.port());
        assertNull(a.credentials());
    }
}
