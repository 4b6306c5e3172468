package io.auditwatch.alerting.engine;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertHistory;
import io.auditwatch.alerting.AlertKind;
import io.auditwatch.alerting.AlertSink;
import io.auditwatch.alerting.AlertingConfigException;
import io.auditwatch.alerting.AlertingMetrics;
import io.auditwatch.alerting.AlertingSettings;
import io.auditwatch.alerting.Delivery;
import io.auditwatch.alerting.DeliveryHealth;
import io.auditwatch.alerting.EscalationStep;
import io.auditwatch.alerting.Notification;
import io.auditwatch.alerting.OpenAlert;
import io.auditwatch.alerting.mail.EmlFolderDelivery;
import io.auditwatch.alerting.mail.SmtpDelivery;
import io.auditwatch.alerting.outbox.Outbox;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import io.auditwatch.alerting.AlertStore;
import io.auditwatch.alerting.OwnedAlertSink;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alerting engine: one open alert per key, digests per recipient set within the group
 * window, repeats, escalation, silences, and delivery through the persistent outbox.
 *
 * <p>{@link #accept} only records the transition (and persists it); everything time-based happens
 * in {@link #tick()}, a function of the injected clock. In production a scheduler calls it every
 * second; tests move a {@code ManualClock} and call it directly.
 */
public final class Alerting implements AlertSink, AlertStore.Owner, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Alerting.class);
    /** Tick period: the resolution of the group window, repeats, escalation and retries. */
    public static final Duration TICK = Duration.ofSeconds(1);
    /**
     * How long a tick waits for a shared notification's record to reach the store before delivering
     * it anyway: an email now is worth more than the exactness a failover right then would cost.
     */
    static final Duration STORE_SYNC = Duration.ofSeconds(5);

    private final AlertingSettings settings;
    private final Clock clock;
    private final AlertingMetrics metrics;
    private final AlertHistory history;
    private final NotificationRenderer renderer;
    private final Outbox outbox;
    private final Delivery delivery;
    private final OpenAlertStore files;
    private final ScheduledFuture<?> ticking;

    /** Open alerts by key, in opening order. Guarded by {@code this}. */
    private final Map<String, OpenAlert> open = new LinkedHashMap<>();
    private final List<Silence> silences = new ArrayList<>();
    /**
     * Alerts held back by silences since the last notification went out, by the silence's
     * {@link Silence#describe()}: the next notification reports them, then this is cleared.
     * Guarded by {@code this}.
     */
    private final Map<String, Integer> heldBack = new LinkedHashMap<>();
    /** Start of the current group window; null when no transition waits. */
    private Instant windowStart;
    private volatile Map<AlertKind, Integer> openByKind = Map.of();
    /** State changed since the last save; saved by the next tick (group commit). Guarded by {@code this}. */
    private boolean dirty;
    private boolean closed;

    /** Null while every alert is this instance's alone (no consumer group shares the nodes). */
    private AlertStore store;
    /** Shared alerts (open or closed since the last write) by key: the partition that owns each. Guarded by {@code this}. */
    private final Map<String, Integer> shared = new HashMap<>();
    /** What the store holds of each shared alert, so that only changes are written. Guarded by {@code this}. */
    private final Map<String, OpenAlert> stored = new HashMap<>();
    /** Shared notifications not yet delivered, by id: the partitions they were written to. Guarded by {@code this}. */
    private final Map<String, Set<Integer>> sharedNotifications = new HashMap<>();
    /** Partitions whose shared alerts this instance owns. Guarded by {@code this}. */
    private final Set<Integer> owned = new HashSet<>();
    private volatile String instance;
    /** Shared alerts handed over whose last write the store did not acknowledge, since start (the stop's last line). */
    private volatile int unacknowledgedAtRelease;
    /** A shared notification was queued since the last tick: the tick waits for the store before delivering. */
    private boolean storeSyncDue;

    /** Without a scheduler: the caller calls {@link #tick()} (tests, or a scheduler of its own). */
    public Alerting(AlertingSettings settings, Clock clock, MeterRegistry registry, AlertHistory history) {
        this(settings, clock, registry, history, null);
    }

    /** With a scheduler, {@link #tick()} runs every {@link #TICK} until {@link #close()}. */
    public Alerting(AlertingSettings settings, Clock clock, MeterRegistry registry, AlertHistory history,
            ScheduledExecutorService scheduler) {
        this(settings, clock, registry, history, scheduler, defaultDelivery(settings));
    }

    Alerting(AlertingSettings settings, Clock clock, MeterRegistry registry, AlertHistory history,
            ScheduledExecutorService scheduler, Delivery delivery) {
        this.settings = settings;
        this.clock = clock;
        this.metrics = new AlertingMetrics(registry);
        this.history = history == null ? AlertHistory.NONE : history;
        this.renderer = new NotificationRenderer(settings);
        this.delivery = delivery;
        try {
            // First: the outbox takes the directory lock before any state is read.
            this.outbox = new Outbox(settings.outboxDir(), delivery, settings.retryInitial(), settings.retryMax(), metrics, clock,
                    this::delivered);
        } catch (java.io.UncheckedIOException e) {
            throw new AlertingConfigException("alerting.outbox-dir", "expected a writable directory, got "
                    + settings.outboxDir().toAbsolutePath() + " (" + e.getCause() + ")", e);
        }
        this.files = new OpenAlertStore(settings.outboxDir());
        OpenAlertStore.Snapshot restored = files.load();
        restored.open().forEach(a -> open.put(a.key(), a));
        silences.addAll(restored.silences());
        heldBack.putAll(restored.heldBack());
        updateGauges();
        metrics.bindOpen(k -> openByKind.getOrDefault(k, 0));
        logStartup();
        this.ticking = scheduler == null ? null
                : scheduler.scheduleWithFixedDelay(this::safeTick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Delivery defaultDelivery(AlertingSettings s) {
        return s.smtp().enabled() ? new SmtpDelivery(s.smtp(), s.from()) : new EmlFolderDelivery(s.outboxDir(), s.from());
    }

    private void logStartup() {
        if (!(delivery instanceof EmlFolderDelivery)) {
            LOG.info("alerting: delivering by {} from {}; outbox {}", delivery.describe(), settings.from(), settings.outboxDir());
        } else {
            LOG.warn("alerting: NO SMTP relay configured (alerting.smtp.host is empty): alerts are written as .eml files "
                    + "and logged, NOT emailed ({})", delivery.describe());
        }
        LOG.info("alerting: recipients {}; group-window {}, repeat-interval {}, escalation {}; smtp {}",
                settings.recipients(), settings.groupWindow(), settings.repeatInterval(), settings.escalation(), settings.smtp());
        if (!open.isEmpty() || outbox.pending() > 0) {
            LOG.info("alerting: restored {} open alert(s), {} silence(s), {} pending notification(s)",
                    open.size(), silences.size(), outbox.pending());
        }
    }

    /** Takes an alert of this instance alone: pipeline alerts, and node alerts raised by this instance's ingest. */
    @Override
    public void accept(AlertEvent e) {
        accept(e, false);
    }

    /**
     * The sink of alerts that belong to their node's partition: shared through the store once one is
     * attached ({@link #share}), this instance's alone before.
     */
    public OwnedAlertSink ownedSink() {
        return new OwnedAlertSink() {
            @Override
            public void accept(AlertEvent e) {
                Alerting.this.accept(e, true);
            }

            @Override
            public void reconcile(Collection<Integer> partitions, Collection<AlertEvent> held) {
                Alerting.this.reconcile(partitions, held);
            }
        };
    }

    /**
     * Names this instance in every pipeline alert it raises from now on (an {@code instance} line in
     * the email): with several instances, the reader must know which one is failing.
     */
    public void nameInstance(String name) {
        this.instance = name;
    }

    private void accept(AlertEvent raised, boolean ownedByPartition) {
        AlertEvent e = raised;
        String name = instance;
        if (name != null && e.kind().category() == AlertKind.Category.PIPELINE && !e.details().containsKey("instance")) {
            Map<String, String> details = new LinkedHashMap<>();
            details.put("instance", name);
            details.putAll(e.details());
            e = new AlertEvent(e.kind(), e.key(), e.status(), e.at(), e.node(), e.stream(), e.lastSeen(), e.threshold(),
                    e.summary(), details);
        }
        synchronized (this) {
            Instant now = clock.instant();
            OpenAlert a = open.get(e.key());
            if (e.status() == AlertEvent.Status.FIRING) {
                if (a == null) {
                    if (ownedByPartition && store != null && e.node() != null) {
                        shared.put(e.key(), store.partitionOf(e.node()));
                    }
                    open.put(e.key(), new OpenAlert(e, now, null, null, 0, settings.rolesFor(e.kind()), null));
                    metrics.raised(e.kind());
                    LOG.info("alert opened: {} {}", e.key(), e.summary());
                    holdBack(e, now);
                } else if (a.resolved() != null) {
                    // Flapped back before the recovery went out: cancel the recovery, the alert stays open.
                    open.put(e.key(), a.withResolved(null));
                } else {
                    return; // deduplicated: one open alert per key
                }
            } else {
                if (a == null) {
                    LOG.info("RESOLVED for {} ignored: no open alert with that key", e.key());
                    return;
                }
                if (a.resolved() != null) {
                    return;
                }
                open.put(e.key(), a.withResolved(e));
                LOG.info("alert resolved: {}", e.key());
                if (a.notified()) {
                    holdBack(a.event(), now); // a recovery whose alert was mailed; one never mailed is not counted twice
                }
            }
            if (windowStart == null) {
                windowStart = now;
            }
            // Saved by the next tick, not here: an fsync per event measured 14-40 ms on a shared
            // disk, so a 1000-node outage would block the caller for 14 s. The cost is a window
            // of at most one tick in which a crash forgets the transition (alerting/README.md, "Delivery guarantees").
            dirty = true;
            updateGauges();
        }
    }

    /**
     * Advances time: flushes the group window, sends repeats and escalations, retries delivery.
     * Call every second (the scheduler does); safe to call more often or late.
     */
    public void tick() {
        List<Notification> made;
        AlertStore syncWith = null;
        synchronized (this) {
            made = step(clock.instant());
            if (storeSyncDue) {
                storeSyncDue = false;
                syncWith = store;
            }
        }
        for (Notification n : made) {
            recordHistory(n);
        }
        if (syncWith != null && !syncWith.sync(STORE_SYNC)) {
            LOG.warn("shared alert state not acknowledged by the store within {}s; delivering anyway: should this "
                    + "instance die before it is, the partition's next owner may notify these alerts again under a "
                    + "new Message-ID", STORE_SYNC.toSeconds());
        }
        outbox.deliverDue(false);
    }

    private void safeTick() {
        try {
            tick();
        } catch (RuntimeException | Error e) {
            // A throwing scheduled task is never run again: log and keep ticking.
            LOG.error("alerting tick failed", e);
        }
    }

    /**
     * Counts a FIRING or RECOVERED notice the first matching silence keeps from being mailed.
     * Guarded by {@code this}.
     */
    private void holdBack(AlertEvent e, Instant now) {
        for (int i = 0; i < silences.size(); i++) {
            Silence s = silences.get(i);
            if (s.matches(e, now)) {
                silences.set(i, s.withHeld(s.held() + 1));
                heldBack.merge(s.describe(), 1, Integer::sum);
                metrics.silenced(e.kind());
                LOG.info("alert {} held back by silence {}", e.key(), s.id());
                return;
            }
        }
    }

    /** Guarded by {@code this}. */
    private List<Notification> step(Instant now) {
        boolean changed = silences.removeIf(s -> !now.isBefore(s.until()));
        List<Notice> notices = new ArrayList<>();
        List<OpenAlert> transitions = new ArrayList<>();
        for (OpenAlert a : List.copyOf(open.values())) {
            if (a.resolved() == null && a.notified()) {
                continue;
            }
            if (silenced(a)) {
                if (a.resolved() != null) {
                    open.remove(a.key()); // recovery suppressed by the silence
                    changed = true;
                }
                continue;
            }
            transitions.add(a);
        }
        if (transitions.isEmpty()) {
            windowStart = null;
        } else {
            if (windowStart == null) {
                windowStart = now;
            }
            if (!now.isBefore(windowStart.plus(settings.groupWindow()))) {
                for (OpenAlert a : transitions) {
                    if (a.resolved() != null) {
                        notices.add(new Notice(Notice.Type.RECOVERED, a));
                    } else {
                        OpenAlert escalated = escalate(a, now);
                        open.put(a.key(), escalated);
                        notices.add(new Notice(Notice.Type.FIRING, escalated));
                    }
                }
                windowStart = null;
            }
        }
        for (OpenAlert a : List.copyOf(open.values())) {
            if (!a.notified() || a.resolved() != null || silenced(a)) {
                continue;
            }
            OpenAlert escalated = escalate(a, now);
            if (escalated != a) {
                open.put(a.key(), escalated);
                notices.add(new Notice(Notice.Type.ESCALATED, escalated));
            } else if (!now.isBefore(a.lastNoticeAt().plus(settings.repeatInterval()))) {
                notices.add(new Notice(Notice.Type.REPEAT, a));
            }
        }
        List<Notification> made = send(notices, now);
        if (store != null && store.writesLost()) {
            stored.clear(); // the store missed some writes: write every open shared alert again
            changed = true;
        }
        if (dirty || changed || !made.isEmpty()) {
            persist();
        }
        return made;
    }

    /** Applies every escalation step due by now; returns the same instance if none. */
    private OpenAlert escalate(OpenAlert a, Instant now) {
        OpenAlert out = a;
        List<EscalationStep> steps = settings.escalation();
        while (out.escalations() < steps.size() && !now.isBefore(out.since().plus(steps.get(out.escalations()).after()))) {
            List<String> roles = new ArrayList<>(out.roles());
            steps.get(out.escalations()).roles().stream().filter(r -> !roles.contains(r)).forEach(roles::add);
            out = out.withEscalation(roles);
        }
        return out;
    }

    /** One notification per (notice group, recipient set); updates the alerts' notice times. */
    private List<Notification> send(List<Notice> notices, Instant now) {
        Map<String, List<Notice>> groups = new LinkedHashMap<>();
        Map<String, List<String>> recipientsOf = new LinkedHashMap<>();
        for (Notice n : notices) {
            List<String> recipients = settings.addressesOf(n.alert().roles()).stream().sorted().toList();
            // Shared alerts go in notifications of their own: those live in the store, the others on this disk.
            String group = (shared.containsKey(n.alert().key()) ? "shared " : "")
                    + (n.type() == Notice.Type.FIRING || n.type() == Notice.Type.RECOVERED ? "transition" : n.type().name())
                    + " " + recipients;
            groups.computeIfAbsent(group, g -> new ArrayList<>()).add(n);
            recipientsOf.put(group, recipients);
        }
        List<Notification> made = new ArrayList<>();
        Map<String, Integer> held = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(heldBack));
        if (!groups.isEmpty()) {
            heldBack.clear(); // every notification of this step reports them
        }
        for (Map.Entry<String, List<Notice>> g : groups.entrySet()) {
            Notification notification = renderer.render(g.getValue(), recipientsOf.get(g.getKey()), now, held);
            Set<Integer> partitions = new java.util.TreeSet<>();
            for (Notice n : g.getValue()) {
                Integer p = shared.get(n.alert().key());
                if (p != null) {
                    partitions.add(p);
                }
            }
            if (partitions.isEmpty()) {
                outbox.enqueue(notification);
            } else {
                store.queued(partitions, notification);
                sharedNotifications.put(notification.id(), partitions);
                storeSyncDue = true;
                outbox.enqueue(notification, false);
            }
            made.add(notification);
            LOG.info("alert notification queued: \"{}\" to {} ({} alert(s))", notification.subject(), notification.recipients(),
                    g.getValue().size());
        }
        for (Notice n : notices) {
            String key = n.alert().key();
            if (n.type() == Notice.Type.RECOVERED) {
                open.remove(key);
            } else {
                open.computeIfPresent(key, (k, a) -> a.withNotice(now));
            }
        }
        return made;
    }

    private boolean silenced(OpenAlert a) {
        Instant now = clock.instant();
        return silences.stream().anyMatch(s -> s.matches(a.event(), now));
    }

    /**
     * Suppresses notifications of alerts that match every given field until {@code until}
     * (exclusive). Alerts still open and close; each FIRING or RECOVERED notice it holds back is
     * counted and reported by the next notification that goes out.
     *
     * @param node an {@link AlertEvent#node()}, or null for any
     * @param stream an {@link AlertEvent#stream()} id, or null for any
     * @param kind an alert kind, or null for any; at least one of the three is given
     * @param by who asked (the admin API's principal), shown with it
     * @return the silence, with its new id
     * @throws IllegalArgumentException when node, stream and kind are all null
     */
    public Silence silence(String node, String stream, AlertKind kind, Instant until, String reason, String by) {
        Silence s;
        synchronized (this) {
            String id;
            do {
                id = java.util.UUID.randomUUID().toString().substring(0, 8);
            } while (find(id) != null);
            s = new Silence(id, node, stream, kind, until, reason, by, clock.instant(), 0);
            silences.add(s);
            persist();
        }
        LOG.info("alerts matching {} silenced until {} by {} (silence {}): {}", s.matcher(), until, s.by(), s.id(), reason);
        return s;
    }

    /**
     * Ends the silence {@code id} now. Alerts it held back that are still open are notified at the
     * next group window.
     *
     * @return the silence as it was, or empty when none with that id is active
     */
    public java.util.Optional<Silence> endSilence(String id) {
        Silence s;
        synchronized (this) {
            s = find(id);
            if (s == null) {
                return java.util.Optional.empty();
            }
            silences.remove(s);
            if (windowStart == null) {
                windowStart = clock.instant(); // held-back alerts go out one window from now
            }
            persist();
        }
        LOG.info("silence {} ({}) ended early", id, s.matcher());
        return java.util.Optional.of(s);
    }

    /** Guarded by {@code this}. */
    private Silence find(String id) {
        return silences.stream().filter(s -> s.id().equals(id)).findFirst().orElse(null);
    }

    /** The active silences, oldest first. */
    public synchronized List<Silence> silences() {
        Instant now = clock.instant();
        return silences.stream().filter(s -> now.isBefore(s.until())).toList();
    }

    /** Open alerts (not yet recovered), oldest first, for the status page. */
    public synchronized List<OpenAlert> openAlerts() {
        return open.values().stream().filter(a -> a.resolved() == null)
                .sorted(Comparator.comparing(OpenAlert::since)).toList();
    }

    /**
     * Queues a TEST alert to every recipient of every role and attempts delivery at once (not
     * grouped, even during a retry backoff). Returns the notification; {@link #health()} tells
     * whether it was accepted.
     */
    public Notification sendTestAlert() {
        Notification n = renderer.test(clock.instant(), delivery.describe());
        outbox.enqueue(n);
        LOG.info("test alert queued to {}", n.recipients());
        recordHistory(n);
        outbox.deliverDue(true);
        return n;
    }

    public DeliveryHealth health() {
        return outbox.health();
    }

    private void recordHistory(Notification n) {
        try {
            history.record(n);
        } catch (RuntimeException e) {
            LOG.warn("alert history could not record notification {}: {}", n.id(), e.toString());
        }
    }

    /** Guarded by {@code this}. */
    private void persist() {
        List<OpenAlert> mine = open.values().stream().filter(a -> !shared.containsKey(a.key())).toList();
        dirty = !files.save(mine, List.copyOf(silences), heldBack);
        writeShared();
        updateGauges();
    }

    /** Writes each shared alert that changed since its last write, and removes each that closed. Guarded by {@code this}. */
    private void writeShared() {
        if (store == null) {
            return;
        }
        for (java.util.Iterator<Map.Entry<String, Integer>> it = shared.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Integer> e = it.next();
            OpenAlert now = open.get(e.getKey());
            if (now == null) {
                store.remove(e.getValue(), e.getKey());
                stored.remove(e.getKey());
                it.remove();
            } else if (!now.equals(stored.get(e.getKey()))) {
                store.put(e.getValue(), now);
                stored.put(e.getKey(), now);
            }
        }
    }

    private void delivered(Notification n, Delivery.Receipt receipt, Instant at) {
        history.delivered(n, receipt, at);
        Set<Integer> partitions;
        AlertStore s;
        synchronized (this) {
            partitions = sharedNotifications.remove(n.id());
            s = store;
        }
        if (partitions != null && s != null) {
            s.delivered(partitions, n.id());
        }
    }

    // ---------------------------------------------------------------- alerts shared by partition

    /**
     * Shares the alerts of the owned sink through {@code store} from now on. Such alerts this
     * instance kept on its own disk (a release before sharing existed) are moved to the store, and
     * the instance holds none until {@link #adopt} hands it partitions.
     */
    public void share(AlertStore store, java.util.function.Predicate<AlertEvent> ownedByPartition) {
        synchronized (this) {
            this.store = store;
            int moved = 0;
            for (OpenAlert a : List.copyOf(open.values())) {
                if (a.event().node() != null && ownedByPartition.test(a.event())) {
                    store.put(store.partitionOf(a.event().node()), a);
                    open.remove(a.key());
                    moved++;
                }
            }
            if (moved > 0) {
                persist();
                LOG.info("alerting: moved {} node alert(s) from {} to the shared store", moved, OpenAlertStore.FILE);
            }
        }
        if (!store.sync(STORE_SYNC)) {
            LOG.warn("alerting: the shared store did not acknowledge the moved alerts within {}s", STORE_SYNC.toSeconds());
        }
    }

    @Override
    public void adopt(Collection<Integer> partitions, AlertStore.Restored restored) {
        int alerts = 0;
        int pending = 0;
        synchronized (this) {
            owned.addAll(partitions);
            for (AlertStore.Held h : restored.alerts()) {
                OpenAlert a = h.alert();
                if (!partitions.contains(h.partition()) || open.containsKey(a.key())) {
                    continue;
                }
                open.put(a.key(), a);
                shared.put(a.key(), h.partition());
                stored.put(a.key(), a);
                alerts++;
            }
            for (AlertStore.Pending p : restored.notifications()) {
                Notification n = p.notification();
                if (sharedNotifications.containsKey(n.id())) {
                    continue;
                }
                if (!settings.allAddresses().containsAll(n.recipients())) {
                    // Written by something else than an auditwatch with this configuration: never a relay
                    // to addresses the operator did not configure.
                    LOG.error("notification {} in the alert store is addressed to {}, not all configured recipients; not sent",
                            n.id(), n.recipients());
                    continue;
                }
                sharedNotifications.put(n.id(), p.partitions());
                outbox.enqueue(n, false);
                pending++;
                // The old owner may have died between writing this and writing its alerts' new state.
                for (Notification.Alert na : n.alerts()) {
                    OpenAlert a = open.get(na.key());
                    if (a == null || !shared.containsKey(na.key())) {
                        continue;
                    }
                    if ("recovered".equals(na.notice())) {
                        open.remove(na.key());
                    } else if (!a.notified()) {
                        open.put(na.key(), a.withNotice(n.created()));
                    }
                }
            }
            if (windowStart == null && open.values().stream().anyMatch(a -> !a.notified() || a.resolved() != null)) {
                windowStart = clock.instant(); // what the old owner had not notified goes out one window from now
            }
            if (alerts + pending > 0) {
                persist();
            }
        }
        LOG.info("alerting took partitions {}: {} open alert(s), {} notification(s) to deliver", partitions, alerts, pending);
    }

    @Override
    public void release(Collection<Integer> partitions, Duration timeout) {
        hand(partitions, timeout);
    }

    /** Shared alerts handed over (revocation, stop) whose last write the store did not acknowledge in time. */
    public int unacknowledgedAtRelease() {
        return unacknowledgedAtRelease;
    }

    @Override
    public void lose(Collection<Integer> partitions) {
        hand(partitions, null);
    }

    /** Forgets the partitions' shared alerts; with a {@code timeout}, after writing their last changes. */
    private void hand(Collection<Integer> partitions, Duration timeout) {
        int alerts = 0;
        List<String> discarded = new ArrayList<>();
        AlertStore s;
        synchronized (this) {
            s = timeout == null ? null : store;
            if (s != null) {
                writeShared();
            }
            owned.removeAll(partitions);
            for (java.util.Iterator<Map.Entry<String, Integer>> it = shared.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Integer> e = it.next();
                if (partitions.contains(e.getValue())) {
                    open.remove(e.getKey());
                    stored.remove(e.getKey());
                    it.remove();
                    alerts++;
                }
            }
            for (java.util.Iterator<Map.Entry<String, Set<Integer>>> it = sharedNotifications.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Set<Integer>> e = it.next();
                if (java.util.Collections.disjoint(e.getValue(), owned)) {
                    discarded.add(e.getKey());
                    it.remove();
                }
            }
            outbox.discard(discarded);
            updateGauges();
        }
        boolean synced = s == null || s.sync(timeout);
        if (!synced) {
            unacknowledgedAtRelease += alerts;
        }
        LOG.info("alerting {} partitions {}: {} open alert(s) and {} notification(s) handed over{}",
                timeout == null ? "lost" : "released", partitions, alerts, discarded.size(),
                synced ? "" : " (the store did not acknowledge the last writes within " + timeout + ")");
    }

    private void reconcile(Collection<Integer> partitions, Collection<AlertEvent> held) {
        Map<String, AlertEvent> byKey = new LinkedHashMap<>();
        held.forEach(e -> byKey.put(e.key(), e));
        List<AlertEvent> fire = new ArrayList<>();
        List<AlertEvent> resolve = new ArrayList<>();
        synchronized (this) {
            Instant now = clock.instant();
            for (AlertEvent e : byKey.values()) {
                if (!open.containsKey(e.key())) {
                    fire.add(e);
                }
            }
            for (Map.Entry<String, Integer> e : shared.entrySet()) {
                OpenAlert a = open.get(e.getKey());
                if (a != null && a.resolved() == null && partitions.contains(e.getValue()) && !byKey.containsKey(e.getKey())) {
                    AlertEvent f = a.event();
                    resolve.add(new AlertEvent(f.kind(), f.key(), AlertEvent.Status.RESOLVED, now, f.node(), f.stream(),
                            f.lastSeen(), f.threshold(), (f.node() == null ? "" : f.node() + ": ") + f.kind().id()
                                    + " alert closed: no longer open when its partition changed owner", f.details()));
                }
            }
        }
        fire.forEach(e -> accept(e, true));
        resolve.forEach(e -> accept(e, true));
        if (!fire.isEmpty() || !resolve.isEmpty()) {
            LOG.info("alerting reconciled partitions {} with heartbeat: {} alert(s) opened, {} closed", partitions,
                    fire.size(), resolve.size());
        }
    }

    private void updateGauges() {
        Map<AlertKind, Integer> m = new EnumMap<>(AlertKind.class);
        for (OpenAlert a : open.values()) {
            if (a.resolved() == null) {
                m.merge(a.kind(), 1, Integer::sum);
            }
        }
        openByKind = m;
    }

    /** Stops the scheduled tick. Pending notifications stay in the outbox for the next start. */
    @Override
    public void close() {
        if (ticking != null) {
            ticking.cancel(false);
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            persist();
        }
        outbox.close();
    }
}
