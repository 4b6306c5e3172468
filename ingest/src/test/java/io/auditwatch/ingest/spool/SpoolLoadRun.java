package io.auditwatch.ingest.spool;

import io.auditwatch.service.TestService;
import io.auditwatch.service.kafka.EmbeddedKafka;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Load run (not a unit test; run by hand, figures go in ingest/README.md, "Disk spool"): for each fsync policy, and
 * without the spool for comparison, four TCP connections send as fast as the service reads them;
 * prints events stored per second in the spool and acknowledged by Kafka with the broker up ("spool
 * idle": it only passes events through), then with the broker stopped ("spooling").
 *
 * <pre>mvn -o -q -pl ingest test-compile exec:java ... or: java -cp "$(cat cp.txt):ingest/target/classes:ingest/target/test-classes" io.auditwatch.ingest.spool.SpoolLoadRun</pre>
 */
public final class SpoolLoadRun {
    static final Duration PHASE = Duration.ofSeconds(10);

    /**
     * Large enough that the spool does not fill while the broker stops (about 10 s) and the spooling
     * phase runs: 1 GiB filled in 12 s at 100,000 events/s in a first run, which measured the bound,
     * not the disk.
     */
    static final String MAX_BYTES = "6GiB";
    static final Duration WARM_UP = Duration.ofSeconds(5);

    private SpoolLoadRun() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Files.createTempDirectory("spool-load");
        StringBuilder out = new StringBuilder();
        try {
            for (String policy : args.length > 0 ? args : new String[] {"none", "always", "interval", "os"}) {
                out.append(run(root.resolve(policy), policy)).append('\n');
                System.out.println(out);
            }
        } finally {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.out.println("=== spool load run ===\n" + out);
        System.exit(0);
    }

    private static String run(Path dir, String policy) throws Exception {
        EmbeddedKafka broker = EmbeddedKafka.start(dir.resolve("kafka"), "127.0.0.1", 0);
        Map<String, String> env = new HashMap<>();
        env.put("AUDITWATCH_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        env.put("AUDITWATCH_SPOOL_ENABLED", Boolean.toString(!policy.equals("none")));
        if (!policy.equals("none")) {
            env.put("AUDITWATCH_SPOOL_FSYNC", policy);
        }
        env.put("AUDITWATCH_SPOOL_DRAIN_DEADLINE", "1s");
        env.put("AUDITWATCH_SPOOL_MAX_BYTES", MAX_BYTES);
        StringBuilder line = new StringBuilder("fsync " + policy + ":");
        try (TestService svc = TestService.start(dir.resolve("data"), env)) {
            MeterRegistry r = svc.service().registry();
            try (SyslogLoad load = new SyslogLoad(svc.tcpPort(), 4, 0, 120)) {
                LockSupport.parkNanos(WARM_UP.toNanos());
                double[] idle = measure(r, load);
                line.append(String.format(" broker up: %.0f events/s stored, %.0f/s acknowledged by Kafka;", idle[0], idle[1]));
                if (!policy.equals("none")) {
                    broker.close();
                    LockSupport.parkNanos(Duration.ofSeconds(2).toNanos());
                    double[] down = measure(r, load);
                    line.append(String.format(" broker down (spooling): %.0f events/s stored;", down[0]));
                    Timer fsync = r.find("auditwatch.spool.fsync").timer();
                    if (fsync != null && fsync.count() > 0) {
                        line.append(String.format(" %d fsyncs, mean %.2f ms, max %.1f ms", fsync.count(),
                                fsync.mean(TimeUnit.MILLISECONDS), fsync.max(TimeUnit.MILLISECONDS)));
                    }
                }
            }
        } finally {
            broker.close();
        }
        return line.toString();
    }

    /** Events per second stored (spool appends, or Kafka acks without a spool) and acknowledged over one phase. */
    private static double[] measure(MeterRegistry r, SyslogLoad load) {
        double stored0 = stored(r);
        double acked0 = acked(r);
        long sent0 = load.totalSent();
        long t0 = System.nanoTime();
        LockSupport.parkNanos(PHASE.toNanos());
        double s = (System.nanoTime() - t0) / 1e9;
        double sentRate = (load.totalSent() - sent0) / s;
        double storedRate = (stored(r) - stored0) / s;
        return new double[] {Double.isNaN(storedRate) || storedRate == 0 ? sentRate : storedRate, (acked(r) - acked0) / s};
    }

    private static double stored(MeterRegistry r) {
        Counter c = r.find("auditwatch.spool.appended.records").counter();
        return c == null ? acked(r) : c.count();
    }

    private static double acked(MeterRegistry r) {
        Counter c = r.find("auditwatch.kafka.publish").tag("result", "success").counter();
        return c == null ? 0 : c.count();
    }
}
