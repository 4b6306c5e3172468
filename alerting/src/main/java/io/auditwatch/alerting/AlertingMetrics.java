package io.auditwatch.alerting;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.ToIntFunction;

/**
 * Every meter of alerting and of the alert history, declared in {@link #METERS} and registered only
 * through those declarations. Label values are bounded: {@code kind} is an {@link AlertKind#id()},
 * {@code reason} a {@link DeliveryException.Reason#id()}.
 */
public final class AlertingMetrics {
    /** Alerts opened (a FIRING for a key that was not open). */
    public static final MeterDoc RAISED = MeterDoc.counter("auditwatch.alerts.raised", "alerts",
            "Alerts opened, in alerts").tag("kind", AlertKind.class, AlertKind::id);
    /**
     * FIRING or RECOVERED notices a silence kept from being mailed (alerting/README.md, "Silences");
     * the next notification that goes out reports them.
     */
    public static final MeterDoc SILENCED = MeterDoc.counter("auditwatch.alerts.silenced", "alerts",
            "Alert notices held back by a silence, in alerts").tag("kind", AlertKind.class, AlertKind::id);
    /**
     * Notifications accepted by the relay (or written as .eml), counted once per kind they report:
     * a digest of 50 silent nodes counts 1 for node-silent. Not per recipient.
     */
    public static final MeterDoc DELIVERED = MeterDoc.counter("auditwatch.alerts.delivered", "notifications",
            "Notifications accepted by the relay, once per kind they report, in notifications")
            .tag("kind", AlertKind.class, AlertKind::id);
    /** Failed delivery attempts (one per notification per attempt, or one per failed connect). */
    public static final MeterDoc FAILURES = MeterDoc.counter("auditwatch.alert.delivery.failures", "attempts",
            "Failed delivery attempts, in attempts").tag("reason", DeliveryException.Reason.class, DeliveryException.Reason::id);
    public static final MeterDoc PENDING = MeterDoc.gauge("auditwatch.alert.outbox.pending", "notifications",
            "Notifications in the outbox not yet accepted, in notifications");
    public static final MeterDoc OPEN = MeterDoc.gauge("auditwatch.alerts.open", "alerts", "Open alerts, in alerts")
            .tag("kind", "every kind but test: " + String.join(", ",
                    java.util.Arrays.stream(AlertKind.values()).filter(k -> k != AlertKind.TEST).map(AlertKind::id).toList()));
    /** 1 while delivery is failing (the last attempt failed and something is pending), else 0. */
    public static final MeterDoc FAILING = MeterDoc.gauge("auditwatch.alert.delivery.failing", "1",
            "1 while alert delivery is failing, else 0");
    public static final MeterDoc HISTORY_RECORDS = MeterDoc.counter("auditwatch.alert.history.records", "notifications",
            "Notifications written to the alert history topic, in notifications");
    public static final MeterDoc HISTORY_FAILURES = MeterDoc.counter("auditwatch.alert.history.failures", "notifications",
            "Notifications that could not be written to the alert history topic (email delivery is unaffected), in notifications");

    /** Every meter this class registers. */
    public static final List<MeterDoc> METERS =
            List.of(RAISED, SILENCED, DELIVERED, FAILURES, PENDING, OPEN, FAILING, HISTORY_RECORDS, HISTORY_FAILURES);

    private final MeterRegistry registry;
    private final Map<AlertKind, Counter> raised = new EnumMap<>(AlertKind.class);
    private final Map<AlertKind, Counter> delivered = new EnumMap<>(AlertKind.class);
    private final Map<AlertKind, Counter> silenced = new EnumMap<>(AlertKind.class);
    private final Map<DeliveryException.Reason, Counter> failures = new EnumMap<>(DeliveryException.Reason.class);
    private final Counter historyRecords;
    private final Counter historyFailures;

    public AlertingMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (AlertKind k : AlertKind.values()) {
            raised.put(k, RAISED.counter().tag("kind", k.id()).register(registry));
            delivered.put(k, DELIVERED.counter().tag("kind", k.id()).register(registry));
            silenced.put(k, SILENCED.counter().tag("kind", k.id()).register(registry));
        }
        for (DeliveryException.Reason r : DeliveryException.Reason.values()) {
            failures.put(r, FAILURES.counter().tag("reason", r.id()).register(registry));
        }
        historyRecords = HISTORY_RECORDS.counter().register(registry);
        historyFailures = HISTORY_FAILURES.counter().register(registry);
    }

    /**
     * A gauge registered again under the same id would keep the first supplier (Micrometer returns
     * the existing meter), so a new engine on the same registry (a restart in-process) replaces it.
     */
    private void unbind(MeterDoc meter) {
        registry.find(meter.name()).gauges().forEach(registry::remove);
    }

    public void raised(AlertKind kind) {
        raised.get(kind).increment();
    }

    public void silenced(AlertKind kind) {
        silenced.get(kind).increment();
    }

    public void delivered(Notification n) {
        n.kinds().forEach(k -> delivered.get(k).increment());
    }

    public void failure(DeliveryException.Reason reason) {
        failures.get(reason).increment();
    }

    /** One notification written to the alert history ({@code written}) or lost to it. */
    public void history(boolean written) {
        (written ? historyRecords : historyFailures).increment();
    }

    /** Binds the outbox gauges; suppliers must be cheap and thread-safe (scrapes call them). */
    public void bindOutbox(IntSupplier pending, BooleanSupplier failing) {
        unbind(PENDING);
        unbind(FAILING);
        PENDING.gauge(() -> pending.getAsInt()).register(registry);
        FAILING.gauge(() -> failing.getAsBoolean() ? 1 : 0).register(registry);
    }

    public void bindOpen(ToIntFunction<AlertKind> open) {
        unbind(OPEN);
        for (AlertKind k : AlertKind.values()) {
            if (k != AlertKind.TEST) {
                OPEN.gauge(() -> open.applyAsInt(k)).tag("kind", k.id()).register(registry);
            }
        }
    }
}
