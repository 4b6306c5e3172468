package io.auditwatch.service;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** The {@code nodes} subcommand's text table, from {@code /api/nodes}. */
final class NodeTable {
    private static final String[] HEADER = {"NODE", "ROLE", "STREAM", "STATE", "LAST SEEN (UTC)", "AGE", "THRESHOLD",
            "OPEN ALERTS"};

    private NodeTable() {
    }

    static String render(JsonNode doc) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (JsonNode n : doc.path("nodes")) {
            rows.add(new String[] {
                text(n, "node"), text(n, "role"), text(n, "stream"), text(n, "state"), text(n, "lastSeen"),
                duration(n.get("ageSeconds")), duration(n.get("thresholdSeconds")),
                n.path("openAlerts").isEmpty() ? "-" : String.join(", ", strings(n.path("openAlerts")))});
        }
        return "pipeline: " + (doc.path("pipelineOk").asBoolean() ? "OK" : "FAILING") + ' ' + doc.path("pipeline")
                + '\n' + columns(rows);
    }

    /** Rows (the first is the header) as left-aligned columns two spaces apart, one line each. */
    static String columns(List<String[]> rows) {
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                out.append(r[i]);
                if (i < r.length - 1) {
                    out.append(" ".repeat(width[i] - r[i].length() + 2));
                }
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? "-" : v.asText();
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(x -> out.add(x.asText()));
        return out;
    }

    /** Seconds as 45s, 12m, 3h 5m, 2d 4h. */
    static String duration(JsonNode seconds) {
        if (seconds == null || seconds.isNull()) {
            return "-";
        }
        long s = seconds.asLong();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m";
        }
        if (s < 86_400) {
            return s / 3600 + "h " + (s % 3600) / 60 + "m";
        }
        return s / 86_400 + "d " + (s % 86_400) / 3600 + "h";
    }
}
