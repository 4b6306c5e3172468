package io.auditwatch.service.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The admin server's meters, all declared here.
 *
 * <ul>
 *   <li>{@code auditwatch_admin_requests_total{path, status}}: requests answered, by route and HTTP
 *       status code. {@code path} is a routed path or {@code other} (scanners probe thousands of
 *       paths; they must not become series); {@code status} is one of the few codes the server
 *       produces.</li>
 * </ul>
 */
final class AdminMetrics {

    static final String REQUESTS = "auditwatch.admin.requests";
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
        counters.computeIfAbsent(label + ' ' + status, k -> Counter.builder(REQUESTS)
                        .description("Admin HTTP requests answered, by route (or 'other') and status code")
                        .tag("path", label)
                        .tag("status", Integer.toString(status))
                        .register(registry))
                .increment();
    }
}
