package io.auditwatch.heartbeat.kafka;

import io.auditwatch.alerting.MeterDoc;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/** The meters of the heartbeat consumer's supervision (heartbeat/README.md, "Supervision"), declared in {@link #METERS}. */
public final class HeartbeatConsumerMetrics {
    public static final MeterDoc RESTARTS = MeterDoc.counter("auditwatch.heartbeat.consumer.restarts", "restarts",
            "Heartbeat consumer sessions started again after a failure, in restarts");
    public static final MeterDoc STATE = MeterDoc.gauge("auditwatch.heartbeat.consumer.state", "1",
            "1 for the heartbeat consumer's current life-cycle state, 0 for the others")
            .tag("state", ConsumerState.class, MeterDoc::label);

    /** Every meter this class registers. */
    public static final List<MeterDoc> METERS = List.of(RESTARTS, STATE);

    private HeartbeatConsumerMetrics() {
    }

    /** Registers the meters of {@code consumer}, which the registry holds weakly: keep a reference to it. */
    public static void bind(MeterRegistry registry, HeartbeatConsumer consumer) {
        RESTARTS.functionCounter(consumer, HeartbeatConsumer::restarts).register(registry);
        for (ConsumerState s : ConsumerState.values()) {
            STATE.gauge(consumer, c -> c.state() == s ? 1 : 0).tag("state", MeterDoc.label(s)).register(registry);
        }
    }
}
