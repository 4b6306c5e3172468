package io.auditwatch.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to the service (a child JVM, {@code Main run}) while its Kafka broker is stopped: the
 * process exits within {@code shutdown.timeout} (25 s) plus the JVM's own exit, its last log line
 * says the event it accepted during the outage waits in the spool, and after a restart with the
 * broker back that event is in Kafka (deploy/README.md, "Stopping").
 */
class StopBudgetIT {
    /** The JVM's exit after the last shutdown hook: milliseconds; a second is plenty on a loaded machine. */
    private static final Duration BUDGET_AND_EXIT = Duration.ofSeconds(25 + 5);
    private static final Pattern SPOOL_RECORDS = Pattern.compile("(?m)^auditwatch_spool_records (\\S+)$");

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();

    @RegisterExtension
    final ServiceProcess services = new ServiceProcess();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void sigtermWithTheBrokerStoppedExitsWithinTheBudgetAndTheAcceptedEventWaitsInTheSpool() throws Exception {
        Path data = tmp.resolve("service");
        int tcp = TestService.freeTcpPort();
        int admin = TestService.freeTcpPort();
        Path firstLog = tmp.resolve("first.log");
        Process first = start(data, tcp, admin, firstLog);
        await().atMost(Duration.ofSeconds(90)).until(() -> status(admin, "/ready") == 200);
        try (TopicReader events = broker.reader("audit.events")) {
            send(tcp, "stop-budget-before");
            events.awaitOne("stop-budget-before");
        }

        broker.stop();
        send(tcp, "stop-budget-during-outage");
        await().atMost(Duration.ofSeconds(30)).until(() -> spoolRecords(admin) >= 1);

        long t0 = System.nanoTime();
        first.destroy(); // SIGTERM
        boolean exited = first.waitFor(120, TimeUnit.SECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        String last = lastLine(firstLog, "auditwatch stopped in");
        System.out.printf("stop with the broker stopped: exited after %d ms; last line: %s%n", took.toMillis(), last);
        if (!exited) {
            fail("still running 120 s after SIGTERM:\n" + ServiceProcess.tail(firstLog));
        }
        assertTrue(took.compareTo(BUDGET_AND_EXIT) <= 0, "took " + took + "\n" + ServiceProcess.tail(firstLog));
        assertTrue(last.contains("in the spool at " + data.resolve("spool").toAbsolutePath()), last);

        broker.start();
        Process second = start(data, tcp, admin, tmp.resolve("second.log"));
        try (TopicReader events = broker.reader("audit.events")) {
            events.awaitOne("stop-budget-during-outage");
        }
        long t1 = System.nanoTime();
        second.destroy();
        assertTrue(second.waitFor(BUDGET_AND_EXIT.toSeconds(), TimeUnit.SECONDS), ServiceProcess.tail(tmp.resolve("second.log")));
        System.out.printf("stop with the broker up: exited after %d ms; last line: %s%n",
                (System.nanoTime() - t1) / 1_000_000, lastLine(tmp.resolve("second.log"), "auditwatch stopped in"));
    }

    private static void send(int port, String marker) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.getOutputStream().write(("<14>1 2026-12-04T03:00:00Z stop-node app - - - " + marker + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
    }

    private int status(int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    private double spoolRecords(int port) throws IOException, InterruptedException {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = SPOOL_RECORDS.matcher(body);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private Process start(Path data, int tcpPort, int adminPort, Path log) throws IOException {
        Map<String, String> env = ServiceProcess.environment(data, broker.bootstrapServers(), tcpPort, adminPort);
        env.put("AUDITWATCH_SPOOL_FSYNC", "always");
        return services.start(tmp, env, log);
    }

    private static String lastLine(Path log, String containing) throws IOException {
        List<String> lines = Files.readAllLines(log);
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).contains(containing)) {
                return lines.get(i);
            }
        }
        return "(no line with '" + containing + "')";
    }
}
