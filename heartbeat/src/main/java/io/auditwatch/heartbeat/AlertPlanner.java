package io.auditwatch.heartbeat;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertKind;
import io.auditwatch.alerting.AlertSink;
import io.auditwatch.heartbeat.NodeSnapshot.OpenAlert;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns the judged slot states of one node into alert transitions. The alerts a node should have
 * open are a pure function of its states ({@link #desired}); {@link #reconcile} fires what is missing
 * and resolves what is no longer wanted, so a restored node (open alerts restored too) never fires
 * twice, and releasing a hold simply reconciles every node. Runs under the tracker's lock.
 */
final class AlertPlanner {
    static final String NODE_SILENT = "node-silent";
    static final String NODE_NEVER_SEEN = "node-never-seen";
    static final String STREAM_SILENT = "stream-silent";
    static final String NEVER_SEEN = "never-seen";
    static final String AUDIT_DISABLED = "audit-disabled";
    static final String EVENT_LAG = "event-lag";

    private final AlertSink sink;
    private final HeartbeatMetrics metrics;
    private final HeartbeatSettings settings;

    AlertPlanner(AlertSink sink, HeartbeatMetrics metrics, HeartbeatSettings settings) {
        this.sink = sink;
        this.metrics = metrics;
        this.settings = settings;
    }

    /**
     * Fires missing alerts (unless {@code held}) and resolves unwanted ones.
     *
     * @return true when the node's open alerts changed (its state must be persisted)
     */
    boolean reconcile(NodeEntry n, long now, boolean held) {
        Map<String, OpenAlert> desired = desired(n, now);
        boolean changed = false;
        for (Iterator<OpenAlert> it = n.open.values().iterator(); it.hasNext(); ) {
            OpenAlert a = it.next();
            if (!desired.containsKey(a.key())) {
                it.remove();
                emit(resolved(n, a, recoveryTime(n, a, now), null));
                changed = true;
            }
        }
        if (!held) {
            for (OpenAlert d : desired.values()) {
                if (!n.open.containsKey(d.key())) {
                    n.open.put(d.key(), d);
                    emit(firing(n, d, now));
                    changed = true;
                }
            }
        }
        StreamState overall = overall(n);
        if (overall != n.reported) {
            metrics.nodeState(n.reported, overall);
            n.reported = overall;
        }
        return changed;
    }

    /** Closes every open alert of the node with a reason (maintenance, decommission). */
    void resolveAll(NodeEntry n, long now, String reason) {
        for (OpenAlert a : n.open.values()) {
            emit(resolved(n, a, now, reason));
        }
        n.open.clear();
    }

    /**
     * Reports a silence that was only discovered after it ended (a gap in receive times seen while
     * catching up, or while alerts were held): FIRING at the moment it should have fired, RESOLVED at
     * its real end, so the outage is on record with its true length.
     */
    void retroactive(Slot s, long fromMs, long toMs, long now) {
        NodeEntry n = s.node;
        String key = s.key(STREAM_SILENT);
        if (n.open.containsKey(key) || n.open.containsKey(nodeKey(NODE_SILENT, n))) {
            return;
        }
        OpenAlert a = new OpenAlert(AlertKind.STREAM_SILENT, key, s.stream.id(), fromMs, fromMs + s.thresholdMs, s.thresholdMs);
        AlertEvent fire = firing(n, a, fromMs + s.thresholdMs);
        Map<String, String> details = new LinkedHashMap<>(fire.details());
        details.put("detected", Instant.ofEpochMilli(now).toString());
        details.put("detected-late", "the gap was found in receive times after it ended (consumer catching up or alerts held)");
        emit(new AlertEvent(fire.kind(), fire.key(), fire.status(), fire.at(), fire.node(), fire.stream(), fire.lastSeen(),
                fire.threshold(), fire.summary(), details));
        emit(resolved(n, a, toMs, null));
    }

    /** The node's overall state, as {@link NodeStatus#state()} documents it. */
    static StreamState overall(NodeEntry n) {
        if (n.inMaintenance()) {
            return StreamState.MAINTENANCE;
        }
        boolean any = false;
        boolean allNever = true;
        boolean down = false;
        boolean pending = false;
        for (Slot s : n.slots) {
            if (s == null) {
                continue;
            }
            any = true;
            StreamState st = s.state;
            allNever &= st == StreamState.NEVER_SEEN;
            down |= st == StreamState.SILENT || st == StreamState.NEVER_SEEN;
            pending |= st == StreamState.PENDING;
        }
        if (any && allNever) {
            return StreamState.NEVER_SEEN;
        }
        return down ? StreamState.SILENT : pending ? StreamState.PENDING : StreamState.HEALTHY;
    }

    private Map<String, OpenAlert> desired(NodeEntry n, long now) {
        Map<String, OpenAlert> desired = new LinkedHashMap<>(4);
        if (n.inMaintenance()) {
            return desired;
        }
        classifyAuditDisabled(n, now);
        boolean any = false;
        boolean allDown = true;
        boolean allNever = true;
        long newest = Slot.NONE;
        long maxThreshold = 0;
        for (Slot s : n.slots) {
            if (s == null) {
                continue;
            }
            any = true;
            boolean down = s.state == StreamState.NEVER_SEEN || (s.state == StreamState.SILENT && !s.auditDisabled);
            allDown &= down;
            allNever &= s.state == StreamState.NEVER_SEEN;
            newest = Math.max(newest, s.state == StreamState.SILENT ? s.silentSinceMs : s.lastSeenMs);
            maxThreshold = Math.max(maxThreshold, s.thresholdMs);
        }
        if (any && allDown) {
            // One notice for the node, not one per stream (heartbeat/README.md, States). Stream alerts already
            // open stay open until their stream recovers: resolving them would read as "recovered".
            if (allNever) {
                add(desired, new OpenAlert(AlertKind.NODE_NEVER_SEEN, nodeKey(NODE_NEVER_SEEN, n), null, Slot.NONE, now,
                        settings.gracePeriod().toMillis()));
            } else {
                add(desired, new OpenAlert(AlertKind.NODE_SILENT, nodeKey(NODE_SILENT, n), null, newest, now, maxThreshold));
            }
            for (OpenAlert a : n.open.values()) {
                if (a.stream() != null && a.kind() != AlertKind.EVENT_LAG) {
                    desired.put(a.key(), a);
                }
            }
        } else {
            for (Slot s : n.slots) {
                if (s == null) {
                    continue;
                }
                if (s.state == StreamState.SILENT) {
                    add(desired, s.auditDisabled
                            ? new OpenAlert(AlertKind.AUDIT_DISABLED, nodeKey(AUDIT_DISABLED, n), s.stream.id(), s.silentSinceMs, now,
                                    s.thresholdMs)
                            : new OpenAlert(AlertKind.STREAM_SILENT, s.key(STREAM_SILENT), s.stream.id(), s.silentSinceMs, now,
                                    s.thresholdMs));
                } else if (s.state == StreamState.NEVER_SEEN) {
                    add(desired, new OpenAlert(AlertKind.NODE_NEVER_SEEN, s.key(NEVER_SEEN), s.stream.id(), Slot.NONE, now,
                            settings.gracePeriod().toMillis()));
                }
            }
        }
        for (Slot s : n.slots) {
            if (s != null && s.lagHigh) {
                add(desired, new OpenAlert(AlertKind.EVENT_LAG, s.key(EVENT_LAG), s.stream.id(), s.lastSeenMs, now,
                        settings.eventLagThreshold().toMillis()));
            }
        }
        return desired;
    }

    /**
     * A silent ucp-audit stream of a node whose ucp-controller keeps logging elsewhere means UCP
     * auditing was switched off (heartbeat/README.md, States). Sticky until ucp-audit recovers, so the alert
     * does not flip back to "stream silent" when the controller later goes quiet as well.
     */
    private void classifyAuditDisabled(NodeEntry n, long now) {
        Slot ucp = n.slots[Stream.UCP_AUDIT.ordinal()];
        if (ucp == null || ucp.state != StreamState.SILENT || ucp.auditDisabled) {
            return;
        }
        long controller = n.controllerSeenMs;
        if (controller != Slot.NONE && controller > ucp.silentSinceMs
                && now - controller <= settings.auditDisabledWindow().toMillis()) {
            ucp.auditDisabled = true;
        }
    }

    private static void add(Map<String, OpenAlert> m, OpenAlert a) {
        m.put(a.key(), a);
    }

    static String nodeKey(String prefix, NodeEntry n) {
        return prefix + "/" + n.name;
    }

    /** End of the outage: the first event after it, from the slot(s) concerned; {@code now} otherwise. */
    private static long recoveryTime(NodeEntry n, OpenAlert a, long now) {
        long best = Long.MAX_VALUE;
        for (Slot s : n.slots) {
            if (s == null || (a.stream() != null && !a.stream().equals(s.stream.id()))) {
                continue;
            }
            if (s.state == StreamState.HEALTHY && s.lastRecoveryMs != Slot.NONE && s.lastRecoveryMs >= a.lastSeenMs()
                    && s.lastRecoveryMs <= now) {
                best = Math.min(best, s.lastRecoveryMs);
            }
        }
        return best == Long.MAX_VALUE ? now : best;
    }

    /** The FIRING event of an alert the node holds open, as it fired. */
    AlertEvent restored(NodeEntry n, OpenAlert a) {
        return firing(n, a, a.firedAtMs());
    }

    private AlertEvent firing(NodeEntry n, OpenAlert a, long at) {
        String lastSeen = a.lastSeenMs() == Slot.NONE ? "never" : Instant.ofEpochMilli(a.lastSeenMs()).toString();
        String silentFor = a.lastSeenMs() == Slot.NONE ? "" : human(at - a.lastSeenMs());
        String summary = switch (a.kind()) {
            case NODE_SILENT -> n.name + ": no audit data on any stream for " + silentFor + " (last event " + lastSeen + ")";
            case STREAM_SILENT -> n.name + ": no " + a.stream() + " events for " + silentFor + " (threshold "
                    + human(a.thresholdMs()) + ")";
            case NODE_NEVER_SEEN -> a.stream() == null
                    ? n.name + ": expected" + (n.role == null ? "" : " " + n.role) + " node has sent nothing since auditwatch started"
                    : n.name + ": expected " + a.stream() + " stream never received since auditwatch started";
            case AUDIT_DISABLED -> n.name + ": UCP audit lines stopped " + silentFor
                    + " ago while ucp-controller keeps logging: auditing switched off?";
            case EVENT_LAG -> n.name + ": " + a.stream() + " events arrive " + human(n.slots[Stream.fromId(a.stream()).ordinal()].lagMs)
                    + " after they were written (threshold " + human(a.thresholdMs()) + ")";
            default -> n.name + ": " + a.kind().id();
        };
        Map<String, String> details = details(n, a);
        details.put("last-seen", lastSeen);
        return event(n, a, AlertEvent.Status.FIRING, at, summary, details);
    }

    private AlertEvent resolved(NodeEntry n, OpenAlert a, long at, String reason) {
        String what = a.stream() == null ? "audit data" : a.stream();
        String summary;
        Map<String, String> details = details(n, a);
        if (reason != null) {
            summary = n.name + ": " + a.kind().id() + " alert closed: " + reason;
            details.put("reason", reason);
        } else if (a.kind() == AlertKind.EVENT_LAG) {
            summary = n.name + ": " + what + " event lag back under " + human(a.thresholdMs());
        } else if (a.lastSeenMs() == Slot.NONE) {
            summary = n.name + ": " + what + " received for the first time";
        } else {
            summary = n.name + ": " + what + " delivering again after " + human(at - a.lastSeenMs()) + " of silence";
            details.put("outage", human(at - a.lastSeenMs()));
        }
        return event(n, a, AlertEvent.Status.RESOLVED, at, summary, details);
    }

    private Map<String, String> details(NodeEntry n, OpenAlert a) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("node", n.name);
        if (n.role != null) {
            d.put("role", n.role);
        }
        d.put("expected", n.expected ? "inventory" : "enrolled on first sight");
        if (a.stream() != null) {
            d.put("stream", a.stream());
        }
        if (a.thresholdMs() != Slot.NONE) {
            d.put("threshold", human(a.thresholdMs()));
        }
        return d;
    }

    private AlertEvent event(NodeEntry n, OpenAlert a, AlertEvent.Status status, long at, String summary,
            Map<String, String> details) {
        return new AlertEvent(a.kind(), a.key(), status, Instant.ofEpochMilli(at), n.name, a.stream(),
                a.lastSeenMs() == Slot.NONE ? null : Instant.ofEpochMilli(a.lastSeenMs()),
                a.thresholdMs() == Slot.NONE ? null : Duration.ofMillis(a.thresholdMs()), summary, details);
    }

    void emit(AlertEvent e) {
        metrics.transition(e);
        sink.accept(e);
    }

    /** {@code 45s}, {@code 15m}, {@code 1h 2m}, {@code 2d 3h}: how the emails and summaries show durations. */
    static String human(long ms) {
        if (ms == Slot.NONE) {
            return "unknown";
        }
        long s = Math.max(0, ms) / 1000;
        if (s < 60) {
            return s + "s";
        }
        long m = s / 60;
        if (m < 60) {
            return s % 60 == 0 ? m + "m" : m + "m " + s % 60 + "s";
        }
        long h = m / 60;
        if (h < 24) {
            return m % 60 == 0 ? h + "h" : h + "h " + m % 60 + "m";
        }
        return h % 24 == 0 ? h / 24 + "d" : h / 24 + "d " + h % 24 + "h";
    }
}
