package io.auditwatch.heartbeat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** One tracked node: its slots indexed by {@link Stream#ordinal()}, node-level marks and open alerts. */
final class NodeEntry extends NodeKey {
    static final int STREAMS = Stream.values().length;

    final String name;
    final String role;
    final boolean expected;
    final Slot[] slots = new Slot[STREAMS];
    volatile int partition;
    /** Receive time of the newest ucp-controller line on a stream other than ucp-audit. */
    volatile long controllerSeenMs = Slot.NONE;

    // Owned by the tracker's lock.
    long maintenanceUntilMs = Slot.NONE;
    String maintenanceReason;
    final Map<String, NodeSnapshot.OpenAlert> open = new LinkedHashMap<>(4);
    StreamState reported;
    boolean removed;

    NodeEntry(String name, String role, boolean expected, int partition) {
        super(name.getBytes(StandardCharsets.UTF_8));
        this.name = name;
        this.role = role;
        this.expected = expected;
        this.partition = partition;
    }

    boolean inMaintenance() {
        return maintenanceUntilMs != Slot.NONE;
    }

    int slotCount() {
        int n = 0;
        for (Slot s : slots) {
            if (s != null) {
                n++;
            }
        }
        return n;
    }
}
