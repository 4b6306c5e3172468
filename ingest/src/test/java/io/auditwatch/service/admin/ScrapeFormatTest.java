package io.auditwatch.service.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class ScrapeFormatTest {

    @Test
    void noAcceptHeaderGetsText() {
        assertEquals(ScrapeFormat.TEXT, ScrapeFormat.negotiate(null));
    }

    @Test
    void browserAcceptHeaderGetsText() {
        assertEquals(ScrapeFormat.TEXT, ScrapeFormat.negotiate("text/html,application/xhtml+xml,*/*;q=0.8"));
    }

    @Test
    void prometheus2AcceptHeaderGetsOpenMetrics() {
        // Prometheus 2.42 scrape/scrape.go acceptHeader.
        assertEquals(ScrapeFormat.OPENMETRICS, ScrapeFormat.negotiate("application/openmetrics-text;version=1.0.0,"
                + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"));
    }

    @Test
    void openMetricsRefusedWithQualityZeroGetsText() {
        assertEquals(ScrapeFormat.TEXT, ScrapeFormat.negotiate("application/openmetrics-text;q=0, text/plain"));
    }

    @Test
    void textPreferredOverOpenMetricsGetsText() {
        assertEquals(ScrapeFormat.TEXT, ScrapeFormat.negotiate("application/openmetrics-text;q=0.3, text/plain;q=0.9"));
    }

    @Test
    void malformedQualityCountsAsRefusal() {
        assertEquals(ScrapeFormat.TEXT, ScrapeFormat.negotiate("application/openmetrics-text;q=abc"));
    }

    @Test
    void registryWritesTheFormatNamedByEachContentType() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.counter("auditwatch.x").increment();
        assertFalse(registry.scrape(ScrapeFormat.TEXT.contentType()).contains("# EOF"));
        assertTrue(registry.scrape(ScrapeFormat.OPENMETRICS.contentType()).endsWith("# EOF\n"));
    }
}
