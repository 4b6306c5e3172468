package io.auditwatch.service;

import io.auditwatch.service.config.ConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The whole service on the embedded broker with free loopback ports, for end-to-end tests. Closing
 * it stops everything it started.
 *
 * <p>Started at once by {@link #start}, or for one test class as a JUnit extension: started before
 * its first test, closed after its last, its data under a temporary directory.
 *
 * <pre>{@code @RegisterExtension
 * static final TestService service = TestService.with(Map.of("AUDITWATCH_...", "..."));}</pre>
 *
 * A class that must prepare files first (certificates, an inventory) or skip when a tool is missing
 * does it in {@link #configuredBy}: that runs before the service starts, in the class's directory.
 */
public final class TestService implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    static {
        // An embedded broker whose data directory a finished test removed halts the JVM (Kafka's answer to
        // a failed log directory); in a test run that would end every later test without a word. Say it
        // and fail where it happens instead.
        org.apache.kafka.common.utils.Exit.setHaltProcedure((code, message) -> {
            System.err.println("TestService: an embedded Kafka broker asked to halt the JVM (" + code + "): " + message);
            throw new IllegalStateException("Kafka halt(" + code + ") refused in tests: " + message);
        });
    }

    /** Prepares what the service needs in {@code dir} and returns its AUDITWATCH_* overrides. */
    @FunctionalInterface
    public interface Setup {
        Map<String, String> overrides(Path dir) throws Exception;
    }

    /** Null when started at once. */
    private final Setup setup;
    /** The class's directory when run as an extension. */
    private Path dir;
    private Auditwatch service;
    private Map<String, String> env;
    private TopicReader events;

    private TestService(Auditwatch service, Map<String, String> env) {
        this.setup = null;
        this.service = service;
        this.env = env;
    }

    private TestService(Setup setup) {
        this.setup = setup;
    }

    /** A service whose data lives in {@code dataDir}; {@code overrides} are AUDITWATCH_* variables. */
    public static TestService start(Path dataDir, Map<String, String> overrides) {
        return start(dataDir, overrides, Clock.systemUTC());
    }

    public static TestService start(Path dataDir, Map<String, String> overrides, Clock clock) {
        Map<String, String> env = environment(dataDir, overrides);
        return new TestService(Auditwatch.start(ConfigLoader.load(null, env), clock), env);
    }

    /** A service for one test class, with these AUDITWATCH_* overrides; register it with {@code @RegisterExtension}. */
    public static TestService with(Map<String, String> overrides) {
        return new TestService(dir -> overrides);
    }

    /** A service for one test class whose overrides {@code setup} returns, having prepared its files. */
    public static TestService configuredBy(Setup setup) {
        return new TestService(setup);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (setup == null) {
            throw new IllegalStateException("register TestService.with(...) or configuredBy(...); start(...) runs at once");
        }
        dir = Files.createTempDirectory("auditwatch-service");
        Map<String, String> env = environment(dataDir(), setup.overrides(dir));
        service = Auditwatch.start(ConfigLoader.load(null, env), Clock.systemUTC());
        this.env = env;
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            if (service != null) {
                close();
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static Map<String, String> environment(Path dataDir, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("AUDITWATCH_DATA_DIR", dataDir.toString());
        env.put("AUDITWATCH_KAFKA_EMBEDDED_PORT", "0");
        env.put("AUDITWATCH_LISTENERS_TCP_HOST", "127.0.0.1");
        env.put("AUDITWATCH_LISTENERS_TCP_PORT", Integer.toString(freeTcpPort()));
        env.put("AUDITWATCH_LISTENERS_UDP_HOST", "127.0.0.1");
        env.put("AUDITWATCH_LISTENERS_UDP_PORT", Integer.toString(freeUdpPort()));
        env.put("AUDITWATCH_ADMIN_HOST", "127.0.0.1");
        env.put("AUDITWATCH_ADMIN_PORT", Integer.toString(freeTcpPort()));
        env.put("AUDITWATCH_ALERTING_RECIPIENTS_ISSO", "isso@example.org");
        env.put("AUDITWATCH_ALERTING_RECIPIENTS_SA", "sa@example.org");
        env.putAll(overrides);
        return env;
    }

    /** The class's own directory (extension only): the service's data in {@code data/}, anything else its tests write. */
    public Path dir() {
        return dir;
    }

    /** The service's {@code data-dir} (extension only). */
    public Path dataDir() {
        return dir.resolve("data");
    }

    /**
     * Waits until heartbeat owns its partitions and has caught up: a brand-new consumer group starts
     * at the end of audit.events, so events sent before that are not judged (by design).
     */
    public void awaitHeartbeatReading() {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                .until(() -> !service.heartbeat().ownedPartitions().isEmpty() && service.heartbeat().caughtUp());
    }

    public Auditwatch service() {
        return service;
    }

    public Map<String, String> env() {
        return env;
    }

    public int tcpPort() {
        return service.tcpPort();
    }

    public int udpPort() {
        return service.udpPort();
    }

    public String bootstrapServers() {
        return service.bootstrapServers();
    }

    /** Sends {@code line} and a LF on a new TCP connection to the syslog listener, as a sender's one message. */
    public void sendTcp(String line) throws IOException {
        try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), tcpPort())) {
            s.getOutputStream().write((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** A reader of {@code audit.events} from its beginning, made on first use, closed with the service. */
    public synchronized TopicReader events() {
        if (events == null) {
            events = new TopicReader(bootstrapServers(), "audit.events");
        }
        return events;
    }

    /** The subject of a mail a test's SMTP server received. */
    /** The alert keys an alert email reports (its {@code X-Auditwatch-Alert-Key} headers); empty for none. */
    public static java.util.List<String> alertKeys(jakarta.mail.internet.MimeMessage m) {
        try {
            String[] keys = m.getHeader("X-Auditwatch-Alert-Key");
            return keys == null ? java.util.List.of() : java.util.List.of(keys);
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String subject(jakarta.mail.internet.MimeMessage m) {
        try {
            return m.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The AUDITWATCH_* variables that mail alerts to a plain SMTP server on 127.0.0.1:{@code port} (GreenMail),
     * ISSO isso@agency.example and SA sa@agency.example, grouped for 1 s.
     */
    public static Map<String, String> smtpTo(int port) {
        return Map.of(
                "AUDITWATCH_ALERTING_SMTP_HOST", "127.0.0.1",
                "AUDITWATCH_ALERTING_SMTP_PORT", Integer.toString(port),
                "AUDITWATCH_ALERTING_SMTP_STARTTLS", "none",
                "AUDITWATCH_ALERTING_RECIPIENTS_ISSO", "isso@agency.example",
                "AUDITWATCH_ALERTING_RECIPIENTS_SA", "sa@agency.example",
                "AUDITWATCH_ALERTING_GROUP_WINDOW", "1s");
    }

    /** The AUDITWATCH_* variables of a TLS listener on 127.0.0.1:{@code port}; {@code clientCa} null for no mTLS. */
    public static Map<String, String> tlsListener(int port, Path cert, Path key, Path clientCa) {
        Map<String, String> env = new HashMap<>(Map.of(
                "AUDITWATCH_LISTENERS_TLS_HOST", "127.0.0.1",
                "AUDITWATCH_LISTENERS_TLS_PORT", Integer.toString(port),
                "AUDITWATCH_LISTENERS_TLS_CERT_FILE", cert.toString(),
                "AUDITWATCH_LISTENERS_TLS_KEY_FILE", key.toString()));
        if (clientCa != null) {
            env.put("AUDITWATCH_LISTENERS_TLS_CLIENT_CA_FILE", clientCa.toString());
            env.put("AUDITWATCH_LISTENERS_TLS_CLIENT_AUTH", "required");
        }
        return env;
    }

    @Override
    public synchronized void close() {
        try {
            if (events != null) {
                events.close();
            }
        } finally {
            service.close();
        }
    }

    /**
     * A TCP port free right now on every address and not handed out before in this JVM, taken below
     * the kernel's ephemeral range: a port from inside it (what {@code new ServerSocket(0)} gives) can
     * be taken by any outgoing connection before the service binds it, which a wildcard ({@code 0.0.0.0})
     * bind then fails on. Two successive picks never return the same port.
     */
    public static int freeTcpPort() {
        IOException last = null;
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = belowEphemeral();
            try (ServerSocket s = new ServerSocket(port)) {
                if (HANDED_OUT.add(port)) {
                    return port;
                }
            } catch (IOException taken) {
                last = taken; // in use: pick another
            }
        }
        throw new IllegalStateException("no free TCP port below the ephemeral range in 1,000 tries", last);
    }

    /** A random port in the 10,000 ports below {@code ip_local_port_range}'s first (32768 by default). */
    private static int belowEphemeral() {
        int first = 32768;
        try {
            // readAllLines, not readString: /proc files report size 0, and readString then reads wrongly.
            first = Integer.parseInt(java.nio.file.Files.readAllLines(
                    java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException notLinux) {
            // keep the default
        }
        if (first < 12_000) {
            first = 32768; // an unusual range: keep to the usual one
        }
        int low = first - 10_000;
        return java.util.concurrent.ThreadLocalRandom.current().nextInt(low, Math.max(low + 1, first));
    }

    /** A loopback UDP port free right now and not handed out before in this JVM. */
    public static int freeUdpPort() {
        while (true) {
            try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                if (HANDED_OUT.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();
}
