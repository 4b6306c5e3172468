package io.auditwatch.ingest;

import io.auditwatch.ingest.config.Config;
import io.auditwatch.ingest.config.Keys;
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
                ? "kafka: embedded broker on 127.0.0.1:" + config.get(Keys.KAFKA_EMBEDDED_PORT)
                : "kafka: " + String.join(",", bootstrap));
        out.println("configuration OK");
        return Main.EXIT_OK;
    }

    private static void listen(PrintStream out, String what, String host, int port) {
        out.println("  " + what + ": " + (port == 0 ? "disabled" : host + ":" + port));
    }

    static int nodes(Config config, List<String> args, PrintStream out, PrintStream err) {
        throw new UnsupportedOperationException("wired with the heartbeat admin API");
    }

    static int sendTestAlert(Config config, Map<String, String> env, PrintStream out) {
        throw new UnsupportedOperationException("wired with the alerting module");
    }

    static int maintenance(Config config, List<String> args, PrintStream out, PrintStream err) {
        throw new UnsupportedOperationException("wired with the heartbeat admin API");
    }

    static int decommission(Config config, List<String> args, PrintStream out, PrintStream err) {
        throw new UnsupportedOperationException("wired with the heartbeat admin API");
    }
}
