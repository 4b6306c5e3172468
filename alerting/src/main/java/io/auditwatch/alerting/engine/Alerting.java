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
import java.util.ArrayList;
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
public final class Alerting implements AlertSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Alerting.class);
    /** Tick period: the resolution of the group window, repeats, escalation and retries. */
    public static final Duration TICK = Duration.ofSeconds(1);

    private final AlertingSettings settings;
    private final Clock clock;
    private final AlertingMetrics metrics;
    private final AlertHistory history;
    private final NotificationRenderer renderer;
    private final Outbox outbox;
    private final Delivery delivery;
    private final OpenAlertStore store;
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
                    this.history::delivered);
        } catch (java.io.UncheckedIOException e) {
            throw new AlertingConfigException("alerting.outbox-dir", "expected a writable directory, got "
                    + settings.outboxDir().toAbsolutePath() + " (" + e.getCause() + ")", e);
        }
        this.store = new OpenAlertStore(settings.outboxDir());
        OpenAlertStore.Snapshot restored = store.load();
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

    @Override
    public void accept(AlertEvent e) {
        synchronized (this) {
            Instant now = clock.instant();
            OpenAlert a = open.get(e.key());
            if (e.status() == AlertEvent.Status.FIRING) {
                if (a == null) {
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
        synchronized (this) {
            made = step(clock.instant());
        }
        for (Notification n : made) {
            recordHistory(n);
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
            String group = (n.type() == Notice.Type.FIRING || n.type() == Notice.Type.RECOVERED ? "transition" : n.type().name())
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
            outbox.enqueue(notification);
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
        dirty = !store.save(List.copyOf(open.values()), List.copyOf(silences), heldBack);
        updateGauges();
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
