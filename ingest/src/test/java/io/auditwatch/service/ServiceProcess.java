package io.auditwatch.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The service as a child JVM ({@code Main run}) on the test's class path, for tests that signal or
 * kill it: its output goes to a log file, and {@link #start} returns once it logged
 * {@code auditwatch started}. Registered as an extension, it kills what it started after each test:
 *
 * <pre>{@code @RegisterExtension
 * final ServiceProcess services = new ServiceProcess();}</pre>
 */
public final class ServiceProcess implements AfterEachCallback {
    private final List<Process> children = new ArrayList<>();

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        for (Process p : children) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        children.clear();
    }

    /**
     * The AUDITWATCH_* variables of a service on {@code bootstrapServers} (null: the embedded broker
     * on a free port) with TCP and admin on loopback, UDP off and example recipients; the caller adds
     * or overrides.
     */
    public static Map<String, String> environment(Path data, String bootstrapServers, int tcpPort, int adminPort) {
        Map<String, String> env = new HashMap<>();
        env.put("AUDITWATCH_DATA_DIR", data.toString());
        if (bootstrapServers == null) {
            env.put("AUDITWATCH_KAFKA_EMBEDDED_PORT", "0");
        } else {
            env.put("AUDITWATCH_KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        }
        env.put("AUDITWATCH_LISTENERS_TCP_HOST", "127.0.0.1");
        env.put("AUDITWATCH_LISTENERS_TCP_PORT", Integer.toString(tcpPort));
        env.put("AUDITWATCH_LISTENERS_UDP_PORT", "0");
        env.put("AUDITWATCH_ADMIN_HOST", "127.0.0.1");
        env.put("AUDITWATCH_ADMIN_PORT", Integer.toString(adminPort));
        env.put("AUDITWATCH_ALERTING_RECIPIENTS_ISSO", "isso@example.org");
        env.put("AUDITWATCH_ALERTING_RECIPIENTS_SA", "sa@example.org");
        return env;
    }

    /**
     * Starts the service in {@code workDir} with {@code env} added to this JVM's environment; waits
     * until it started. Killed after the test.
     */
    public Process start(Path workDir, Map<String, String> env, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "io.auditwatch.service.Main", "run");
        pb.environment().putAll(env);
        pb.directory(workDir.toFile());
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        await().atMost(Duration.ofSeconds(90)).until(() -> !p.isAlive()
                || (Files.exists(log) && Files.readString(log).contains("auditwatch started")));
        children.add(p);
        assertTrue(p.isAlive(), () -> "the service did not start: " + tail(log));
        return p;
    }

    /** The last 4,000 characters of {@code log}, for a failure message. */
    public static String tail(Path log) {
        try {
            String s = Files.readString(log);
            return s.substring(Math.max(0, s.length() - 4_000));
        } catch (IOException e) {
            return e.toString();
        }
    }
}
