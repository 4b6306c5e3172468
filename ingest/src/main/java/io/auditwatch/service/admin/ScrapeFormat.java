package io.auditwatch.service.admin;

import java.util.Locale;

/**
 * The two exposition formats {@code /metrics} offers, and the choice between them from a scraper's
 * {@code Accept} header. Protobuf is not offered: it is only asked for by Prometheus with native
 * histograms enabled, which also accepts text.
 */
enum ScrapeFormat {
    /** Prometheus text format 0.0.4: what every scraper understands; the default. */
    // The two strings are PrometheusTextFormatWriter.CONTENT_TYPE and OpenMetricsTextFormatWriter.CONTENT_TYPE
    // of prometheus-metrics-exposition-textformats, a runtime-only dependency of Micrometer's registry;
    // ScrapeFormatTest checks that the registry accepts both and answers in the matching format.
    TEXT("text/plain; version=0.0.4; charset=utf-8"),
    /** OpenMetrics 1.0.0, when the scraper lists {@code application/openmetrics-text}. */
    OPENMETRICS("application/openmetrics-text; version=1.0.0; charset=utf-8");

    private static final String OPENMETRICS_MEDIA_TYPE = "application/openmetrics-text";

    private final String contentType;

    ScrapeFormat(String contentType) {
        this.contentType = contentType;
    }

    /** The Content-Type of the response, also what {@code PrometheusMeterRegistry.scrape} takes. */
    String contentType() {
        return contentType;
    }

    /**
     * OpenMetrics when {@code accept} lists it with a non-zero quality at least as high as any
     * {@code text/plain} entry (Prometheus sends OpenMetrics first, {@code q=0.5} vs {@code q=0.2..0.4}
     * for text); the text format otherwise, including for a missing or malformed header (RFC 9110
     * section 12.5.1: no Accept means any type is acceptable).
     */
    static ScrapeFormat negotiate(String accept) {
        if (accept == null) {
            return TEXT;
        }
        double openMetrics = -1;
        double text = -1;
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            String type = parts[0].trim().toLowerCase(Locale.ROOT);
            double q = quality(parts);
            if (type.equals(OPENMETRICS_MEDIA_TYPE)) {
                openMetrics = Math.max(openMetrics, q);
            } else if (type.equals("text/plain")) {
                text = Math.max(text, q);
            }
        }
        return openMetrics > 0 && openMetrics >= text ? OPENMETRICS : TEXT;
    }

    private static double quality(String[] parameters) {
        for (int i = 1; i < parameters.length; i++) {
            String p = parameters[i].trim();
            if (p.length() > 2 && (p.charAt(0) == 'q' || p.charAt(0) == 'Q') && p.charAt(1) == '=') {
                try {
                    double q = Double.parseDouble(p.substring(2));
                    return q >= 0 && q <= 1 ? q : 0;
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 1;
    }
}
