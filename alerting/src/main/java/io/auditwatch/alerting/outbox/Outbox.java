package io.auditwatch.alerting.outbox;

import io.auditwatch.alerting.PrivateFiles;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.auditwatch.alerting.AlertingConfigException;
import io.auditwatch.alerting.AlertingMetrics;
import io.auditwatch.alerting.Delivery;
import io.auditwatch.alerting.DeliveryException;
import io.auditwatch.alerting.DeliveryHealth;
import io.auditwatch.alerting.Notification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persistent outbox: every notification is on disk ({@code pending/<id>.json}, atomic write)
 * before the first send attempt and is deleted only after the relay accepted it for every
 * recipient. Entries left by a previous run are delivered at start-up. A crash between acceptance
 * and deletion re-sends that one notification, with the same Message-ID.
 *
 * <p>Retries back off exponentially: after the n-th consecutive failure of the relay nothing is
 * attempted for {@code min(max, initial * 2^(n-1))}; a message the relay refuses (not the relay
 * itself) backs off alone so it does not hold the others. Time comes from the injected clock;
 * {@link #deliverDue} is called by the engine's tick.
 */
public final class Outbox implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
    static final String PENDING_DIR = "pending";
    /** While failing, one ERROR line per this period (plus the first): visible, not a log flood. */
    static final Duration ERROR_LOG_INTERVAL = Duration.ofMinutes(5);
    /** Caps 2^n so the shift never overflows; 2^20 * any sane initial exceeds any sane max. */
    private static final int MAX_DOUBLINGS = 20;

    static final String LOCK_FILE = ".lock";

    private final Path pendingDir;
    private final FileChannel lockChannel;
    private final Delivery delivery;
    private final Duration initial;
    private final Duration max;
    private final AlertingMetrics metrics;
    private final Clock clock;
    private final Delivered onDelivered;
    private final ObjectMapper json = mapper();
    /** Serialises deliveries; the entry map and failure state are guarded by {@code this}. */
    private final Object deliveryLock = new Object();

    /** Pending entries by file name (creation-time prefix, so iteration is oldest first). */
    private final TreeMap<String, Entry> entries = new TreeMap<>();
    private int relayFailures;
    private Instant notBefore = Instant.MIN;
    private Instant failingSince;
    private String lastFailure;
    private Instant lastErrorLog;
    private volatile int pendingCount;
    private volatile boolean failing;

    private static final class Entry {
        final Path file;
        final Notification n;
        int attempts;
        Instant nextAttempt = Instant.MIN;
        Instant firstFailure;

        Entry(Path file, Notification n) {
            this.file = file;
            this.n = n;
        }
    }

    /** Told of every notification the relay accepted; called on the delivering thread, must not block. */
    @FunctionalInterface
    public interface Delivered {
        void accepted(Notification n, Delivery.Receipt receipt, Instant at);
    }

    /** Opens (creating) the outbox under {@code dir} and loads what a previous run left pending. */
    public Outbox(Path dir, Delivery delivery, Duration initial, Duration max, AlertingMetrics metrics, Clock clock) {
        this(dir, delivery, initial, max, metrics, clock, (n, r, at) -> { });
    }

    /** As above, telling {@code onDelivered} of each accepted notification. */
    public Outbox(Path dir, Delivery delivery, Duration initial, Duration max, AlertingMetrics metrics, Clock clock,
            Delivered onDelivered) {
        this.pendingDir = dir.resolve(PENDING_DIR);
        this.delivery = delivery;
        this.initial = initial;
        this.max = max;
        this.metrics = metrics;
        this.clock = clock;
        this.onDelivered = onDelivered;
        try {
            PrivateFiles.createDirectories(pendingDir);
            this.lockChannel = lock(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create outbox " + pendingDir, e);
        }
        load();
        metrics.bindOutbox(() -> pendingCount, () -> failing);
    }

    /**
     * Two processes sharing one outbox would send every pending notification twice and overwrite
     * each other's open-alert state; the OS lock (released on exit, even a crash) refuses the second.
     */
    private static FileChannel lock(Path dir) throws IOException {
        FileChannel ch = PrivateFiles.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            ch.close();
            throw new AlertingConfigException("alerting.outbox-dir", dir.toAbsolutePath()
                    + " is in use by another running auditwatch instance; give each instance its own outbox directory");
        }
        return ch;
    }

    /** Releases the directory lock; pending notifications stay on disk for the next start. */
    @Override
    public void close() {
        try {
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("cannot release outbox lock: {}", e.toString());
        }
    }

    /** The JSON mapping of every file alerting keeps (outbox entries, open-alert state): ISO-8601 times and durations. */
    public static ObjectMapper mapper() {
        return new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    private void load() {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(pendingDir, "*.json")) {
            for (Path p : ds) {
                try {
                    Notification n = json.readValue(p.toFile(), Notification.class);
                    entries.put(p.getFileName().toString(), new Entry(p, n));
                } catch (IOException | RuntimeException e) {
                    // Atomic writes make this a hand-edited or foreign file: keep it for a person, never drop it silently.
                    Path bad = p.resolveSibling(p.getFileName() + ".unreadable");
                    LOG.error("outbox entry {} is unreadable ({}); moved to {} for inspection", p, e.getMessage(), bad);
                    Files.move(p, bad, StandardCopyOption.REPLACE_EXISTING);
                    metrics.failure(DeliveryException.Reason.IO);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read outbox " + pendingDir, e);
        }
        pendingCount = entries.size();
        if (!entries.isEmpty()) {
            LOG.info("outbox {}: {} notification(s) left by the previous run will be delivered now", pendingDir, entries.size());
        }
    }

    /**
     * Persists a notification for delivery. If the disk write fails the notification is still
     * delivered from memory (and the failure logged and counted): losing the email would be worse
     * than losing its crash safety.
     */
    public void enqueue(Notification n) {
        enqueue(n, true);
    }

    /**
     * As {@link #enqueue(Notification)}; with {@code persist} false the notification is kept in
     * memory only, because it is durable elsewhere (a shared node alert's notification lives in
     * Kafka, where the next owner of its partition finds it) and a copy on this disk would be sent
     * again by this instance after a restart, when it may no longer own it.
     */
    public synchronized void enqueue(Notification n, boolean persist) {
        String name = n.id() + ".json";
        if (entries.containsKey(name)) {
            return;
        }
        Path file = pendingDir.resolve(name);
        if (persist) {
            try {
                AtomicFiles.write(file, json.writeValueAsBytes(n));
            } catch (IOException e) {
                LOG.error("cannot persist notification {} to the outbox ({}); delivering it from memory only", n.id(), e.toString());
                metrics.failure(DeliveryException.Reason.IO);
            }
        }
        entries.put(name, new Entry(file, n));
        pendingCount = entries.size();
    }

    /**
     * Forgets pending notifications that another instance now delivers (their partitions moved).
     * One whose delivery is under way at this moment is still sent: the other instance may send it
     * too, with the same Message-ID.
     */
    public synchronized void discard(java.util.Collection<String> ids) {
        for (String id : ids) {
            entries.remove(id + ".json");
        }
        pendingCount = entries.size();
    }

    /**
     * Attempts every notification whose retry time has come, oldest first, on one connection.
     * One delivery at a time; {@link #enqueue} never waits for a delivery in progress (the
     * engine enqueues while holding its own lock, which {@code accept} callers need).
     *
     * @param ignoreBackoff attempt even while the relay is backing off (the test alert: an
     *     operator waiting for the result)
     * @return notifications accepted in this call
     */
    public int deliverDue(boolean ignoreBackoff) {
        synchronized (deliveryLock) {
            Instant now = clock.instant();
            List<Entry> due = new ArrayList<>();
            synchronized (this) {
                if (entries.isEmpty() || (!ignoreBackoff && now.isBefore(notBefore))) {
                    return 0;
                }
                for (Entry e : entries.values()) {
                    if (ignoreBackoff || !now.isBefore(e.nextAttempt)) {
                        due.add(e);
                    }
                }
            }
            if (due.isEmpty()) {
                return 0;
            }
            int accepted = 0;
            boolean relayFailed = false;
            Delivery.Batch batch;
            try {
                batch = delivery.open();
            } catch (DeliveryException e) {
                relayFailed(e, now);
                return 0;
            }
            try (batch) {
                for (Entry e : due) {
                    Delivery.Receipt receipt;
                    try {
                        receipt = batch.send(e.n);
                    } catch (DeliveryException ex) {
                        if (ex.perMessage()) {
                            messageFailed(e, ex, now);
                            continue;
                        }
                        relayFailed(ex, now);
                        relayFailed = true;
                        break;
                    }
                    accepted++;
                    remove(e);
                    metrics.delivered(e.n);
                    accepted(e.n, receipt);
                }
            }
            if (accepted > 0 && !relayFailed) {
                recovered(now, accepted);
            }
            return accepted;
        }
    }

    private void accepted(Notification n, Delivery.Receipt receipt) {
        try {
            onDelivered.accepted(n, receipt == null ? new Delivery.Receipt(0, "accepted") : receipt, clock.instant());
        } catch (RuntimeException ex) {
            LOG.warn("delivery of notification {} could not be recorded: {}", n.id(), ex.toString());
        }
    }

    private void remove(Entry e) {
        synchronized (this) {
            entries.remove(e.file.getFileName().toString());
            pendingCount = entries.size();
        }
        try {
            Files.deleteIfExists(e.file);
            AtomicFiles.syncDirectory(pendingDir);
        } catch (IOException ex) {
            // Accepted but not deleted: it will be sent once more after a restart (same Message-ID).
            LOG.error("notification {} was delivered but its outbox file {} could not be deleted ({})", e.n.id(), e.file, ex.toString());
        }
    }

    private synchronized void relayFailed(DeliveryException e, Instant now) {
        relayFailures++;
        Duration wait = backoff(relayFailures);
        notBefore = now.plus(wait);
        metrics.failure(e.reason());
        failed(e, now, "relay " + delivery.describe() + " failed (" + e.reason().id() + ": " + e.getMessage() + "); "
                + entries.size() + " notification(s) pending, next attempt in " + wait.toSeconds() + "s");
    }

    private synchronized void messageFailed(Entry entry, DeliveryException e, Instant now) {
        entry.attempts++;
        if (entry.firstFailure == null) {
            entry.firstFailure = now;
        }
        Duration wait = backoff(entry.attempts);
        entry.nextAttempt = now.plus(wait);
        metrics.failure(e.reason());
        failed(e, now, "relay " + delivery.describe() + " refused notification " + entry.n.id() + " (" + e.getMessage()
                + "); retry in " + wait.toSeconds() + "s, attempt " + entry.attempts);
    }

    private void failed(DeliveryException e, Instant now, String message) {
        lastFailure = e.reason().id();
        if (failingSince == null) {
            failingSince = now;
        }
        failing = true;
        if (lastErrorLog == null || !now.isBefore(lastErrorLog.plus(ERROR_LOG_INTERVAL))) {
            lastErrorLog = now;
            LOG.error("alert delivery failing since {}: {}", failingSince, message);
        }
    }

    private synchronized void recovered(Instant now, int accepted) {
        boolean messageBackoff = entries.values().stream().anyMatch(x -> x.attempts > 0);
        if (failingSince != null && !messageBackoff) {
            LOG.info("alert delivery recovered after {}s of failures; {} notification(s) delivered, {} pending",
                    Duration.between(failingSince, now).toSeconds(), accepted, entries.size());
            failingSince = null;
            lastErrorLog = null;
            failing = false;
        }
        relayFailures = 0;
        notBefore = Instant.MIN;
    }

    Duration backoff(int failures) {
        int doublings = Math.min(Math.max(failures - 1, 0), MAX_DOUBLINGS);
        Duration d = initial.multipliedBy(1L << doublings);
        return d.compareTo(max) > 0 ? max : d;
    }

    public synchronized DeliveryHealth health() {
        return new DeliveryHealth(failingSince == null, failingSince, entries.size(), lastFailure, delivery.describe());
    }

    public int pending() {
        return pendingCount;
    }
}
