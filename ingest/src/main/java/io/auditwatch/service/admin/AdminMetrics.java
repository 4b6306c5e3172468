package io.auditwatch.service.admin;

import io.auditwatch.alerting.MeterDoc;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The admin server's meters, declared in {@link #METERS} and registered only through those declarations. */
public final class AdminMetrics {
    /**
     * {@code path} is a routed path or {@code other} (scanners probe thousands of paths; they must not
     * become series); {@code status} is one of the few codes the server produces.
     */
    static final MeterDoc REQUESTS = MeterDoc.counter("auditwatch.admin.requests", "requests",
            "Admin HTTP requests answered, by route (or 'other') and status code, in requests")
            .tag("path", "a routed path (/metrics, /health, /ready, /status, ...) or other")
            .tag("status", "the HTTP status code answered");

    static final MeterDoc REFUSED = MeterDoc.counter("auditwatch.admin.refused", "requests",
            "Admin requests refused before or by their route (authentication, role, Host, Origin, Content-Type, "
                    + "maintenance bounds, test-alert rate), by reason, in requests")
            .tag("reason", AdminRefusal.class, MeterDoc::label);

    /** Every meter this class registers. */
    public static final List<MeterDoc> METERS = List.of(REQUESTS, REFUSED);

    static final String OTHER_PATH = "other";

    private final MeterRegistry registry;
    private final Set<String> knownPaths;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<AdminRefusal, Counter> refused = new EnumMap<>(AdminRefusal.class);

    AdminMetrics(MeterRegistry registry, Set<String> knownPaths) {
        this.registry = registry;
        this.knownPaths = Set.copyOf(knownPaths);
        for (AdminRefusal r : AdminRefusal.values()) {
            refused.put(r, REFUSED.counter().tag("reason", MeterDoc.label(r)).register(registry));
        }
    }

    /** Counts one refused request. */
    void refused(AdminRefusal reason) {
        refused.get(reason).increment();
    }

    /** {@code path} if routed, else {@value #OTHER_PATH}: what may appear in a label or a log line. */
    String routedOrOther(String path) {
        return knownPaths.contains(path) ? path : OTHER_PATH;
    }

    /** Counts one answered request to {@code path} (raw, unbounded) with {@code status}. */
    void request(String path, int status) {
        String label = routedOrOther(path);
        counters.computeIfAbsent(label + ' ' + status, k -> REQUESTS.counter()
                        .tag("path", label)
                        .tag("status", Integer.toString(status))
                        .register(registry))
                .increment();
    }
}
