package io.auditwatch.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alerting.AlertingMetrics;
import io.auditwatch.alerting.MeterDoc;
import io.auditwatch.heartbeat.HeartbeatMetrics;
import io.auditwatch.ingest.envelope.Transport;
import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The metrics reference is generated from the declarations, and what Prometheus scrapes is what is
 * declared. Each {@code *MetricsTest} checks its class's registrations against its declarations.
 */
class MetricsReferenceTest {

    @Test
    void theReferenceIsUpToDate() throws IOException {
        String expected = MetricsReference.render();
        if (Boolean.getBoolean("auditwatch.metrics.write")) {
            Files.writeString(MetricsReference.FILE, expected, StandardCharsets.UTF_8);
        }
        String actual = Files.exists(MetricsReference.FILE) ? Files.readString(MetricsReference.FILE, StandardCharsets.UTF_8) : "";
        assertEquals(expected, actual, "deploy/prometheus/METRICS.md is stale; regenerate it with: " + MetricsReference.REGENERATE);
    }

    @Test
    void everyScrapedFamilyIsDeclaredWithItsType() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        IngestMetrics ingest = new IngestMetrics(registry);
        ingest.bindReadGate(() -> false, () -> 0, () -> 0);
        ingest.dropped("udp_queue_full");
        ingest.frameDiscard("oversized");
        ingest.connectionRejected(Transport.TCP, "max_connections");
        ingest.tlsHandshakeFailed("timeout");
        ingest.tlsReloadFailed();
        new HeartbeatMetrics(registry, Clock.systemUTC());
        new AlertingMetrics(registry).bindOutbox(() -> 0, () -> false);

        String scrape = registry.scrape();
        assertTrue(MetricsReference.scrapedFamilies(scrape).size() >= 25, scrape);
        assertEquals(Map.of(), MetricsReference.undeclared(scrape));
    }

    @Test
    void declaredNamesAreUniqueAndRenderUnderAuditwatch() {
        Set<String> names = new HashSet<>();
        for (MeterDoc d : MetricsReference.all()) {
            assertTrue(names.add(d.prometheusName()), "declared twice: " + d.prometheusName());
            assertTrue(d.prometheusName().matches("auditwatch_[a-z0-9_]+"), d.prometheusName());
            assertTrue(d.doc().toLowerCase(java.util.Locale.ROOT).contains(d.unit()) || d.unit().equals("1") && d.doc().startsWith("1 "),
                    d.name() + ": the doc names the unit " + d.unit());
        }
    }

    /** The deploy kit's alert rules, their tests and the dashboard query only series that exist. */
    @Test
    void theDeployKitNamesOnlyDeclaredFamilies() throws IOException {
        Set<String> declared = new HashSet<>();
        MetricsReference.all().forEach(d -> declared.addAll(MetricsReference.families(d).keySet()));
        java.util.regex.Pattern series = java.util.regex.Pattern.compile("auditwatch_[a-z0-9_]+");
        for (String file : new String[] {"prometheus/auditwatch-rules.yml", "prometheus/auditwatch-rules.test.yml",
                "grafana/auditwatch-dashboard.json"}) {
            java.util.regex.Matcher m = series.matcher(Files.readString(java.nio.file.Path.of("..", "deploy", file)));
            int found = 0;
            while (m.find()) {
                found++;
                String family = m.group().replaceFirst("_(bucket|count|sum)$", "");
                assertTrue(declared.contains(family), file + " names " + m.group() + ", which no *Metrics class declares");
            }
            assertTrue(found > 0, file + " names no auditwatch_ series");
        }
    }
}
