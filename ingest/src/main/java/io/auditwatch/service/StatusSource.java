package io.auditwatch.service;

import io.auditwatch.alerting.DeliveryHealth;
import io.auditwatch.alerting.OpenAlert;
import io.auditwatch.alerting.engine.Alerting;
import io.auditwatch.heartbeat.HeartbeatTracker;
import io.auditwatch.heartbeat.NodeStatus;
import io.auditwatch.service.admin.CisRow;
import io.auditwatch.service.admin.NodeStreamView;
import io.auditwatch.service.admin.OutageRow;
import io.auditwatch.service.admin.StatusView;
import io.auditwatch.service.kafka.OperatorAuditLog;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Builds the status page's and {@code /api/nodes}'s view from heartbeat, alerting (open alerts,
 * silences), the operator audit trail and the pipeline.
 */
final class StatusSource implements Supplier<StatusView> {
    private final Clock clock;
    private final HeartbeatTracker tracker;
    private final Alerting alerting;
    private final OperatorAuditLog audit;
    private final Supplier<Map<String, String>> pipeline;
    private final Supplier<List<OutageRow>> outages;

    /** @param outages the last days' outages, or null when the alert history could not be read */
    StatusSource(Clock clock, HeartbeatTracker tracker, Alerting alerting, OperatorAuditLog audit,
            Supplier<Map<String, String>> pipeline, Supplier<List<OutageRow>> outages) {
        this.clock = clock;
        this.tracker = tracker;
        this.alerting = alerting;
        this.audit = audit;
        this.pipeline = pipeline;
        this.outages = outages;
    }

    @Override
    public StatusView get() {
        Map<String, List<String>> alertsByNode = new LinkedHashMap<>();
        for (OpenAlert a : alerting.openAlerts()) {
            if (a.event().node() != null && a.resolved() == null) {
                String what = a.kind().id() + (a.event().stream() == null ? "" : " (" + a.event().stream() + ")");
                alertsByNode.computeIfAbsent(a.event().node(), k -> new ArrayList<>()).add(what);
            }
        }
        List<NodeStreamView> rows = new ArrayList<>();
        List<CisRow> cis = new ArrayList<>();
        for (NodeStatus n : tracker.nodes()) {
            cis.add(new CisRow(n.node(), n.rules().enabled(), n.rules().reported(), n.rules().controls()));
            List<String> alerts = alertsByNode.getOrDefault(n.node(), List.of());
            for (NodeStatus.StreamStatus s : n.streams()) {
                rows.add(new NodeStreamView(n.node(), n.role(), s.stream().id(), s.state().name(), s.lastSeen(),
                        s.threshold(), n.maintenanceUntil(), alerts));
            }
        }
        Map<String, String> p = new LinkedHashMap<>(pipeline.get());
        DeliveryHealth d = alerting.health();
        p.put("alert delivery", d.ok() ? "OK" : "FAILING since " + d.failingSince() + " (" + d.pending() + " pending, "
                + d.lastFailure() + ")");
        return new StatusView(clock.instant(), rows, p, cis, alerting.silences(), audit.recent(), outages.get());
    }
}
