package io.auditwatch.alerting.engine;

import io.auditwatch.alerting.AlertStore;
import io.auditwatch.alerting.Notification;
import io.auditwatch.alerting.OpenAlert;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * An {@link AlertStore} in memory with the semantics of a compacted topic (newest value per
 * partition and key, a removal drops it), for the engine's own tests; the Kafka store is tested
 * against a real broker in heartbeat. Shared by the engines of several "instances" in one test.
 */
final class MemoryAlertStore implements AlertStore {
    private final ToIntFunction<String> partitionOf;
    /** Partition, then key: what a new owner reads. */
    final Map<Integer, Map<String, Object>> partitions = new TreeMap<>();
    volatile boolean acknowledging = true;
    /** While set, alert writes are dropped and reported lost (a broker away). */
    volatile boolean refusing;
    private boolean lost;

    MemoryAlertStore(ToIntFunction<String> partitionOf) {
        this.partitionOf = partitionOf;
    }

    @Override
    public int partitionOf(String node) {
        return partitionOf.applyAsInt(node);
    }

    @Override
    public synchronized void put(int partition, OpenAlert alert) {
        if (refusing) {
            lost = true;
            return;
        }
        partitions.computeIfAbsent(partition, p -> new TreeMap<>()).put("alert/" + alert.key(), alert);
    }

    @Override
    public synchronized void remove(int partition, String key) {
        partitions.computeIfAbsent(partition, p -> new TreeMap<>()).remove("alert/" + key);
    }

    @Override
    public synchronized void queued(Set<Integer> ps, Notification n) {
        for (int p : ps) {
            partitions.computeIfAbsent(p, x -> new TreeMap<>()).put("notification/" + n.id(), new Pending(ps, n));
        }
    }

    @Override
    public synchronized void delivered(Set<Integer> ps, String id) {
        for (int p : ps) {
            partitions.computeIfAbsent(p, x -> new TreeMap<>()).remove("notification/" + id);
        }
    }

    @Override
    public boolean sync(Duration timeout) {
        return acknowledging;
    }

    @Override
    public synchronized boolean writesLost() {
        boolean was = lost;
        lost = false;
        return was;
    }

    synchronized Restored read(Collection<Integer> owned) {
        List<Held> alerts = new ArrayList<>();
        Map<String, Pending> pending = new TreeMap<>();
        for (int p : owned) {
            for (Object v : partitions.getOrDefault(p, Map.of()).values()) {
                if (v instanceof OpenAlert a) {
                    alerts.add(new Held(p, a));
                } else if (v instanceof Pending n) {
                    pending.putIfAbsent(n.notification().id(), n);
                }
            }
        }
        return new Restored(alerts, new ArrayList<>(pending.values()));
    }

    synchronized int alertsIn(int partition) {
        return (int) partitions.getOrDefault(partition, Map.of()).keySet().stream().filter(k -> k.startsWith("alert/")).count();
    }

    synchronized int notificationsIn(int partition) {
        return (int) partitions.getOrDefault(partition, Map.of()).keySet().stream().filter(k -> k.startsWith("notification/")).count();
    }
}
