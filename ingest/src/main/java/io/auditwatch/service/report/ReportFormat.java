package io.auditwatch.service.report;

import java.util.Locale;

/** The forms of the assessor report, each with its HTTP content type and file name extension. */
public enum ReportFormat {
    /** Self-contained HTML that prints on A4 and Letter. */
    HTML("text/html; charset=utf-8"),
    /** The documented schema (ingest/README.md, "Assessor report"). */
    JSON("application/json; charset=utf-8"),
    /** One row per node and CIS control, RFC 4180 (ingest/README.md, "Assessor report"). */
    CSV("text/csv; charset=utf-8; header=present");

    private final String contentType;

    ReportFormat(String contentType) {
        this.contentType = contentType;
    }

    public String contentType() {
        return contentType;
    }

    /** {@code html}, {@code json}, {@code csv}: the command-line and query form. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The format with this id (any case), or null. */
    public static ReportFormat of(String id) {
        for (ReportFormat f : values()) {
            if (f.id().equalsIgnoreCase(id)) {
                return f;
            }
        }
        return null;
    }
}
