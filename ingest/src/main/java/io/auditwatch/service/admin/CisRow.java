package io.auditwatch.service.admin;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One node's CIS Docker audit rules on {@code /status} and {@code /api/nodes} (heartbeat/README.md,
 * "Compliance: CIS rule state and audit changes").
 *
 * @param node node identity
 * @param enabled audit_enabled of the last report (0, 1, 2), or -1 when unknown
 * @param reported when the node last reported its rules, or null when it never did
 * @param controls control id ({@code 1.2.3}) to {@code ok}, {@code missing}, {@code na} or {@code unknown}, in order
 */
public record CisRow(String node, int enabled, Instant reported, Map<String, String> controls) {
    public CisRow {
        Objects.requireNonNull(node, "node");
        controls = Collections.unmodifiableMap(new LinkedHashMap<>(controls));
    }
}
