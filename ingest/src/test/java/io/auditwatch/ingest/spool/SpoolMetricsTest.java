package io.auditwatch.ingest.spool;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.auditwatch.alerting.MeterDocCheck;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The names operators and the deploy kit's alert rule use, as Prometheus shows them. */
class SpoolMetricsTest {
    @TempDir
    Path dir;

    @Test
    void prometheusNamesAreTheDocumentedOnes() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Spool spool = new Spool(new SpoolSettings(dir, 4L << 20, FsyncPolicy.ALWAYS, Duration.ofSeconds(1), 0.8),
                1L << 20, registry, Clock.systemUTC(), System::nanoTime, null);
        try {
            spool.append(SpoolEvents.events(0, 10, 100));
            String scrape = registry.scrape();
            for (String line : new String[] {
                "auditwatch_spool_bytes ", "auditwatch_spool_capacity_bytes 4194304", "auditwatch_spool_records 10",
                "auditwatch_spool_oldest_record_age_seconds ", "auditwatch_spool_full 0",
                "auditwatch_spool_appended_records_total 10", "auditwatch_spool_replayed_records_total 0",
                "auditwatch_spool_dropped_records_total{reason=\"corrupt\"} 0",
                "auditwatch_spool_dropped_records_total{reason=\"torn_tail\"} 0",
                "auditwatch_spool_dropped_records_total{reason=\"too_large\"} 0",
                "auditwatch_spool_fsync_seconds_count ",
            }) {
                assertTrue(scrape.contains(line), "missing " + line + " in\n" + scrape);
            }
        } finally {
            spool.close();
        }
    }

    @Test
    void everyRegisteredMeterIsDeclaredAndEveryDeclarationRegistered() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Spool spool = new Spool(new SpoolSettings(dir, 4L << 20, FsyncPolicy.ALWAYS, Duration.ofSeconds(1), 0.8),
                1L << 20, registry, Clock.systemUTC(), System::nanoTime, null);
        try {
            assertEquals(List.of(), MeterDocCheck.mismatches(registry, SpoolMetrics.METERS));
        } finally {
            spool.close();
        }
    }
}
