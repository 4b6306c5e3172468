package io.auditwatch.service.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alerting.TlsMode;
import io.auditwatch.heartbeat.Stream;
import io.auditwatch.heartbeat.UnknownNodePolicy;
import io.auditwatch.ingest.spool.FsyncPolicy;
import io.netty.handler.ssl.ClientAuth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void defaultsApplyWithoutFile() {
        Config c = ConfigLoader.load(null, Map.of());
        assertEquals(5514, c.get(Keys.TCP_PORT));
        assertEquals(Duration.ofMinutes(15), c.get(Keys.HB_DEFAULT_THRESHOLD));
        assertEquals(64 * 1024L, c.get(Keys.MAX_MESSAGE_SIZE));
        assertEquals(List.of(), c.get(Keys.KAFKA_BOOTSTRAP));
        assertEquals("default", c.origin(Keys.TCP_PORT));
    }

    @Test
    void fileValuesAndNestedKeysAreRead() throws IOException {
        Path f = write("listeners:\n  tcp:\n    port: 6000\nkafka:\n  bootstrap-servers: [a:9092, b:9092]\n");
        Config c = ConfigLoader.load(f, Map.of());
        assertEquals(6000, c.get(Keys.TCP_PORT));
        assertEquals(List.of("a:9092", "b:9092"), c.get(Keys.KAFKA_BOOTSTRAP));
        assertEquals(f.toString(), c.origin(Keys.TCP_PORT));
    }

    @Test
    void environmentOverridesFileAndSplitsLists() throws IOException {
        Path f = write("listeners:\n  tcp:\n    port: 6000\n");
        Config c = ConfigLoader.load(f, Map.of("AUDITWATCH_LISTENERS_TCP_PORT", "7000",
                "AUDITWATCH_KAFKA_BOOTSTRAP_SERVERS", "k1:9092, k2:9092",
                "AUDITWATCH_HEARTBEAT_DEFAULT_THRESHOLD", "1h30m"));
        assertEquals(7000, c.get(Keys.TCP_PORT));
        assertEquals(List.of("k1:9092", "k2:9092"), c.get(Keys.KAFKA_BOOTSTRAP));
        assertEquals(Duration.ofMinutes(90), c.get(Keys.HB_DEFAULT_THRESHOLD));
        assertEquals("environment AUDITWATCH_LISTENERS_TCP_PORT", c.origin(Keys.TCP_PORT));
    }

    @Test
    void invalidValueNamesFileKeyAndExpectation() throws IOException {
        Path f = write("listeners:\n  tcp:\n    port: 70000\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of()));
        assertEquals("listeners.tcp.port", e.key());
        assertTrue(e.getMessage().startsWith(f.toString() + ": listeners.tcp.port: expected a port number"), e.getMessage());
        assertTrue(e.getMessage().contains("'70000'"), e.getMessage());
    }

    @Test
    void rfc3164ZoneIsTheCollectorsUnlessSet() throws IOException {
        assertEquals(java.time.ZoneId.systemDefault(), ConfigLoader.load(null, Map.of()).get(Keys.RFC3164_ZONE));
        Path f = write("listeners:\n  rfc3164-zone: America/Los_Angeles\n");
        assertEquals(java.time.ZoneId.of("America/Los_Angeles"), ConfigLoader.load(f, Map.of()).get(Keys.RFC3164_ZONE));
        assertEquals(java.time.ZoneOffset.ofHours(-5),
                ConfigLoader.load(null, Map.of("AUDITWATCH_LISTENERS_RFC3164_ZONE", "-05:00")).get(Keys.RFC3164_ZONE));
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(null, Map.of("AUDITWATCH_LISTENERS_RFC3164_ZONE", "Mars/Olympus")));
        assertEquals("listeners.rfc3164-zone", e.key());
        assertTrue(e.getMessage().contains("a time zone like"), e.getMessage());
    }

    @Test
    void invalidEnvironmentValueNamesTheVariable() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(null, Map.of("AUDITWATCH_ALERTING_REPEAT_INTERVAL", "soon")));
        assertEquals("environment AUDITWATCH_ALERTING_REPEAT_INTERVAL", e.origin());
        assertTrue(e.getMessage().contains("a duration like"), e.getMessage());
    }

    @Test
    void unknownKeyIsAnErrorListingTheKnownOnes() throws IOException {
        Path f = write("listeners:\n  tcp:\n    prot: 6000\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of()));
        assertEquals("listeners.tcp.prot", e.key());
        assertTrue(e.getMessage().contains("host, port"), e.getMessage());
    }

    @Test
    void secretInFileIsRefused() throws IOException {
        Path f = write("alerting:\n  smtp:\n    password: hunter2\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of()));
        assertFalse(e.getMessage().contains("hunter2"));
        assertTrue(e.getMessage().contains("AUDITWATCH_ALERTING_SMTP_PASSWORD"), e.getMessage());
    }

    @Test
    void secretFromEnvironmentIsRedactedInDescription() {
        Config c = ConfigLoader.load(null, Map.of("AUDITWATCH_ALERTING_SMTP_PASSWORD", "hunter2"));
        assertEquals("hunter2", c.get(Keys.SMTP_PASSWORD));
        String all = String.join("\n", c.describe());
        assertFalse(all.contains("hunter2"));
        assertTrue(all.contains("alerting.smtp.password = (set, redacted)"), all);
    }

    @Test
    void brokenYamlNamesLine() throws IOException {
        Path f = write("listeners:\n  tcp: [unclosed\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of()));
        assertTrue(e.getMessage().startsWith(f + ": (file): is not valid YAML"), e.getMessage());
    }

    @Test
    void missingFileIsAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir.resolve("nope.yaml"), Map.of()));
        assertTrue(e.getMessage().contains("does not exist"));
    }

    @Test
    void shippedConfigurationFileLoadsAndMirrorsEveryDefault() {
        Path shipped = Path.of("..", "config", "auditwatch.yaml");
        Config fromFile = ConfigLoader.load(shipped, Map.of());
        Config defaults = ConfigLoader.load(null, Map.of());
        for (ConfigKey<?> k : Keys.ALL) {
            if (k.path().startsWith("alerting.recipients.")) {
                continue; // the shipped file names example recipients; the code has none, so that start-up insists
            }
            assertEquals(defaults.get(k), fromFile.get(k), "config/auditwatch.yaml disagrees with Keys for " + k.path());
        }
    }

    @Test
    void furtherRolesRoutesAndEscalationReachTheAlertingSettings() throws IOException {
        Path f = write("""
                alerting:
                  recipients:
                    isso: [isso@agency.example]
                    sa: [sa@agency.example]
                    ops: [noc@agency.example]
                  routes:
                    kafka-unreachable: [isso, sa, ops]
                  escalation:
                    - after: 2h
                      roles: [ops]
                """);
        Config c = ConfigLoader.load(f, Map.of("AUDITWATCH_ALERTING_RECIPIENTS_CISO", "ciso@agency.example"));
        var a = ModuleSettings.alerting(c);
        assertEquals(List.of("noc@agency.example"), a.recipients().get("ops"));
        assertEquals(List.of("ciso@agency.example"), a.recipients().get("ciso"));
        assertEquals(List.of("isso", "sa", "ops"), a.routes().get("kafka-unreachable"));
        assertEquals(Duration.ofHours(2), a.escalation().get(0).after());
        assertEquals(List.of("ops"), a.escalation().get(0).roles());
    }

    @Test
    void escalationFromTheEnvironment() {
        Config c = ConfigLoader.load(null, Map.of("AUDITWATCH_ALERTING_RECIPIENTS_ISSO", "i@x.example",
                "AUDITWATCH_ALERTING_RECIPIENTS_SA", "s@x.example", "AUDITWATCH_ALERTING_RECIPIENTS_OPS", "o@x.example",
                "AUDITWATCH_ALERTING_ESCALATION", "1h:ops,4h:ops+sa"));
        var steps = ModuleSettings.alerting(c).escalation();
        assertEquals(2, steps.size());
        assertEquals(List.of("ops", "sa"), steps.get(1).roles());
    }

    @Test
    void alertingValidationComesBackNamingOriginAndKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> ModuleSettings.alerting(ConfigLoader.load(null,
                Map.of("AUDITWATCH_ALERTING_RECIPIENTS_ISSO", "i@x.example", "AUDITWATCH_ALERTING_RECIPIENTS_SA", "sa@"))));
        assertEquals("alerting.recipients.sa", e.key());
        assertTrue(e.getMessage().startsWith("environment AUDITWATCH_ALERTING_RECIPIENTS_SA"), e.getMessage());
    }

    @Test
    void sizesAndDurationsParse() {
        assertEquals(2L << 30, ValueType.SIZE.parse("2GiB"));
        assertEquals(500L, ValueType.DURATION.parse("500ms").toMillis());
        assertEquals(Duration.ofDays(7), ValueType.DURATION.parse("7d"));
        assertEquals(Duration.ofMinutes(15), ValueType.DURATION.parse("PT15M"));
        assertThrows(IllegalArgumentException.class, () -> ValueType.DURATION.parse("15 minutes"));
        assertThrows(IllegalArgumentException.class, () -> ValueType.SIZE.parse("12XB"));
    }

    @Test
    void misspeltEnvironmentVariableIsAnErrorNamingTheNearestKey() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(null, Map.of("AUDITWATCH_ADMIN_USERNAM", "ops")));
        assertEquals("environment AUDITWATCH_ADMIN_USERNAM", e.origin());
        assertTrue(e.getMessage().contains("did you mean AUDITWATCH_ADMIN_USERNAME (admin.username)?"), e.getMessage());
    }

    @Test
    void variablesReadElsewhereAndRecipientRolesAreNotKeyTypos() {
        Config c = ConfigLoader.load(null, Map.of("AUDITWATCH_CONFIG", "elsewhere.yaml",
                "AUDITWATCH_ALERTING_RECIPIENTS_OPS", "ops@x.example", "PATH", "/usr/bin"));
        assertEquals(List.of("ops@x.example"), c.map("alerting.recipients").get("ops"));
    }

    @Test
    void unknownFileKeySuggestsTheNearestKey() throws IOException {
        Path f = write("admin:\n  usernam: ops\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of()));
        assertTrue(e.getMessage().contains("did you mean admin.username?"), e.getMessage());
    }

    @Test
    void editDistanceCountsInsertionsDeletionsAndSubstitutions() {
        assertEquals(0, ConfigLoader.editDistance("port", "port"));
        assertEquals(2, ConfigLoader.editDistance("prot", "port"));
        assertEquals(1, ConfigLoader.editDistance("usernam", "username"));
        assertEquals(3, ConfigLoader.editDistance("kitten", "sitting"));
    }

    @Test
    void starttlsAcceptsEverySpellingItsEnumPromises() {
        ValueType<TlsMode> t = Keys.SMTP_STARTTLS.type();
        assertEquals(TlsMode.STARTTLS_REQUIRED, t.parse("required"));
        assertEquals(TlsMode.STARTTLS_REQUIRED, t.parse("STARTTLS-Required"));
        assertEquals(TlsMode.STARTTLS_OPPORTUNISTIC, t.parse("starttls-opportunistic"));
        assertEquals(TlsMode.IMPLICIT, t.parse("smtps"));
        assertEquals(TlsMode.NONE, t.parse("false"));
        assertEquals("required", t.format(TlsMode.STARTTLS_REQUIRED));
    }

    @Test
    void unknownEnumerationValueListsEveryAcceptedSpelling() throws IOException {
        Path f = write("alerting:\n  smtp:\n    starttls: maybe\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of()));
        assertEquals("alerting.smtp.starttls", e.key());
        assertTrue(e.getMessage().contains("one of none, opportunistic, required, implicit (also accepted: "
                + "starttls-opportunistic, starttls-required, smtps, true, false), got 'maybe'"), e.getMessage());
        ConfigException u = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(null, Map.of("AUDITWATCH_HEARTBEAT_UNKNOWN_NODES", "drop")));
        assertTrue(u.getMessage().contains("one of enrol, ignore (also accepted: enroll)"), u.getMessage());
    }

    @Test
    void enrolStreamsAreStreamsAndAnUnknownOneListsTheKnown() {
        Config c = ConfigLoader.load(null, Map.of("AUDITWATCH_HEARTBEAT_ENROL_STREAMS", "auditd, ucp-audit"));
        assertEquals(List.of(Stream.AUDITD, Stream.UCP_AUDIT), c.get(Keys.HB_ENROL_STREAMS));
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(null, Map.of("AUDITWATCH_HEARTBEAT_ENROL_STREAMS", "auditd,kernel")));
        assertEquals("heartbeat.enrol-streams", e.key());
        assertTrue(e.getMessage().contains("one of auditd, ucp-audit, dtr-audit, dockerd, container, other"), e.getMessage());
    }

    @Test
    void closedSetsArriveAsTheirEnumsAndAreDescribedInTheirFileSpelling() {
        Config c = ConfigLoader.load(null, Map.of("AUDITWATCH_HEARTBEAT_UNKNOWN_NODES", "Enroll",
                "AUDITWATCH_SPOOL_FSYNC", "interval", "AUDITWATCH_LISTENERS_TLS_CLIENT_AUTH", "optional"));
        assertEquals(UnknownNodePolicy.ENROL, c.get(Keys.HB_UNKNOWN));
        assertEquals(FsyncPolicy.INTERVAL, c.get(Keys.SPOOL_FSYNC));
        assertEquals(ClientAuth.OPTIONAL, c.get(Keys.TLS_CLIENT_AUTH));
        assertTrue(c.describe().contains("heartbeat.unknown-nodes = enrol  (environment AUDITWATCH_HEARTBEAT_UNKNOWN_NODES)"),
                c.describe().toString());
        assertTrue(c.describe().contains("listeners.tls.client-auth = optional  (environment AUDITWATCH_LISTENERS_TLS_CLIENT_AUTH)"),
                c.describe().toString());
    }

    @Test
    void smtpPasswordFileIsReadWithoutItsFinalLineBreak() throws IOException {
        Path secret = dir.resolve("smtp-password");
        Files.writeString(secret, "s3cret\n");
        Config c = ConfigLoader.load(null, Map.of("AUDITWATCH_ALERTING_RECIPIENTS_ISSO", "i@x.example",
                "AUDITWATCH_ALERTING_RECIPIENTS_SA", "s@x.example", "AUDITWATCH_ALERTING_SMTP_HOST", "relay.example",
                "AUDITWATCH_ALERTING_SMTP_USERNAME", "aw", "AUDITWATCH_ALERTING_SMTP_PASSWORD_FILE", secret.toString()));
        assertEquals("s3cret", ModuleSettings.alerting(c).smtp().password());
    }

    @Test
    void unreadableSmtpPasswordFileNamesTheKey() {
        Config c = ConfigLoader.load(null, Map.of("AUDITWATCH_ALERTING_SMTP_PASSWORD_FILE", dir.resolve("missing").toString()));
        ConfigException e = assertThrows(ConfigException.class, () -> ModuleSettings.alerting(c));
        assertEquals("alerting.smtp.password-file", e.key());
    }

    private Path write(String yaml) throws IOException {
        Path f = dir.resolve("auditwatch.yaml");
        Files.writeString(f, yaml);
        return f;
    }
}
