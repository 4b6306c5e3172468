package io.auditwatch.ingest.kafka;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.auditwatch.alerting.MeterDocCheck;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The names operators put in dashboards and alert rules, as Prometheus shows them. */
class KafkaMetricsTest {
    @Test
    void prometheusNamesFollowTheConventions() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new KafkaMetrics(registry, new BoundedEventQueue(1024, () -> 0L), new AtomicInteger(), () -> true);
        String scrape = registry.scrape();
        for (String expected : new String[] {
            "auditwatch_kafka_publish_total{result=\"success\"}",
            "auditwatch_kafka_publish_total{result=\"failure\"}",
            "auditwatch_kafka_publish_total{result=\"rejected\"}",
            "auditwatch_kafka_publish_failures_total{reason=\"timeout\"}",
            "auditwatch_kafka_publish_failures_total{reason=\"not_leader\"}",
            "auditwatch_kafka_publish_failures_total{reason=\"authorization\"}",
            "auditwatch_kafka_publish_failures_total{reason=\"record_too_large\"}",
            "auditwatch_kafka_publish_failures_total{reason=\"shutdown\"}",
            "auditwatch_kafka_publish_failures_total{reason=\"other\"}",
            "auditwatch_kafka_publish_latency_seconds_bucket{le=\"0.005\"}",
            "auditwatch_kafka_publish_latency_seconds_count",
            "auditwatch_kafka_queue_bytes ",
            "auditwatch_kafka_pending_bytes ",
            "auditwatch_kafka_pending_limit_bytes 1024",
            "auditwatch_kafka_inflight_records ",
            "auditwatch_kafka_backpressure_seconds_total ",
            "auditwatch_kafka_backpressure_pauses_total ",
            "auditwatch_kafka_up 1",
        }) {
            assertTrue(scrape.contains(expected), () -> "missing " + expected + " in\n" + scrape);
        }
    }

    @Test
    void everyRegisteredMeterIsDeclaredAndEveryDeclarationRegistered() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new KafkaMetrics(registry, new BoundedEventQueue(1024, () -> 0L), new AtomicInteger(), () -> true);
        assertEquals(List.of(), MeterDocCheck.mismatches(registry, KafkaMetrics.METERS));
    }

    @Test
    void theLatencyHistogramKeepsItsSeriesCountSmall() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new KafkaMetrics(registry, new BoundedEventQueue(1024, () -> 0L), new AtomicInteger(), () -> true);
        long buckets = registry.scrape().lines().filter(l -> l.startsWith("auditwatch_kafka_publish_latency_seconds_bucket")).count();
        // Micrometer's percentile buckets between 1 ms and 120 s plus the SLO bounds: 88 with Micrometer 1.17.
        assertTrue(buckets >= 12 && buckets <= 100, "buckets: " + buckets);
    }
}
