package io.auditwatch.heartbeat;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one (node, stream) and its deadlines, under the tracker's lock. Deadlines sit
 * in a priority queue ordered by each slot's armed time and are re-armed lazily: the event path never
 * touches the queue (a heap update per event would cost O(log n) and a lock); when a deadline pops,
 * the slot's current last-seen decides between SILENT and re-arming at last-seen + threshold. Each
 * slot pops at most once per threshold, so a tick costs O(expired), not O(tracked).
 */
final class SlotJudge {
    private static final Logger log = LoggerFactory.getLogger(SlotJudge.class);

    private final HeartbeatSettings settings;
    private final AlertPlanner planner;
    private final long startMs;
    private final long lagThresholdMs;
    private final Set<NodeEntry> touched;
    private final Set<NodeEntry> changed;
    private final Consumer<Slot> attend;
    private final BooleanSupplier pipelineUp;
    private final PriorityQueue<Slot> deadlines = new PriorityQueue<>(Comparator.comparingLong((Slot s) -> s.armedAtMs));

    /**
     * @param touched nodes whose alerts must be reconciled at the end of this evaluation
     * @param changed nodes whose state must be written to the state topic
     * @param attend queues a slot for the attention pass of the current or next evaluation
     * @param pipelineUp false while ingest reports the pipeline down (gaps are then not the node's)
     */
    SlotJudge(HeartbeatSettings settings, AlertPlanner planner, long startMs, Set<NodeEntry> touched, Set<NodeEntry> changed,
            Consumer<Slot> attend, BooleanSupplier pipelineUp) {
        this.settings = settings;
        this.planner = planner;
        this.startMs = startMs;
        this.lagThresholdMs = settings.eventLagThreshold().toMillis();
        this.touched = touched;
        this.changed = changed;
        this.attend = attend;
        this.pipelineUp = pipelineUp;
    }

    /** Judges every slot whose armed deadline is due. */
    void judgeDue(long now) {
        Slot s;
        while ((s = deadlines.peek()) != null && s.armedAtMs <= now) {
            deadlines.poll();
            s.armed = false;
            judge(s, now);
        }
    }

    void disarm(Slot s) {
        if (s.armed) {
            deadlines.remove(s);
            s.armed = false;
        }
    }

    void judge(Slot s, long now) {
        NodeEntry n = s.node;
        if (n.removed) {
            return;
        }
        if (n.inMaintenance()) {
            if (now < n.maintenanceUntilMs) {
                arm(s, n.maintenanceUntilMs);
            } else {
                exitMaintenance(n, now);
            }
            return;
        }
        long seen = s.lastSeenMs;
        switch (s.state) {
            case PENDING -> {
                if (seen != Slot.NONE) {
                    becomeHealthy(s, seen);
                } else if (now >= startMs + settings.gracePeriod().toMillis()) {
                    silence(s, StreamState.NEVER_SEEN, Slot.NONE);
                } else {
                    arm(s, startMs + settings.gracePeriod().toMillis());
                }
            }
            case HEALTHY -> {
                if (seen == Slot.NONE) {
                    arm(s, now + s.thresholdMs);
                } else if (now - seen >= s.thresholdMs) {
                    silence(s, StreamState.SILENT, seen);
                } else {
                    arm(s, seen + s.thresholdMs);
                }
            }
            case MAINTENANCE -> becomeHealthyOrJudge(s, now);
            default -> {
            }
        }
    }

    void silence(Slot s, StreamState to, long silentSince) {
        s.silentSinceMs = silentSince;
        s.recoveredAtMs = Slot.NONE;
        s.state = to;
        touch(s.node);
        if (s.lastSeenMs != silentSince) {
            attend.accept(s); // an event raced this judgement: the recovery is handled in this same tick
        }
    }

    void becomeHealthy(Slot s, long recoveredAt) {
        s.state = StreamState.HEALTHY;
        s.lastRecoveryMs = recoveredAt;
        s.silentSinceMs = Slot.NONE;
        s.recoveredAtMs = Slot.NONE;
        s.auditDisabled = false;
        arm(s, s.lastSeenMs + s.thresholdMs);
        touch(s.node);
    }

    void attended(Slot s, long now) {
        NodeEntry n = s.node;
        if (n.removed) {
            return;
        }
        touched.add(n);
        long gapFrom = s.gapFromMs;
        if (gapFrom != Slot.NONE) {
            long gapTo = s.gapToMs;
            s.gapFromMs = Slot.NONE;
            if (reportable(n)) {
                planner.retroactive(s, gapFrom, gapTo, now);
            }
        }
        long seen = s.lastSeenMs;
        switch (s.state) {
            case PENDING, NEVER_SEEN -> {
                if (seen != Slot.NONE) {
                    becomeHealthy(s, firstAfterGap(s, seen));
                }
            }
            case SILENT -> {
                if (seen > s.silentSinceMs) {
                    long end = firstAfterGap(s, seen);
                    if (!covered(n, s) && end - s.silentSinceMs >= s.thresholdMs && reportable(n)) {
                        // Judged silent while alerts were held, and the gap was real: keep it on record.
                        planner.retroactive(s, s.silentSinceMs, end, now);
                    }
                    becomeHealthy(s, end);
                }
            }
            default -> {
            }
        }
        long lag = s.lagMs;
        if (lag != Slot.NONE) {
            long peak = s.peakLagMs;
            s.peakLagMs = Slot.NONE; // the next tick judges only the events that arrive after this one
            boolean high = Math.max(peak, lag) > lagThresholdMs;
            if (high != s.lagHigh) {
                s.lagHigh = high;
                changed.add(n);
            }
        }
    }

    static long firstAfterGap(Slot s, long seen) {
        long first = s.recoveredAtMs;
        return first != Slot.NONE && first > s.silentSinceMs && first <= seen ? first : seen;
    }

    static boolean covered(NodeEntry n, Slot s) {
        return n.open.containsKey(s.key(AlertPlanner.STREAM_SILENT))
                || n.open.containsKey(AlertPlanner.nodeKey(AlertPlanner.NODE_SILENT, n))
                || (s.stream == Stream.UCP_AUDIT && n.open.containsKey(AlertPlanner.nodeKey(AlertPlanner.AUDIT_DISABLED, n)));
    }

    /** A gap is an outage of the node unless it was in maintenance or ingest reported the pipeline down. */
    boolean reportable(NodeEntry n) {
        return !n.inMaintenance() && pipelineUp.getAsBoolean();
    }

    void touch(NodeEntry n) {
        touched.add(n);
        changed.add(n);
    }

    void arm(Slot s, long at) {
        if (s.armed) {
            if (s.armedAtMs == at) {
                return;
            }
            deadlines.remove(s);
        }
        s.armedAtMs = at;
        s.armed = true;
        deadlines.add(s);
    }

    void exitMaintenance(NodeEntry n, long now) {
        n.maintenanceUntilMs = Slot.NONE;
        n.maintenanceReason = null;
        log.info("node \"{}\": maintenance ended", NodeNames.forLog(n.name));
        for (Slot s : n.slots) {
            if (s != null) {
                becomeHealthyOrJudge(s, now);
            }
        }
        touch(n);
    }

    void becomeHealthyOrJudge(Slot s, long now) {
        s.state = s.lastSeenMs == Slot.NONE && s.expected ? StreamState.PENDING : StreamState.HEALTHY;
        s.recoveredAtMs = Slot.NONE;
        judge(s, now);
    }
}
