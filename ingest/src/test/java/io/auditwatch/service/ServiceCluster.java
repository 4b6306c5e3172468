package io.auditwatch.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Instances of the service as child JVMs ({@link ServiceProcess}) on one broker and in one
 * heartbeat consumer group, as a replicated deployment runs them: each with its own data
 * directory and ports, kept when it is killed, stopped or started again, and a log file per run.
 *
 * <p>Which instance judges which node is read from each instance's {@code /api/nodes}: the nodes
 * its heartbeat tracks, which are exactly the nodes of the partitions it owns.
 */
final class ServiceCluster {
    /**
     * Kafka client settings of every instance: a killed member's partitions move after its session
     * expired, so the session is the broker's minimum ({@code group.min.session.timeout.ms}, 6 s)
     * instead of the client's 45 s, with a member heartbeat every second.
     */
    static final String CLIENT_PROPERTIES = "session.timeout.ms=6000\nheartbeat.interval.ms=1000\n";
    /** The whole stop's bound ({@code shutdown.timeout}, 25 s) and the JVM's exit. */
    private static final Duration STOP_BUDGET = Duration.ofSeconds(30);
    /** A rebalance's longest wait is one session (6 s); instances start in seconds: generous on a loaded machine. */
    private static final Duration OWNERSHIP_WITHIN = Duration.ofSeconds(90);
    /**
     * How long the owners must stay the same to count as settled: a join under the cooperative
     * protocol is two rebalances, and the partitions it moves are owned by nobody between them.
     */
    private static final Duration SETTLED_FOR = Duration.ofSeconds(3);
    /** The log lines that tell who owned which partitions and who opened, mailed and resolved which alert. */
    private static final Pattern TRACE = Pattern.compile("alert opened|alert resolved|RESOLVED for|alert notification queued"
            + "|restored \\d+ open|heartbeat (took|released|lost) partitions|alerting (took|released|lost|reconciled)|alert store|alert record|skipped|unreadable|auditwatch st(arted|opped)");

    private final ServiceProcess processes;
    private final Path dir;
    private final String bootstrapServers;
    private final Map<String, String> knobs;
    private final List<Instance> instances = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();

    /** One instance: what stays across its runs, and its current process and log. */
    private static final class Instance {
        final int index;
        final Path data;
        final int tcpPort = TestService.freeTcpPort();
        final int adminPort = TestService.freeTcpPort();
        final List<Path> logs = new ArrayList<>();
        Process process;

        Instance(int index, Path data) {
            this.index = index;
            this.data = data;
        }

        Path log() {
            return logs.get(logs.size() - 1);
        }
    }

    /**
     * @param knobs AUDITWATCH_* variables every instance gets besides its own directory and ports,
     *     the broker, the example recipients and {@link #CLIENT_PROPERTIES}
     */
    ServiceCluster(ServiceProcess processes, Path dir, String bootstrapServers, Map<String, String> knobs) throws IOException {
        this.processes = processes;
        this.dir = dir;
        this.bootstrapServers = bootstrapServers;
        Path clientProperties = Files.writeString(dir.resolve("kafka-client.properties"), CLIENT_PROPERTIES);
        this.knobs = new HashMap<>(knobs);
        this.knobs.put("AUDITWATCH_KAFKA_CLIENT_PROPERTIES_FILE", clientProperties.toString());
    }

    /** Starts {@code count} new instances, one after the other. */
    void start(int count) throws IOException {
        for (int i = 0; i < count; i++) {
            Instance in = new Instance(instances.size(), dir.resolve("instance-" + instances.size()));
            instances.add(in);
            run(in);
        }
    }

    int size() {
        return instances.size();
    }

    /** Every instance's index. */
    List<Integer> all() {
        return instances.stream().map(in -> in.index).toList();
    }

    int tcpPort(int instance) {
        return instances.get(instance).tcpPort;
    }

    /** SIGKILL ({@link Process#destroyForcibly()}): nothing of the stop sequence runs. */
    void kill(int instance) throws InterruptedException {
        Process p = instances.get(instance).process;
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "instance " + instance + " still alive 30 s after SIGKILL");
    }

    /** SIGTERM ({@link Process#destroy()}) and the wait for the exit, within the stop's budget. */
    void stop(int instance) throws InterruptedException {
        Instance in = instances.get(instance);
        in.process.destroy();
        assertTrue(in.process.waitFor(STOP_BUDGET.toSeconds(), TimeUnit.SECONDS),
                () -> "instance " + instance + " still running " + STOP_BUDGET + " after SIGTERM:\n" + ServiceProcess.tail(in.log()));
    }

    /** Starts a stopped or killed instance again on its data directory and ports. */
    void restart(int instance) throws IOException {
        Instance in = instances.get(instance);
        assertTrue(!in.process.isAlive(), "instance " + instance + " is still running");
        run(in);
    }

    private void run(Instance in) throws IOException {
        Map<String, String> env = ServiceProcess.environment(in.data, bootstrapServers, in.tcpPort, in.adminPort);
        env.putAll(knobs);
        Path log = dir.resolve("instance-" + in.index + ".run-" + (in.logs.size() + 1) + ".log");
        in.logs.add(log);
        in.process = processes.start(dir, env, log);
    }

    /**
     * The nodes each running instance among {@code of} tracks now, by node; a node listed by two
     * instances (only while partitions move) has both.
     */
    Map<String, List<Integer>> trackers(Collection<Integer> of) {
        Map<String, List<Integer>> out = new TreeMap<>();
        for (int i : of) {
            for (String node : tracked(i)) {
                out.computeIfAbsent(node, n -> new ArrayList<>()).add(i);
            }
        }
        return out;
    }

    /**
     * Waits until every one of {@code nodes} is tracked by exactly one of the instances {@code by},
     * each of which is ready and tracks some, and that stayed so for {@link #SETTLED_FOR}; returns
     * the owner of each node.
     */
    Map<String, Integer> awaitOwnership(Collection<String> nodes, Collection<Integer> by) {
        try {
            await().atMost(OWNERSHIP_WITHIN).during(SETTLED_FOR).pollInterval(Duration.ofMillis(250))
                    .until(() -> settled(nodes, by));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("nodes not owned one instance each by " + by + " within " + OWNERSHIP_WITHIN + ": "
                    + trackers(by)
                    + "\nready: " + by.stream().map(i -> i + "=" + ready(i)).toList(), e);
        }
        Map<String, Integer> owners = new TreeMap<>();
        trackers(by).forEach((node, trackers) -> owners.put(node, trackers.get(0)));
        owners.keySet().retainAll(nodes);
        return owners;
    }

    private boolean settled(Collection<String> nodes, Collection<Integer> by) {
        Map<String, List<Integer>> trackers = trackers(by);
        return nodes.stream().allMatch(n -> trackers.getOrDefault(n, List.of()).size() == 1)
                && by.stream().allMatch(i -> ready(i) && trackers.values().stream().anyMatch(t -> t.contains(i)));
    }

    /** The nodes {@code instance}'s heartbeat tracks ({@code /api/nodes}); none when it does not answer. */
    List<String> tracked(int instance) {
        try {
            JsonNode doc = json.readTree(get(instance, "/api/nodes").body());
            List<String> out = new ArrayList<>();
            doc.get("nodes").forEach(row -> {
                if (!out.contains(row.get("node").asText())) {
                    out.add(row.get("node").asText());
                }
            });
            return out;
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private boolean ready(int instance) {
        try {
            return get(instance, "/ready").statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private HttpResponse<String> get(int instance, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instances.get(instance).adminPort + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** True when the current run of {@code instance} logged {@code text}. */
    boolean logged(int instance, String text) {
        try {
            return Files.readString(instances.get(instance).log()).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The lines of every run of every instance that tell who owned which partitions and who opened,
     * mailed and resolved which alert, each prefixed with instance and run.
     */
    String trace() {
        StringBuilder out = new StringBuilder();
        for (Instance in : instances) {
            for (int run = 0; run < in.logs.size(); run++) {
                String prefix = "  [instance " + in.index + ", run " + (run + 1) + "] ";
                try {
                    Files.readAllLines(in.logs.get(run)).stream().filter(l -> TRACE.matcher(l).find())
                            .forEach(l -> out.append(prefix).append(l).append('\n'));
                } catch (IOException e) {
                    out.append(prefix).append(e).append('\n');
                }
            }
        }
        return out.toString();
    }
}
