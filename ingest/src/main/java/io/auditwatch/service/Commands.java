package io.auditwatch.service;

import io.auditwatch.alerting.AlertingSettings;
import io.auditwatch.heartbeat.Inventory;
import io.auditwatch.service.config.Config;
import io.auditwatch.service.config.ModuleSettings;
import io.auditwatch.service.report.AssessorReport;
import io.auditwatch.service.report.ReportFormat;
import io.auditwatch.service.report.Reports;
import java.io.IOException;
import java.nio.file.Files;
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
            LOG.info("Stopping: listeners close, accepted messages drain to Kafka or stay in the spool");
            aw.close(); // bounded by shutdown.timeout; its last line says what was left and where
            stopped.countDown();
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
        ModuleSettings.tlsPolicy(config);
        ModuleSettings.admin(config);
        Auditwatch.stopBudget(config);
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
            err.println("usage: auditwatch maintenance NODE UNTIL REASON...   (UNTIL: 2026-11-24T08:00:00Z or 2h)");
            return Main.EXIT_CONFIG;
        }
        Map<String, String> body = new LinkedHashMap<>();
        body.put("node", args.get(0));
        body.put("until", args.get(1));
        body.put("reason", String.join(" ", args.subList(2, args.size())));
        return post(config, "/api/maintenance", body, out, err);
    }

    /** {@code decommission NODE REASON...}. */
    static int decommission(Config config, List<String> args, PrintStream out, PrintStream err) {
        if (args.size() < 2) {
            err.println("usage: auditwatch decommission NODE REASON...");
            return Main.EXIT_CONFIG;
        }
        return post(config, "/api/decommission",
                Map.of("node", args.get(0), "reason", String.join(" ", args.subList(1, args.size()))), out, err);
    }

    static final String SILENCE_USAGE = """
            usage: auditwatch silence create [--node NODE] [--stream STREAM] [--kind KIND] UNTIL REASON...
                   auditwatch silence list
                   auditwatch silence end ID REASON...""";

    /** {@code silence create|list|end ...}, through {@code /api/silences}. */
    static int silence(Config config, List<String> args, PrintStream out, PrintStream err) {
        String sub = args.isEmpty() ? "" : args.get(0);
        List<String> rest = args.subList(Math.min(1, args.size()), args.size());
        switch (sub) {
            case "list" -> {
                AdminClient.Reply r = AdminClient.of(config).get("/api/silences");
                if (!r.ok()) {
                    err.println("auditwatch: " + r.describe());
                    return Main.EXIT_FAILURE;
                }
                List<String[]> rows = new java.util.ArrayList<>();
                rows.add(new String[] {"ID", "MATCHES", "UNTIL (UTC)", "BY", "HELD BACK", "REASON"});
                for (com.fasterxml.jackson.databind.JsonNode s : r.json()) {
                    StringBuilder matches = new StringBuilder();
                    for (String field : List.of("node", "stream", "kind")) {
                        if (!s.path(field).isNull() && !s.path(field).isMissingNode()) {
                            matches.append(matches.length() == 0 ? "" : " ").append(field).append('=')
                                    .append(s.path(field).asText());
                        }
                    }
                    rows.add(new String[] {s.path("id").asText(), matches.toString(), s.path("until").asText(),
                        s.path("by").asText(), s.path("held").asText(), s.path("reason").asText()});
                }
                out.print(rows.size() == 1 ? "no active silence\n" : NodeTable.columns(rows));
                return Main.EXIT_OK;
            }
            case "end" -> {
                if (rest.size() < 2) {
                    err.println(SILENCE_USAGE);
                    return Main.EXIT_CONFIG;
                }
                return post(config, "/api/silences/end",
                        Map.of("id", rest.get(0), "reason", String.join(" ", rest.subList(1, rest.size()))), out, err);
            }
            case "create" -> {
                Map<String, String> body = new LinkedHashMap<>();
                int i = 0;
                while (i + 1 < rest.size() && List.of("--node", "--stream", "--kind").contains(rest.get(i))) {
                    body.put(rest.get(i).substring(2), rest.get(i + 1));
                    i += 2;
                }
                if (body.isEmpty() || rest.size() - i < 2) {
                    err.println(SILENCE_USAGE);
                    return Main.EXIT_CONFIG;
                }
                body.put("until", rest.get(i));
                body.put("reason", String.join(" ", rest.subList(i + 1, rest.size())));
                return post(config, "/api/silences", body, out, err);
            }
            default -> {
                err.println(SILENCE_USAGE);
                return Main.EXIT_CONFIG;
            }
        }
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

    /**
     * {@code report [--from WHEN] [--to WHEN] [--format html|json|csv] [--output FILE]}: the assessor report,
     * read from Kafka (the configured cluster, else the embedded broker of the instance on this host), to
     * FILE or standard output.
     */
    static int report(Config config, List<String> args, PrintStream out, PrintStream err) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            int eq = a.indexOf('=');
            String name = eq > 0 ? a.substring(0, eq) : a;
            if (!REPORT_OPTIONS.contains(name) || (eq < 0 && i + 1 >= args.size())) {
                err.println(REPORT_USAGE);
                return Main.EXIT_CONFIG;
            }
            opts.put(name, eq > 0 ? a.substring(eq + 1) : args.get(++i));
        }
        ReportFormat format = ReportFormat.of(opts.getOrDefault("--format", "html"));
        if (format == null) {
            err.println("auditwatch: --format must be html, json or csv");
            return Main.EXIT_CONFIG;
        }
        Clock clock = Clock.systemUTC();
        AssessorReport.Period period;
        byte[] body;
        try {
            period = Reports.period(opts.get("--from"), opts.get("--to"), clock.instant());
            body = Reports.render(Reports.of(config, Reports.bootstrapServers(config), clock).report(period), format);
        } catch (IllegalArgumentException e) {
            err.println("auditwatch: " + e.getMessage());
            return Main.EXIT_CONFIG;
        }
        try {
            if (opts.containsKey("--output")) {
                Files.write(Path.of(opts.get("--output")), body);
                out.println("report " + period.from() + " to " + period.to() + " written to " + opts.get("--output"));
            } else {
                out.write(body);
                out.flush();
            }
        } catch (IOException e) {
            err.println("auditwatch: cannot write " + opts.get("--output") + ": " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
        return Main.EXIT_OK;
    }

    private static final List<String> REPORT_OPTIONS = List.of("--from", "--to", "--format", "--output");
    static final String REPORT_USAGE = "usage: auditwatch report [--from WHEN] [--to WHEN] [--format html|json|csv] "
            + "[--output FILE]   (WHEN: 2026-11-01 or 2026-11-01T00:00:00Z; default: the 30 days before now, html)";

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
