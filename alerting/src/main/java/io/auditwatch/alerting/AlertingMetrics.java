package io.auditwatch.alerting;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.ToIntFunction;

/**
 * Every meter of alerting, in one place. Label values are bounded: {@code kind} is an
 * {@link AlertKind#id()}, {@code reason} a {@link DeliveryException.Reason#id()}.
 */
public final class AlertingMetrics {
    /** Counter{kind}: alerts opened (a FIRING for a key that was not open). */
    public static final String RAISED = "auditwatch_alerts_raised_total";
    /**
     * Counter{kind}: notifications accepted by the relay (or written as .eml), counted once per
     * kind they report: a digest of 50 silent nodes counts 1 for node-silent. Not per recipient.
     */
    public static final String DELIVERED = "auditwatch_alerts_delivered_total";
    /** Counter{reason}: failed delivery attempts (one per notification per attempt, or one per failed connect). */
    public static final String FAILURES = "auditwatch_alert_delivery_failures_total";
    /** Gauge: notifications in the outbox not yet accepted. */
    public static final String PENDING = "auditwatch_alert_outbox_pending";
    /** Gauge{kind}: open alerts. */
    public static final String OPEN = "auditwatch_alerts_open";
    /** Gauge: 1 while delivery is failing (the last attempt failed and something is pending), else 0. */
    public static final String FAILING = "auditwatch_alert_delivery_failing";

    private final MeterRegistry registry;
    private final Map<AlertKind, Counter> raised = new EnumMap<>(AlertKind.class);
    private final Map<AlertKind, Counter> delivered = new EnumMap<>(AlertKind.class);
    private final Map<DeliveryException.Reason, Counter> failures = new EnumMap<>(DeliveryException.Reason.class);

    public AlertingMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (AlertKind k : AlertKind.values()) {
            raised.put(k, Counter.builder(RAISED).description("Alerts opened").tag("kind", k.id()).register(registry));
            delivered.put(k, Counter.builder(DELIVERED)
                    .description("Notifications accepted by the relay, once per kind they report").tag("kind", k.id()).register(registry));
        }
        for (DeliveryException.Reason r : DeliveryException.Reason.values()) {
            failures.put(r, Counter.builder(FAILURES).description("Failed delivery attempts").tag("reason", r.id()).register(registry));
        }
    }

    /**
     * A gauge registered again under the same id would keep the first supplier (Micrometer returns
     * the existing meter), so a new engine on the same registry (a restart in-process) replaces it.
     */
    private void unbind(String name) {
        registry.find(name).gauges().forEach(registry::remove);
    }

    public void raised(AlertKind kind) {
        raised.get(kind).increment();
    }

    public void delivered(Notification n) {
        n.kinds().forEach(k -> delivered.get(k).increment());
    }

    public void failure(DeliveryException.Reason reason) {
        failures.get(reason).increment();
    }

    /** Binds the outbox gauges; suppliers must be cheap and thread-safe (scrapes call them). */
    public void bindOutbox(IntSupplier pending, BooleanSupplier failing) {
        unbind(PENDING);
        unbind(FAILING);
        Gauge.builder(PENDING, () -> pending.getAsInt()).description("Notifications in the outbox not yet accepted").register(registry);
        Gauge.builder(FAILING, () -> failing.getAsBoolean() ? 1 : 0).description("1 while alert delivery is failing").register(registry);
    }

    public void bindOpen(ToIntFunction<AlertKind> open) {
        unbind(OPEN);
        for (AlertKind k : AlertKind.values()) {
            if (k != AlertKind.TEST) {
                Gauge.builder(OPEN, () -> open.applyAsInt(k)).description("Open alerts").tag("kind", k.id()).register(registry);
            }
        }
    }
}
