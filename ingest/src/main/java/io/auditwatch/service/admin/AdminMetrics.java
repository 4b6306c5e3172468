package io.auditwatch.service.admin;

import io.auditwatch.alerting.MeterDoc;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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

    /** Every meter this class registers. */
    public static final List<MeterDoc> METERS = List.of(REQUESTS);

    static final String OTHER_PATH = "other";

    private final MeterRegistry registry;
    private final Set<String> knownPaths;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    AdminMetrics(MeterRegistry registry, Set<String> knownPaths) {
        this.registry = registry;
        this.knownPaths = Set.copyOf(knownPaths);
    }

    /** Counts one answered request to {@code path} (raw, unbounded) with {@code status}. */
    void request(String path, int status) {
        String label = knownPaths.contains(path) ? path : OTHER_PATH;
        counters.computeIfAbsent(label + ' ' + status, k -> REQUESTS.counter()
                        .tag("path", label)
                        .tag("status", Integer.toString(status))
                        .register(registry))
                .increment();
    }
}
