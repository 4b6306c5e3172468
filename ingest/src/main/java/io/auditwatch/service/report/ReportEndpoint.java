package io.auditwatch.service.report;

import io.auditwatch.service.admin.AdminResponse;
import java.time.Clock;
import java.util.Map;

/**
 * {@code GET /api/report?from=&to=&format=html|json|csv}: the same report as {@code auditwatch report}.
 * {@code to} defaults to now, {@code from} to {@link Reports#DEFAULT_PERIOD} before {@code to}, {@code format}
 * to html. The report reads Kafka on the admin handler thread, within the bounds of {@link TopicSnapshot}.
 */
public final class ReportEndpoint {
    public static final String PATH = "/api/report";

    private final Reports reports;
    private final Clock clock;

    public ReportEndpoint(Reports reports, Clock clock) {
        this.reports = reports;
        this.clock = clock;
    }

    public AdminResponse handle(Map<String, String> query) {
        ReportFormat format = ReportFormat.of(query.getOrDefault("format", "html"));
        if (format == null) {
            return AdminResponse.error(400, "format must be html, json or csv");
        }
        try {
            AssessorReport.Period period = Reports.period(query.get("from"), query.get("to"), clock.instant());
            return new AdminResponse(200, format.contentType(), Reports.render(reports.report(period), format));
        } catch (IllegalArgumentException e) {
            return AdminResponse.error(400, e.getMessage());
        }
    }
}
