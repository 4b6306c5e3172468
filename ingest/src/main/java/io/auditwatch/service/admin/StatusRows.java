package io.auditwatch.service.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The row order and the JSON shape shared by {@code /status} and {@code /api/nodes}. */
final class StatusRows {

    /**
     * Worst state first; within a state the longest silence first (never seen before any age), then
     * by node and stream so that the page does not reshuffle between refreshes.
     */
    static List<NodeStreamView> sorted(StatusView view) {
        Comparator<NodeStreamView> order = Comparator
                .comparing((NodeStreamView r) -> StateRank.of(r.state()))
                .thenComparing(r -> r.lastSeen(), Comparator.nullsFirst(Comparator.<Instant>naturalOrder()))
                .thenComparing(NodeStreamView::node)
                .thenComparing(NodeStreamView::stream);
        List<NodeStreamView> rows = new ArrayList<>(view.rows());
        rows.sort(order);
        return rows;
    }

    /** Number of rows per state name, worst state first. */
    static Map<String, Integer> countsByState(List<NodeStreamView> sortedRows) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (NodeStreamView r : sortedRows) {
            counts.merge(r.state(), 1, Integer::sum);
        }
        return counts;
    }

    /**
     * The {@code /api/nodes} document: ISO-8601 instants (UTC), durations in whole seconds, null
     * where a value is unknown.
     */
    static Map<String, Object> json(StatusView view) {
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (NodeStreamView r : sorted(view)) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("node", r.node());
            row.put("role", r.role());
            row.put("stream", r.stream());
            row.put("state", r.state());
            row.put("lastSeen", iso(r.lastSeen()));
            row.put("ageSeconds", seconds(r.age(view.generatedAt())));
            row.put("thresholdSeconds", seconds(r.threshold()));
            row.put("maintenanceUntil", iso(r.maintenanceUntil()));
            row.put("openAlerts", r.openAlerts());
            nodes.add(row);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("generatedAt", iso(view.generatedAt()));
        doc.put("pipelineOk", view.pipelineOk());
        doc.put("pipeline", view.pipeline());
        doc.put("nodes", nodes);
        List<Map<String, Object>> cis = new ArrayList<>();
        for (CisRow c : view.cis()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("node", c.node());
            row.put("auditEnabled", c.enabled() < 0 ? null : c.enabled());
            row.put("reported", iso(c.reported()));
            row.put("controls", c.controls());
            cis.add(row);
        }
        doc.put("cis", cis);
        return doc;
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static Long seconds(Duration duration) {
        return duration == null ? null : duration.getSeconds();
    }

    private StatusRows() {
    }
}
