package io.auditwatch.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.service.config.ConfigReference;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: exit codes and messages a person (or a unit file) can act on. */
class MainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) {
        return Main.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    /** {@code run} with {@code env}: exit 2 before the embedded broker started; returns what it printed. */
    private String refusedBeforeAnythingStarts(Map<String, String> env) {
        assertEquals(2, run(env, "run"));
        assertFalse(Files.exists(dir.resolve("data").resolve("kafka")), "nothing started before the error");
        return err.toString(StandardCharsets.UTF_8);
    }

    private Map<String, String> recipients() {
        Map<String, String> env = new HashMap<>();
        env.put("AUDITWATCH_ALERTING_RECIPIENTS_ISSO", "isso@agency.example");
        env.put("AUDITWATCH_ALERTING_RECIPIENTS_SA", "sa@agency.example");
        env.put("AUDITWATCH_DATA_DIR", dir.resolve("data").toString());
        return env;
    }

    @Test
    void smtpCredentialsOverAPlainConnectionAreRefusedNamingTheKeys() throws Exception {
        Path password = Files.writeString(dir.resolve("smtp-password"), "s3cret");
        Path config = Files.writeString(dir.resolve("auditwatch.yaml"), "alerting:\n  smtp:\n    host: relay.example.org\n"
                + "    starttls: none\n    username: auditwatch\n    password-file: " + password + "\n");
        assertEquals(2, run(recipients(), "check-config", "--config", config.toString()));
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains(config.toString()) && text.contains("alerting.smtp.starttls")
                && text.contains("alerting.smtp.username") && text.contains("required or implicit"), text);
    }

    @Test
    void aTlsVersionBelow12IsRefused() throws Exception {
        Path config = Files.writeString(dir.resolve("auditwatch.yaml"), "tls:\n  protocols: [TLSv1.2, TLSv1.1]\n");
        assertEquals(2, run(recipients(), "check-config", "--config", config.toString()));
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("tls.protocols") && text.contains("'TLSv1.1'"), text);
    }

    @Test
    void aCipherSuiteTheJdkDoesNotKnowIsRefused() {
        Map<String, String> env = recipients();
        env.put("AUDITWATCH_TLS_CIPHER_SUITES", "TLS_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_NOPE");
        assertEquals(2, run(env, "check-config"));
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("tls.cipher-suites") && text.contains("TLS_ECDHE_RSA_WITH_NOPE"), text);
    }

    @Test
    void checkConfigPrintsWhatWouldListenWhere() {
        assertEquals(0, run(recipients(), "check-config", "--config", Path.of("..", "config", "auditwatch.yaml").toString()));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("syslog TCP: 127.0.0.1:5514"), text);
        assertTrue(text.contains("syslog TLS: disabled"), text);
        assertTrue(text.contains("kafka: embedded broker on 127.0.0.1:9092"), text);
        assertTrue(text.contains("configuration OK"), text);
    }

    @Test
    void nonLoopbackAdminWithoutAuthenticationExitsTwoNamingTheKeys() {
        Map<String, String> env = recipients();
        env.put("AUDITWATCH_ADMIN_HOST", "0.0.0.0");
        assertEquals(2, run(env, "check-config"));
        String text = err.toString(StandardCharsets.UTF_8);
        for (String key : new String[] {"admin.host", "admin.username", "admin.read-username", "admin.tls.client-auth",
                "admin.allow-unauthenticated"}) {
            assertTrue(text.contains(key), key + " named in: " + text);
        }
        err.reset();
        // The service refuses the same before it starts anything (no broker, no listener).
        assertEquals(2, org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                () -> run(env, "run")));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("admin.allow-unauthenticated"), err.toString());
    }

    @Test
    void nonLoopbackAdminIsAcceptedWithReadCredentialsOrExplicitConsent() {
        Map<String, String> env = recipients();
        env.put("AUDITWATCH_ADMIN_HOST", "0.0.0.0");
        env.put("AUDITWATCH_ADMIN_READ_USERNAME", "prometheus");
        env.put("AUDITWATCH_ADMIN_READ_PASSWORD", "scrape-only");
        assertEquals(0, run(env, "check-config"), err.toString(StandardCharsets.UTF_8));
        env.remove("AUDITWATCH_ADMIN_READ_USERNAME");
        env.remove("AUDITWATCH_ADMIN_READ_PASSWORD");
        env.put("AUDITWATCH_ADMIN_ALLOW_UNAUTHENTICATED", "true");
        assertEquals(0, run(env, "check-config"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void invalidValueExitsTwoNamingFileAndKey() throws IOException {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "heartbeat:\n  grace-period: soon\n");
        assertEquals(2, run(recipients(), "check-config", "--config", f.toString()));
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains(f + ": heartbeat.grace-period: expected a duration"), text);
    }

    @Test
    void misspeltEnvironmentVariableExitsTwoBeforeAnythingStarts() {
        Map<String, String> env = recipients();
        env.put("AUDITWATCH_ADMIN_USERNAM", "ops");
        String text = refusedBeforeAnythingStarts(env);
        assertTrue(text.contains("environment AUDITWATCH_ADMIN_USERNAM") && text.contains("AUDITWATCH_ADMIN_USERNAME"), text);
    }

    @Test
    void missingIssoStopsStartUpWithAClearError() {
        Map<String, String> env = recipients();
        env.remove("AUDITWATCH_ALERTING_RECIPIENTS_ISSO");
        String text = refusedBeforeAnythingStarts(env);
        assertTrue(text.contains("alerting.recipients.isso"), text);
    }

    @Test
    void aStopBudgetShorterThanTheDrainStopsStartUpNamingTheKey() {
        Map<String, String> env = recipients();
        env.put("AUDITWATCH_SHUTDOWN_TIMEOUT", "10s");
        String text = refusedBeforeAnythingStarts(env);
        assertTrue(text.contains("shutdown.timeout") && text.contains("drain deadline (8 s) plus 12 s"), text);
        err.reset();
        assertEquals(2, run(env, "check-config"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("shutdown.timeout"));
    }

    @Test
    void missingSaStopsStartUpWithAClearError() {
        Map<String, String> env = recipients();
        env.remove("AUDITWATCH_ALERTING_RECIPIENTS_SA");
        assertEquals(2, run(env, "check-config"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("alerting.recipients.sa"));
    }

    @Test
    void inventoryErrorsNameTheInventoryFileAndEntry() throws IOException {
        Path inv = dir.resolve("nodes.yaml");
        Files.writeString(inv, "roles:\n  manager:\n    streams:\n      ucp-audit: 5m\nnodes:\n  - name: mgr-1\n    role: manger\n");
        Map<String, String> env = recipients();
        env.put("AUDITWATCH_HEARTBEAT_INVENTORY_FILE", inv.toString());
        assertEquals(2, run(env, "check-config"));
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains(inv.toString()) && text.contains("manger"), text);
    }

    @Test
    void shippedInventoryExampleIsValid() {
        Map<String, String> env = recipients();
        env.put("AUDITWATCH_HEARTBEAT_INVENTORY_FILE", Path.of("..", "config", "nodes.yaml").toString());
        assertEquals(0, run(env, "check-config"), err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("inventory: 4 nodes"), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void checkConfigReferencePrintsTheGeneratedReferenceWithoutNeedingAValidConfiguration() {
        assertEquals(0, run(Map.of(), "check-config", "--reference"));
        assertEquals(ConfigReference.markdown(), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void unknownCommandExitsTwo() {
        assertEquals(2, run(recipients(), "frobnicate"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown command 'frobnicate'"));
    }

    @Test
    void nodesWithoutARunningInstanceSaysSo() {
        Map<String, String> env = recipients();
        env.put("AUDITWATCH_ADMIN_PORT", Integer.toString(TestService.freeTcpPort()));
        assertEquals(1, run(env, "nodes"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no auditwatch admin server answers"));
    }

    @Test
    void sendTestAlertWithoutAServiceWritesTheEmlToEveryRecipient() throws IOException {
        Map<String, String> env = recipients();
        env.put("AUDITWATCH_ADMIN_PORT", Integer.toString(TestService.freeTcpPort()));
        assertEquals(0, run(env, "send-test-alert"), err.toString(StandardCharsets.UTF_8));
        Path eml = dir.resolve("data").resolve("outbox").resolve("sent-eml");
        try (var files = Files.list(eml)) {
            String mail = Files.readString(files.findFirst().orElseThrow());
            assertTrue(mail.contains("isso@agency.example") && mail.contains("sa@agency.example"));
            assertTrue(mail.contains("TEST"));
        }
    }
}
