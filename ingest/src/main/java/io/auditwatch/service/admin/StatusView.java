package io.auditwatch.service.admin;

import io.auditwatch.alerting.engine.Silence;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code /status} and {@code /api/nodes} show: a snapshot taken by the heartbeat module.
 *
 * @param generatedAt when the snapshot was taken; ages are computed against it
 * @param rows one row per (node, stream), in any order (the page sorts them worst first)
 * @param pipeline state of each pipeline part ({@code kafka -> UP}, {@code alert-delivery -> FAILING:
 *     smtp timeout}); a value of {@code UP} or {@code OK} (any case) is healthy, anything else marks
 *     the pipeline as failing and is displayed as the detail. Insertion order is kept.
 * @param cis each node's CIS Docker audit rule state, in node order; empty when none is known
 * @param silences the active silences, oldest first
 * @param operatorActions the latest operator actions, newest first
 * @param outages outages of the last {@link #OUTAGE_DAYS} days from the alert history, oldest first; null when
 *     the history was not read (the page then says so)
 */
public record StatusView(Instant generatedAt, List<NodeStreamView> rows, Map<String, String> pipeline,
        List<CisRow> cis, List<Silence> silences, List<OperatorAction> operatorActions, List<OutageRow> outages) {

    /** The days of outages {@code /status} shows; the assessor report covers any period. */
    public static final int OUTAGE_DAYS = 30;

    /** A view with outages but no silences and operator actions. */
    public StatusView(Instant generatedAt, List<NodeStreamView> rows, Map<String, String> pipeline, List<CisRow> cis,
            List<OutageRow> outages) {
        this(generatedAt, rows, pipeline, cis, List.of(), List.of(), outages);
    }

    /** A view without outages. */
    public StatusView(Instant generatedAt, List<NodeStreamView> rows, Map<String, String> pipeline, List<CisRow> cis,
            List<Silence> silences, List<OperatorAction> operatorActions) {
        this(generatedAt, rows, pipeline, cis, silences, operatorActions, List.of());
    }

    /** A view without rule state. */
    public StatusView(Instant generatedAt, List<NodeStreamView> rows, Map<String, String> pipeline) {
        this(generatedAt, rows, pipeline, List.of());
    }

    /** A view without silences and operator actions. */
    public StatusView(Instant generatedAt, List<NodeStreamView> rows, Map<String, String> pipeline, List<CisRow> cis) {
        this(generatedAt, rows, pipeline, cis, List.of(), List.of(), List.of());
    }

    public StatusView {
        Objects.requireNonNull(generatedAt, "generatedAt");
        rows = rows == null ? List.of() : List.copyOf(rows);
        cis = cis == null ? List.of() : List.copyOf(cis);
        silences = silences == null ? List.of() : List.copyOf(silences);
        operatorActions = operatorActions == null ? List.of() : List.copyOf(operatorActions);
        outages = outages == null ? null : List.copyOf(outages);
        pipeline = pipeline == null
                ? Map.of()
                : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(pipeline));
    }

    /**
     * True when every pipeline value is {@code UP} or {@code OK}, alone or followed by a space and
     * a detail ({@code OK 3% of 1024 MiB}); an empty map counts as ok.
     */
    public boolean pipelineOk() {
        return pipeline.values().stream().allMatch(StatusView::healthy);
    }

    static boolean healthy(String value) {
        if (value == null) {
            return false;
        }
        String head = value.indexOf(' ') < 0 ? value : value.substring(0, value.indexOf(' '));
        return head.equalsIgnoreCase("UP") || head.equalsIgnoreCase("OK");
    }
}
