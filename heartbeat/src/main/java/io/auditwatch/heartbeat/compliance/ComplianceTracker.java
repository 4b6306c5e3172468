package io.auditwatch.heartbeat.compliance;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertKind;
import io.auditwatch.alerting.AlertSink;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Per node, the last CIS rule state its pulse reported and when, and the alerts that follow
 * (heartbeat/README.md, "Compliance: CIS rule state and audit changes"):
 * <ul>
 *   <li>a control that goes from {@code ok} to {@code missing} fires {@link AlertKind#AUDIT_RULE_MISSING}
 *       ({@code audit-rule-missing/<node>/<control>}), resolved when the control is ok again;</li>
 *   <li>a change auditd recorded (rule removed, auditing disabled, failure mode changed, backlog lowered,
 *       daemon stopped or aborted) fires {@link AlertKind#AUDIT_CONFIG_CHANGED}
 *       ({@code audit-config-changed/<node>/<what>}) at once, without waiting for a silence threshold;
 *       resolved by the next pulse that reports auditing on and no control missing.</li>
 * </ul>
 * A signal counts only when its sender meets the node's identity rule ({@link #trusted}).
 *
 * <p>Thread safety: every method takes the tracker's lock; signals arrive at about one a minute per node.
 * The sink is called under that lock and must not block.
 */
public final class ComplianceTracker {
    private final Set<String> addressed;
    private final Clock clock;
    private final AlertSink sink;
    private final Predicate<String> quiet;
    private final Map<String, Entry> nodes = new HashMap<>();
    private final Set<String> changed = new LinkedHashSet<>();
    private long untrusted;

    private static final class Entry {
        RuleState state;
        long reportedMs = Long.MIN_VALUE;
        final Set<String> open = new LinkedHashSet<>();
    }

    /**
     * @param addressed the inventory nodes that have source addresses mapped to them
     * @param quiet true for a node whose alerts are suppressed (in maintenance): its state is still
     *     recorded, nothing fires
     */
    public ComplianceTracker(Set<String> addressed, Clock clock, AlertSink sink, Predicate<String> quiet) {
        this.addressed = Set.copyOf(addressed);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.quiet = Objects.requireNonNull(quiet, "quiet");
    }

    /**
     * Handles the compliance headers of one {@code audit.events} record; a record without them is ignored.
     *
     * @param node the {@code aw.node} value
     * @param cis the {@value RuleState#HEADER} value, or null
     * @param change the {@value AuditChange#HEADER} value, or null
     * @param source the {@code aw.node-source} value, or null
     * @param receivedMs collector receive time, epoch ms
     * @return false when the signal was dropped because its sender does not meet the node's identity rule
     */
    public synchronized boolean onHeaders(byte[] node, byte[] cis, byte[] change, byte[] source, long receivedMs) {
        if ((cis == null && change == null) || node == null) {
            return true;
        }
        String name = new String(node, StandardCharsets.UTF_8);
        if (!trusted(name, source == null ? null : new String(source, StandardCharsets.US_ASCII))) {
            untrusted++;
            return false;
        }
        RuleState state = RuleState.decode(cis);
        if (state != null) {
            onRuleState(name, state, receivedMs);
        }
        AuditChange c = AuditChange.decode(change);
        if (c != null) {
            onChange(name, c, receivedMs);
        }
        return true;
    }

    /**
     * The node's identity rule for compliance signals: a signal counts when ingest resolved the node from
     * the sender's TLS certificate, from the inventory's address mapping, or from the bare source address.
     * A node named only by its syslog HOSTNAME counts unless the inventory maps addresses to that node: a
     * node whose addresses are known must be heard from one of them, so another host writing the name
     * cannot report rules in place (or raise alarms) for it.
     */
    boolean trusted(String node, String source) {
        if (source == null) {
            return false;
        }
        return switch (source) {
            case "certificate", "inventory", "address" -> true;
            case "hostname" -> !addressed.contains(node);
            default -> false;
        };
    }

    private void onRuleState(String node, RuleState state, long receivedMs) {
        Entry e = nodes.computeIfAbsent(node, k -> new Entry());
        if (receivedMs < e.reportedMs) {
            return; // an older pulse delivered late says nothing about now
        }
        RuleState before = e.state;
        e.state = state;
        e.reportedMs = receivedMs;
        changed.add(node);
        Instant at = clock.instant();
        for (CisControl c : CisControl.values()) {
            RuleStatus now = state.status(c);
            String key = AlertKind.AUDIT_RULE_MISSING.id() + "/" + node + "/" + c.id();
            if (now == RuleStatus.MISSING && before != null && before.status(c) == RuleStatus.OK
                    && !quiet.test(node) && e.open.add(key)) {
                sink.accept(new AlertEvent(AlertKind.AUDIT_RULE_MISSING, key, AlertEvent.Status.FIRING, at, node,
                        null, Instant.ofEpochMilli(receivedMs), null,
                        CisControl.BENCHMARK + " " + c.id() + " audit rule missing on " + node + ": " + c.rule(),
                        ruleDetails(c, state)));
            } else if (now != RuleStatus.MISSING && e.open.remove(key)) {
                sink.accept(new AlertEvent(AlertKind.AUDIT_RULE_MISSING, key, AlertEvent.Status.RESOLVED, at, node,
                        null, Instant.ofEpochMilli(receivedMs), null,
                        CisControl.BENCHMARK + " " + c.id() + " audit rule " + now.id() + " again on " + node,
                        ruleDetails(c, state)));
            }
        }
        if (state.enabled() >= 1 && !state.controls().containsValue(RuleStatus.MISSING)) {
            for (String key : List.copyOf(e.open)) {
                if (key.startsWith(AlertKind.AUDIT_CONFIG_CHANGED.id() + "/")) {
                    e.open.remove(key);
                    sink.accept(new AlertEvent(AlertKind.AUDIT_CONFIG_CHANGED, key, AlertEvent.Status.RESOLVED, at,
                            node, null, Instant.ofEpochMilli(receivedMs), null,
                            "auditing on and every CIS Docker audit rule in place again on " + node,
                            Map.of("pulse", new String(state.encode(), StandardCharsets.US_ASCII))));
                }
            }
        }
    }

    private void onChange(String node, AuditChange c, long receivedMs) {
        Entry e = nodes.computeIfAbsent(node, k -> new Entry());
        String key = AlertKind.AUDIT_CONFIG_CHANGED.id() + "/" + node + "/" + c.what().id();
        if (quiet.test(node) || !e.open.add(key)) {
            return; // `auditctl -D` writes one record per rule: one alert, not twenty-five
        }
        changed.add(node);
        Map<String, String> details = new LinkedHashMap<>();
        details.put("change", c.what().phrase());
        details.put("by", c.who());
        if (!c.detail().isEmpty()) {
            details.put("record", c.detail());
        }
        details.put("controls", "DISA STIG DKER-EE-001590, NIST SP 800-53 AU-5(a), AU-9");
        sink.accept(new AlertEvent(AlertKind.AUDIT_CONFIG_CHANGED, key, AlertEvent.Status.FIRING, clock.instant(), node,
                null, Instant.ofEpochMilli(receivedMs), null, c.what().phrase() + " on " + node + " by " + c.who(),
                details));
    }

    private static Map<String, String> ruleDetails(CisControl c, RuleState state) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("control", CisControl.BENCHMARK + " " + c.id() + " " + c.title());
        d.put("rule", c.rule() + (c.paths().size() > 1 ? " (or the same watch on " + String.join(", ",
                c.paths().subList(1, c.paths().size())) + ")" : ""));
        d.put("pulse", new String(state.encode(), StandardCharsets.US_ASCII));
        return d;
    }

    /** The node's rule state; every control {@link RuleStatus#UNKNOWN} when it never reported. */
    public synchronized NodeRules rules(String node) {
        Entry e = nodes.get(node);
        return e == null ? NodeRules.unknown() : NodeRules.of(e.state, e.reportedMs);
    }

    /** Signals dropped because their sender did not meet the node's identity rule, since start. */
    public synchronized long untrusted() {
        return untrusted;
    }

    /** What to persist for a node, or null when nothing is known of it. */
    public synchronized RuleSnapshot snapshot(String node) {
        Entry e = nodes.get(node);
        if (e == null) {
            return null;
        }
        return new RuleSnapshot(e.state == null ? -1 : e.state.enabled(), e.state == null ? null : e.state.cis(),
                e.reportedMs, new ArrayList<>(e.open));
    }

    /** Nodes whose state changed since the last call (to be written to the state topic); clears the set. */
    public synchronized Set<String> drainChanged() {
        Set<String> out = new LinkedHashSet<>(changed);
        changed.clear();
        return out;
    }

    /** Restores a node's state read back from the state topic; later signals continue from it. */
    public synchronized void restore(String node, RuleSnapshot s) {
        if (s == null) {
            return;
        }
        Entry e = nodes.computeIfAbsent(node, k -> new Entry());
        e.state = s.cis() == null ? null
                : RuleState.fromPulse(RuleState.PULSE_VERSION, s.enabled() < 0 ? null : Integer.toString(s.enabled()), s.cis());
        e.reportedMs = s.reportedMs();
        e.open.clear();
        e.open.addAll(s.openAlerts());
    }

    /**
     * The FIRING events of the compliance alerts {@code node} holds open, rebuilt from their keys
     * (what survives in the state topic): for alerting to match after the node changed owner.
     */
    public synchronized List<AlertEvent> openEvents(String node) {
        Entry e = nodes.get(node);
        if (e == null) {
            return List.of();
        }
        List<AlertEvent> out = new ArrayList<>();
        Instant at = clock.instant();
        for (String key : e.open) {
            AlertKind kind = key.startsWith(AlertKind.AUDIT_CONFIG_CHANGED.id() + "/") ? AlertKind.AUDIT_CONFIG_CHANGED
                    : AlertKind.AUDIT_RULE_MISSING;
            String what = key.substring(key.lastIndexOf('/') + 1);
            out.add(new AlertEvent(kind, key, AlertEvent.Status.FIRING, at, node, null,
                    e.reportedMs > 0 ? Instant.ofEpochMilli(e.reportedMs) : null, null,
                    kind == AlertKind.AUDIT_CONFIG_CHANGED ? "audit configuration changed on " + node + " (" + what + ")"
                            : CisControl.BENCHMARK + " " + what + " audit rule missing on " + node,
                    Map.of("restored", "reported by the node's previous owner")));
        }
        return out;
    }

    /** Forgets a decommissioned node. */
    public synchronized void remove(String node) {
        nodes.remove(node);
        changed.remove(node);
    }
}
