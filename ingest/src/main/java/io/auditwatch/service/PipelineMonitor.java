package io.auditwatch.service;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertKind;
import io.auditwatch.alerting.AlertSink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches auditwatch itself and raises pipeline alerts straight to alerting (not through Kafka,
 * which may be what failed): a condition that has been failing for its grace period fires once,
 * and resolves when it clears. Driven by {@link #check()} once a second on an injected clock.
 */
public final class PipelineMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineMonitor.class);

    /** One watched condition. */
    public record Condition(AlertKind kind, String name, BooleanSupplier failing, Supplier<String> summary,
            Duration grace, Runnable onFailing, Runnable onCleared) {
        public Condition(AlertKind kind, String name, BooleanSupplier failing, Supplier<String> summary, Duration grace) {
            this(kind, name, failing, summary, grace, () -> { }, () -> { });
        }

        String key() {
            return "pipeline/" + kind.id() + "/" + name;
        }
    }

    private final Clock clock;
    private final AlertSink sink;
    private final List<Condition> conditions = new ArrayList<>();
    private final Map<Condition, Instant> failingSince = new LinkedHashMap<>();
    /** The summary a condition fired with: its recovery notice names what failed, not today's state. */
    private final Map<Condition, String> fired = new LinkedHashMap<>();

    public PipelineMonitor(Clock clock, AlertSink sink) {
        this.clock = clock;
        this.sink = sink;
    }

    public synchronized PipelineMonitor watch(Condition c) {
        conditions.add(c);
        return this;
    }

    /** Evaluates every condition once. */
    public synchronized void check() {
        Instant now = clock.instant();
        for (Condition c : conditions) {
            boolean failing;
            try {
                failing = c.failing().getAsBoolean();
            } catch (RuntimeException e) {
                LOG.warn("Pipeline check {} failed", c.key(), e);
                continue;
            }
            Instant since = failingSince.get(c);
            if (failing) {
                if (since == null) {
                    since = now;
                    failingSince.put(c, now);
                    c.onFailing().run();
                }
                if (!fired.containsKey(c) && !now.isBefore(since.plus(c.grace()))) {
                    String summary = c.summary().get();
                    fired.put(c, summary);
                    LOG.error("Pipeline failure: {}", summary);
                    sink.accept(new AlertEvent(c.kind(), c.key(), AlertEvent.Status.FIRING, now, null, null, since,
                            c.grace(), summary, Map.of("failing since", since.toString())));
                }
            } else if (since != null) {
                failingSince.remove(c);
                c.onCleared().run();
                String summary = fired.remove(c);
                if (summary != null) {
                    LOG.info("Pipeline recovered: {} after {}", c.key(), Duration.between(since, now));
                    sink.accept(new AlertEvent(c.kind(), c.key(), AlertEvent.Status.RESOLVED, now, null, null, since,
                            c.grace(), summary, Map.of("failing since", since.toString())));
                }
            }
        }
    }

    /** The conditions failing now, by key, for {@code /status}. */
    public synchronized Map<String, Instant> failing() {
        Map<String, Instant> out = new LinkedHashMap<>();
        failingSince.forEach((c, t) -> out.put(c.key(), t));
        return out;
    }
}
