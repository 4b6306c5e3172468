package io.auditwatch.service;

import io.auditwatch.service.config.Config;
import io.auditwatch.service.config.ConfigException;
import io.auditwatch.service.config.ConfigLoader;
import io.auditwatch.service.config.ConfigReference;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The command line: {@code auditwatch [COMMAND] [--config FILE]} with the commands {@code run} (the
 * default), {@code check-config}, {@code nodes}, {@code maintenance NODE UNTIL REASON},
 * {@code decommission NODE REASON}, {@code silence create|list|end}, {@code send-test-alert} and
 * {@code report}; {@link #usage} describes each.
 * Exit codes: 0 success, 1 runtime failure (a port that cannot be bound, Kafka unreachable at
 * start-up), 2 invalid configuration or usage.
 */
public final class Main {
    /** Used when neither {@code --config} nor {@code AUDITWATCH_CONFIG} names a file and it exists. */
    static final Path DEFAULT_CONFIG = Path.of("config", "auditwatch.yaml");

    static final int EXIT_OK = 0;
    static final int EXIT_FAILURE = 1;
    static final int EXIT_CONFIG = 2;

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.getenv(), System.out, System.err);
        if (code != EXIT_OK || !"run".equals(command(args))) {
            System.exit(code);
        }
    }

    /** Runs a command; returns the exit code. {@code run} returns once the service has started. */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        List<String> rest = new ArrayList<>(List.of(args));
        String command = command(args);
        if (!rest.isEmpty() && !rest.get(0).startsWith("-")) {
            rest.remove(0);
        }
        Path configFile = null;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < rest.size(); i++) {
            String a = rest.get(i);
            if (a.equals("--config") && i + 1 < rest.size()) {
                configFile = Path.of(rest.get(++i));
            } else if (a.startsWith("--config=")) {
                configFile = Path.of(a.substring("--config=".length()));
            } else if (a.equals("-h") || a.equals("--help")) {
                usage(out);
                return EXIT_OK;
            } else {
                positional.add(a);
            }
        }
        if (configFile == null && env.get("AUDITWATCH_CONFIG") != null) {
            configFile = Path.of(env.get("AUDITWATCH_CONFIG"));
        }
        if (configFile == null && Files.exists(DEFAULT_CONFIG)) {
            configFile = DEFAULT_CONFIG;
        }
        if (command.equals("check-config") && positional.contains("--reference")) {
            out.print(ConfigReference.markdown());
            return EXIT_OK;
        }
        try {
            Config config = ConfigLoader.load(configFile, env);
            return switch (command) {
                case "run" -> Commands.runService(config, env);
                case "check-config" -> Commands.checkConfig(config, env, out);
                case "nodes" -> Commands.nodes(config, positional, out, err);
                case "send-test-alert" -> Commands.sendTestAlert(config, env, out, err);
                case "maintenance" -> Commands.maintenance(config, positional, out, err);
                case "decommission" -> Commands.decommission(config, positional, out, err);
                case "silence" -> Commands.silence(config, positional, out, err);
                case "report" -> Commands.report(config, positional, out, err);
                default -> {
                    err.println("auditwatch: unknown command '" + command + "'");
                    usage(err);
                    yield EXIT_CONFIG;
                }
            };
        } catch (ConfigException e) {
            err.println("auditwatch: configuration error: " + e.getMessage());
            return EXIT_CONFIG;
        }
    }

    private static String command(String[] args) {
        return args.length == 0 || args[0].startsWith("-") ? "run" : args[0];
    }

    private static void usage(PrintStream out) {
        out.println("""
                usage: auditwatch [COMMAND] [--config FILE]

                commands:
                  run               start the service (default)
                  check-config      validate configuration and inventory, print what would listen where
                  check-config --reference
                                    print the reference of every configuration key (config/README.md)
                  nodes             print the node state table of a running instance (admin API)
                  maintenance NODE UNTIL REASON...
                                    put NODE into maintenance until UNTIL (ISO-8601 instant or a duration like 2h,
                                    at most admin.maintenance-max) for REASON (required)
                  decommission NODE REASON...
                                    forget NODE and close its alerts
                  silence create [--node NODE] [--stream STREAM] [--kind KIND] UNTIL REASON...
                                    hold back mails of matching alerts until UNTIL (at most
                                    alerting.silence-max-duration ahead)
                  silence list      print the active silences
                  silence end ID REASON...
                                    end a silence now; alerts it held that are still open are mailed
                  send-test-alert   send a test alert to every recipient (ISSO, SA, ...)
                  report [--from WHEN] [--to WHEN] [--format html|json|csv] [--output FILE]
                                    the assessor report (CIS rules per node, outages, who was mailed, last
                                    test alert) read from Kafka; default the last 30 days as html

                The configuration file is --config, else $AUDITWATCH_CONFIG, else config/auditwatch.yaml
                when present. Every key can be overridden by AUDITWATCH_<KEY> environment variables.
                Every maintenance, decommission, silence and test alert is recorded with the admin user
                and the reason in the operator audit topic (kafka.operator-audit-topic).""");
    }
}
