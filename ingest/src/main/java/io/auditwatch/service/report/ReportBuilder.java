package io.auditwatch.service.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditwatch.heartbeat.NodeSnapshot;
import io.auditwatch.heartbeat.compliance.CisControl;
import io.auditwatch.heartbeat.compliance.RuleSnapshot;
import io.auditwatch.heartbeat.compliance.RuleState;
import io.auditwatch.heartbeat.kafka.StateCodec;
import io.auditwatch.service.kafka.KafkaAlertHistory;
import io.auditwatch.service.report.AssessorReport.Cis;
import io.auditwatch.service.report.AssessorReport.Control;
import io.auditwatch.service.report.AssessorReport.ControlState;
import io.auditwatch.service.report.AssessorReport.NodeReport;
import io.auditwatch.service.report.AssessorReport.OperatorAction;
import io.auditwatch.service.report.AssessorReport.OperatorActions;
import io.auditwatch.service.report.AssessorReport.Outage;
import io.auditwatch.service.report.AssessorReport.Period;
import io.auditwatch.service.report.AssessorReport.Source;
import io.auditwatch.service.report.AssessorReport.StreamData;
import io.auditwatch.service.report.AssessorReport.TestAlert;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Makes an {@link AssessorReport} from what the three topics hold: a pure function of the records read,
 * the period and the configured ISSO and SA addresses, so two reports of the same records are the same
 * (apart from {@code generated}). Records it cannot read are skipped and counted in the source's note.
 */
final class ReportBuilder {
    private static final ObjectMapper JSON = new ObjectMapper();

    static final String STIG = "DISA STIG DKER-EE-001590";
    static final String AU_5A = "NIST SP 800-53 AU-5(a)";
    static final String AU_9 = "NIST SP 800-53 AU-9";

    /** The topics read and what the report takes from each. */
    record Inputs(TopicSnapshot alerts, TopicSnapshot state, TopicSnapshot operator) {
    }

    private final List<String> isso;
    private final List<String> sa;

    ReportBuilder(List<String> isso, List<String> sa) {
        this.isso = List.copyOf(isso);
        this.sa = List.copyOf(sa);
    }

    AssessorReport build(Inputs in, Instant from, Instant to, Instant generated) {
        List<JsonNode> history = new ArrayList<>();
        int badHistory = decodeJson(in.alerts(), history);
        Map<String, NodeSnapshot> state = new TreeMap<>();
        int badState = decodeState(in.state(), state);
        List<OperatorAction> actions = new ArrayList<>();
        int badActions = decodeActions(in.operator(), actions);

        List<Outage> outages = outages(history).stream()
                .filter(o -> o.detected().isBefore(to) && (o.resolved() == null || !o.resolved().isBefore(from)))
                .toList();
        List<OperatorAction> inPeriod = actions.stream()
                .filter(a -> !a.time().isBefore(from) && a.time().isBefore(to))
                .sorted(Comparator.comparing(OperatorAction::time)).toList();

        Set<String> names = new TreeSet<>(state.keySet());
        outages.stream().map(Outage::node).filter(n -> n != null).forEach(names::add);
        inPeriod.stream().map(OperatorAction::node).filter(n -> n != null).forEach(names::add);
        List<NodeReport> nodes = new ArrayList<>();
        for (String name : names) {
            NodeSnapshot s = state.get(name);
            nodes.add(new NodeReport(name, cis(s == null ? null : s.rules()), streams(s),
                    s == null || s.maintenanceUntilMs() == NodeSnapshot.NONE ? null : Instant.ofEpochMilli(s.maintenanceUntilMs()),
                    s == null || s.maintenanceUntilMs() == NodeSnapshot.NONE ? null : s.maintenanceReason(),
                    outages.stream().filter(o -> name.equals(o.node())).toList(),
                    inPeriod.stream().filter(a -> name.equals(a.node()) && isWindow(a.action())).toList()));
        }
        List<Source> sources = List.of(
                source(in.alerts(), "alert history: every notification queued and delivered", badHistory),
                source(in.state(), "heartbeat state: per node, CIS rule state, last audit data per stream, maintenance",
                        badState),
                source(in.operator(), "operator actions: maintenance, silences, decommissioning, test alerts", badActions));
        boolean recorded = in.operator().exists();
        return new AssessorReport(AssessorReport.SCHEMA, generated, new Period(from, to), controls(recorded), sources,
                nodes, outages.stream().filter(o -> o.node() == null).toList(),
                new OperatorActions(in.operator().topic(), recorded, inPeriod), testAlert(history, to));
    }

    static List<Control> controls(boolean operatorActionsRecorded) {
        List<Control> out = new ArrayList<>();
        for (CisControl c : CisControl.values()) {
            out.add(new Control(CisControl.BENCHMARK + " " + c.id(), c.title(),
                    "per node: the state of " + c.rule() + " as the node last reported it"));
        }
        out.add(new Control(STIG, "Alert the ISSO and SA in the event of an audit processing failure",
                "per node: outages, when they were alerted and who was mailed; the last test alert delivered"));
        out.add(new Control(AU_5A, "Alert personnel in the event of an audit logging process failure",
                "outages with their alert and resolution times"));
        if (operatorActionsRecorded) {
            out.add(new Control(AU_9, "Protection of audit information",
                    "operator actions on the audit monitoring (maintenance, silences, decommissioning), with who and why"));
        }
        return out;
    }

    private static boolean isWindow(String action) {
        return action != null && (action.startsWith("maintenance") || action.startsWith("silence"));
    }

    private static Source source(TopicSnapshot t, String content, int bad) {
        String note = t.note();
        if (bad > 0) {
            note = (note.isEmpty() ? "" : note + "; ") + bad + " unreadable record(s) skipped";
        }
        return new Source(t.topic(), content, t.exists(), t.records().size(), t.complete(), note);
    }

    private static Cis cis(RuleSnapshot r) {
        RuleState state = r == null || r.cis() == null ? null
                : RuleState.fromPulse(RuleState.PULSE_VERSION, r.enabled() < 0 ? null : Integer.toString(r.enabled()), r.cis());
        List<ControlState> controls = new ArrayList<>();
        for (CisControl c : CisControl.values()) {
            controls.add(new ControlState(c.id(), c.title(), state == null ? "unknown" : state.status(c).id()));
        }
        int enabled = state == null ? -1 : state.enabled();
        return new Cis(enabled < 0 ? "unknown" : enabled == 0 ? "off" : "on",
                state == null || r.reportedMs() == Long.MIN_VALUE ? null : Instant.ofEpochMilli(r.reportedMs()), controls);
    }

    private static List<StreamData> streams(NodeSnapshot s) {
        if (s == null) {
            return List.of();
        }
        return s.streams().stream().map(x -> new StreamData(x.stream().id(), x.state().name(),
                x.lastSeenMs() == NodeSnapshot.NONE ? null : Instant.ofEpochMilli(x.lastSeenMs())))
                .sorted(Comparator.comparing(StreamData::stream)).toList();
    }

    /** Outages from the history's per-alert detail, in the order they were detected. */
    static List<Outage> outages(List<JsonNode> history) {
        Map<String, Instant> delivered = new HashMap<>();
        for (JsonNode r : history) {
            if (KafkaAlertHistory.DELIVERED.equals(r.path("type").asText())) {
                delivered.putIfAbsent(r.path("id").asText(), time(r.get("delivered")));
            }
        }
        Map<String, OutageDraft> open = new LinkedHashMap<>();
        List<OutageDraft> all = new ArrayList<>();
        for (JsonNode r : history) {
            if (!KafkaAlertHistory.QUEUED.equals(r.path("type").asText())) {
                continue;
            }
            Instant created = time(r.get("created"));
            List<String> recipients = texts(r.get("recipients"));
            for (JsonNode a : r.path("alerts")) {
                String key = a.path("key").asText();
                String notice = a.path("notice").asText();
                OutageDraft d = open.get(key);
                if (notice.equals("firing") || d == null) {
                    d = new OutageDraft(a, notice.equals("firing") ? created : null,
                            notice.equals("firing") ? delivered.get(r.path("id").asText()) : null);
                    open.put(key, d);
                    all.add(d);
                }
                d.mailed.addAll(recipients);
                if (notice.equals("recovered")) {
                    d.resolved = time(a.get("resolved"));
                    d.recoveryAlerted = created;
                    open.remove(key);
                }
            }
        }
        return all.stream().map(OutageDraft::outage).sorted(Comparator.comparing(Outage::detected)).toList();
    }

    private static final class OutageDraft {
        final JsonNode first;
        final Instant alerted;
        final Instant alertDelivered;
        final Set<String> mailed = new LinkedHashSet<>();
        Instant resolved;
        Instant recoveryAlerted;

        OutageDraft(JsonNode first, Instant alerted, Instant alertDelivered) {
            this.first = first;
            this.alerted = alerted;
            this.alertDelivered = alertDelivered;
        }

        Outage outage() {
            return new Outage(text(first.get("node")), first.path("key").asText(), first.path("kind").asText(),
                    text(first.get("stream")), text(first.get("summary")), time(first.get("last_seen")),
                    time(first.get("detected")), alerted, alertDelivered, List.copyOf(mailed), resolved, recoveryAlerted);
        }
    }

    /** The last test alert the relay accepted before {@code to}. */
    TestAlert testAlert(List<JsonNode> history, Instant to) {
        Map<String, JsonNode> queued = new HashMap<>();
        TestAlert last = null;
        for (JsonNode r : history) {
            String type = r.path("type").asText();
            boolean test = texts(r.get("kinds")).equals(List.of("test"));
            if (!test) {
                continue;
            }
            if (KafkaAlertHistory.QUEUED.equals(type)) {
                queued.put(r.path("id").asText(), r);
            } else if (KafkaAlertHistory.DELIVERED.equals(type)) {
                Instant at = time(r.get("delivered"));
                if (at == null || !at.isBefore(to) || (last != null && at.isBefore(last.delivered()))) {
                    continue;
                }
                String id = r.path("id").asText();
                List<String> recipients = texts(r.get("recipients"));
                JsonNode q = queued.get(id);
                last = new TestAlert(id, q == null ? null : time(q.get("created")), at, recipients,
                        isso.stream().filter(recipients::contains).toList(), sa.stream().filter(recipients::contains).toList(),
                        r.path("smtp_code").asInt(), text(r.get("smtp_reply")));
            }
        }
        return last;
    }

    private static int decodeJson(TopicSnapshot t, List<JsonNode> out) {
        int bad = 0;
        for (ConsumerRecord<byte[], byte[]> r : t.records()) {
            try {
                JsonNode n = r.value() == null ? null : JSON.readTree(r.value());
                if (n == null || !n.isObject()) {
                    bad++;
                } else {
                    out.add(n);
                }
            } catch (IOException e) {
                bad++;
            }
        }
        return bad;
    }

    private static int decodeState(TopicSnapshot t, Map<String, NodeSnapshot> out) {
        int bad = 0;
        for (ConsumerRecord<byte[], byte[]> r : t.records()) {
            if (r.key() == null) {
                bad++;
                continue;
            }
            String node = new String(r.key(), StandardCharsets.UTF_8);
            try {
                NodeSnapshot s = StateCodec.decode(r.value());
                if (s == null) {
                    out.remove(node);
                } else {
                    out.put(node, s);
                }
            } catch (IOException | RuntimeException e) {
                bad++;
            }
        }
        return bad;
    }

    /**
     * Operator actions as {@code OperatorAuditLog} writes them, read tolerantly: {@code at} (ISO-8601 or epoch
     * milliseconds) and {@code action} are needed; {@code principal}, {@code from}, {@code parameters} (an
     * object; its {@code node} is the node), {@code reason} and {@code outcome} are taken when present; other
     * fields are ignored.
     */
    static int decodeActions(TopicSnapshot t, List<OperatorAction> out) {
        List<JsonNode> records = new ArrayList<>();
        int bad = decodeJson(t, records);
        for (JsonNode r : records) {
            Instant time = time(r.get("at"));
            String action = text(r.get("action"));
            if (time == null || action == null) {
                bad++;
                continue;
            }
            Map<String, String> parameters = new TreeMap<>();
            r.path("parameters").fields().forEachRemaining(e -> parameters.put(e.getKey(),
                    e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
            String node = parameters.remove("node");
            out.add(new OperatorAction(time, text(r.get("principal")), text(r.get("from")), action, node, parameters,
                    text(r.get("reason")), text(r.get("outcome"))));
        }
        return bad;
    }

    static Instant time(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isNumber()) {
            return Instant.ofEpochMilli(n.asLong());
        }
        try {
            return Instant.parse(n.asText());
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    private static List<String> texts(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n != null) {
            n.forEach(x -> out.add(x.asText()));
        }
        return out;
    }
}
