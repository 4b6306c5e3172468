package io.auditwatch.service;

import io.auditwatch.alerting.AlertingSettings;
import io.auditwatch.heartbeat.Inventory;
import io.auditwatch.service.config.Config;
import io.auditwatch.service.config.ModuleSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import io.auditwatch.service.config.Keys;
import io.auditwatch.ingest.transport.ListenerException;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The subcommands behind {@link Main}. */
final class Commands {
    private static final Logger LOG = LoggerFactory.getLogger(Commands.class);

    private Commands() {
    }

    static int runService(Config config, Map<String, String> env) {
        Auditwatch aw;
        try {
            aw = Auditwatch.start(config, Clock.systemUTC());
        } catch (io.auditwatch.service.config.ConfigException e) {
            throw e; // Main prints it and exits 2
        } catch (ListenerException e) {
            LOG.error("auditwatch cannot start: {}", e.getMessage());
            return Main.EXIT_FAILURE;
        } catch (RuntimeException e) {
            LOG.error("auditwatch cannot start", e);
            return Main.EXIT_FAILURE;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Stopping: listeners close, accepted messages drain to Kafka");
            aw.close();
            stopped.countDown();
            LOG.info("auditwatch stopped");
        }, "aw-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Main.EXIT_OK;
    }

    static int checkConfig(Config config, Map<String, String> env, PrintStream out) {
        // The same validation start-up does, without starting anything.
        AlertingSettings alerting = ModuleSettings.alerting(config);
        ModuleSettings.heartbeat(config);
        ModuleSettings.admin(config);
        Inventory inventory = ModuleSettings.inventory(config);
        out.println("configuration: " + (config.file() == null ? "(defaults and environment only)" : config.file()));
        for (String line : config.describe()) {
            out.println("  " + line);
        }
        out.println("would listen on:");
        listen(out, "syslog UDP", config.get(Keys.UDP_HOST), config.get(Keys.UDP_PORT));
        listen(out, "syslog TCP", config.get(Keys.TCP_HOST), config.get(Keys.TCP_PORT));
        listen(out, "syslog TLS", config.get(Keys.TLS_HOST), config.get(Keys.TLS_PORT));
        listen(out, "admin HTTP", config.get(Keys.ADMIN_HOST), config.get(Keys.ADMIN_PORT));
        List<String> bootstrap = config.get(Keys.KAFKA_BOOTSTRAP);
        out.println(bootstrap.isEmpty()
                ? "kafka: embedded broker on 127.0.0.1:" + config.get(Keys.KAFKA_EMBEDDED_PORT) + ", data in "
                        + Path.of(config.get(Keys.DATA_DIR), "kafka")
                : "kafka: " + String.join(",", bootstrap));
        out.println("alerts: " + (alerting.smtp().enabled() ? "SMTP " + alerting.smtp().host() + ":" + alerting.smtp().port()
                + " (" + alerting.smtp().tls().id() + ")" : ".eml files in " + alerting.outboxDir().resolve("sent-eml"))
                + " to " + alerting.allAddresses());
        out.println("inventory: " + (inventory.nodes().isEmpty() ? "none (every node enrolled on first sight)"
                : inventory.nodes().size() + " nodes, " + inventory.roles().size() + " roles, "
                        + inventory.expectedStreamCount() + " expected (node, stream) pairs"));
        out.println("configuration OK");
        return Main.EXIT_OK;
    }

    private static void listen(PrintStream out, String what, String host, int port) {
        out.println("  " + what + ": " + (port == 0 ? "disabled" : host + ":" + port));
    }

    /** {@code nodes}: the state table of the running instance, from {@code GET /api/nodes}. */
    static int nodes(Config config, List<String> args, PrintStream out, PrintStream err) {
        AdminClient client = AdminClient.of(config);
        AdminClient.Reply r = client.get("/api/nodes");
        if (!r.ok()) {
            err.println("auditwatch: " + r.describe());
            return Main.EXIT_FAILURE;
        }
        out.print(NodeTable.render(r.json()));
        return Main.EXIT_OK;
    }

    /** {@code maintenance NODE UNTIL REASON...}. */
    static int maintenance(Config config, List<String> args, PrintStream out, PrintStream err) {
        if (args.size() < 3) {
            err.println("usage: auditwatch maintenance NODE UNTIL REASON   (UNTIL: 2026-11-24T08:00:00Z or 2h)");
            return Main.EXIT_CONFIG;
        }
        Map<String, String> body = new LinkedHashMap<>();
        body.put("node", args.get(0));
        body.put("until", args.get(1));
        body.put("reason", String.join(" ", args.subList(2, args.size())));
        return post(config, "/api/maintenance", body, out, err);
    }

    /** {@code decommission NODE}. */
    static int decommission(Config config, List<String> args, PrintStream out, PrintStream err) {
        if (args.size() != 1) {
            err.println("usage: auditwatch decommission NODE");
            return Main.EXIT_CONFIG;
        }
        return post(config, "/api/decommission", Map.of("node", args.get(0)), out, err);
    }

    /**
     * {@code send-test-alert}: through the running instance when its admin port answers (the
     * outbox belongs to it), else directly with this configuration; waits for the relay's answer.
     */
    static int sendTestAlert(Config config, Map<String, String> env, PrintStream out, PrintStream err) {
        AdminClient.Reply viaService = AdminClient.of(config).post("/api/test-alert", Map.of());
        if (viaService.reachable()) {
            if (!viaService.ok()) {
                err.println("auditwatch: " + viaService.describe());
                return Main.EXIT_FAILURE;
            }
            out.println("test alert queued by the running instance: " + viaService.json().path("subject").asText());
            out.println("recipients: " + viaService.json().path("recipients"));
            out.println("delivery: " + viaService.json().path("delivery"));
            return Main.EXIT_OK;
        }
        return TestAlert.sendDirectly(config, out, err);
    }

    private static int post(Config config, String path, Object body, PrintStream out, PrintStream err) {
        AdminClient.Reply r = AdminClient.of(config).post(path, body);
        if (!r.ok()) {
            err.println("auditwatch: " + r.describe());
            return Main.EXIT_FAILURE;
        }
        out.println(r.json().toString());
        return Main.EXIT_OK;
    }
}
