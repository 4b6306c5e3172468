package io.auditwatch.alerting;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Where the alerts of nodes shared by several instances live: a store partitioned like the nodes'
 * events, written by the instance that owns a partition and read by the next owner when the
 * partition moves (alerting/README.md, "Several instances"). It holds each open alert (group window,
 * notice times, escalations) and each notification queued but not yet accepted by the relay, in
 * every partition whose alerts it reports. Writes are asynchronous; {@link #sync} waits for them.
 */
public interface AlertStore {
    /** The partition that owns {@code node}'s alerts: the partition of its events. */
    int partitionOf(String node);

    /** Writes the alert's current state to its partition. */
    void put(int partition, OpenAlert alert);

    /** Removes the alert {@code key} from its partition: it closed. */
    void remove(int partition, String key);

    /** Writes a notification about to be delivered to each of {@code partitions}. */
    void queued(Set<Integer> partitions, Notification notification);

    /** Removes a delivered notification from each of {@code partitions}. */
    void delivered(Set<Integer> partitions, String notificationId);

    /**
     * Waits up to {@code timeout} for every write so far to be acknowledged.
     *
     * @return true when all were; false when one failed or is still outstanding
     */
    boolean sync(Duration timeout);

    /**
     * True, once, when a write failed since the last call: the caller writes the current state of
     * every alert again.
     */
    boolean writesLost();

    /** An open alert read back from partition {@code partition}. */
    record Held(int partition, OpenAlert alert) {
    }

    /** A notification read back, queued and not yet delivered, with every partition it was written to. */
    record Pending(Set<Integer> partitions, Notification notification) {
        public Pending {
            partitions = Set.copyOf(partitions);
        }
    }

    /** What a new owner reads from the partitions it takes. */
    record Restored(List<Held> alerts, List<Pending> notifications) {
        public Restored {
            alerts = List.copyOf(alerts);
            notifications = List.copyOf(notifications);
        }

        public static Restored empty() {
            return new Restored(List.of(), List.of());
        }
    }

    /**
     * The shared alerts' side of partition ownership, implemented by the alerting engine and
     * driven by the consumer group that assigns the partitions.
     */
    interface Owner {
        /**
         * Continues the alerts of {@code partitions} where the previous owner stopped: open alerts,
         * their group window and notice times, and notifications still to deliver (with their
         * Message-ID).
         */
        void adopt(Collection<Integer> partitions, Restored restored);

        /**
         * Writes the final state of {@code partitions}' alerts and forgets them without any notice,
         * within {@code timeout}: the next owner continues them.
         */
        void release(Collection<Integer> partitions, Duration timeout);

        /** Forgets {@code partitions}' alerts without writing anything: another instance owns them already. */
        void lose(Collection<Integer> partitions);
    }
}
