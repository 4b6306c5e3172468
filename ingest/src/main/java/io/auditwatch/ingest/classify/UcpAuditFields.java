package io.auditwatch.ingest.classify;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Envelope fields of a UCP/MKE audit line (logrus JSON {@code {"audit":{...},"level":...,
 * "msg":"audit","time":...}}) or a Kubernetes {@code audit.k8s.io} Event (ingest/README.md, "UCP / MKE and
 * Kubernetes audit entries"). The request and response payloads are skipped: they stay in the raw bytes only.
 */
final class UcpAuditFields {

    /** Payloads of {@code request}/{@code RequestResponse} level: large, and kept raw only. */
    static final Set<String> SKIPPED = Set.of("requestObject", "responseObject");
    /** The replacement for {@code user.extra.licenseKey} (sensitive: ingest/README.md, "Redaction"). */
    static final String REDACTED = "[redacted]";
    static final String LICENSE_KEY = "licenseKey";

    private UcpAuditFields() {
    }

    /**
     * @return the fields, or null when the object is neither shape (no {@code audit} object, no
     *     {@code auditID})
     */
    static Map<String, Object> extract(Map<String, Object> root, boolean redactLicenseKey) {
        Map<String, Object> event;
        Map<String, Object> out = new LinkedHashMap<>();
        if (root.get("audit") instanceof Map<?, ?> audit) {
            event = cast(audit);
            out.put("format", "ucp");
        } else if (root.containsKey("auditID")) {
            event = root;
            out.put("format", "k8s");
        } else {
            return null;
        }
        copy(event, out, "auditID", "kind", "apiVersion", "level", "stage", "verb", "requestURI");
        Map<String, Object> user = user(event.get("user"), redactLicenseKey);
        if (user != null) {
            out.put("user", user);
            out.put("username", displayName(user));
        }
        Map<String, Object> impersonated = user(event.get("impersonatedUser"), redactLicenseKey);
        if (impersonated != null) {
            out.put("impersonatedUser", impersonated);
        }
        copy(event, out, "sourceIPs", "userAgent", "objectRef");
        if (event.get("responseStatus") instanceof Map<?, ?> status) {
            if (status.get("code") instanceof Number code) {
                out.put("responseCode", code.intValue());
            }
            if (status.get("reason") instanceof String reason) {
                out.put("responseReason", reason);
            }
        }
        copy(event, out, "requestReceivedTimestamp", "stageTimestamp", "timestamp", "annotations");
        if (out.get("format").equals("ucp")) {
            if (root.get("level") instanceof String level) {
                out.put("logLevel", level);
            }
            if (root.get("time") instanceof String time) {
                out.put("logTime", time);
            }
        }
        return out;
    }

    /** The human name: UCP puts the account UUID in {@code username}, the name in extra. */
    private static Object displayName(Map<String, Object> user) {
        if (user.get("extra") instanceof Map<?, ?> extra
                && extra.get("username") instanceof List<?> names && !names.isEmpty()) {
            return names.get(0);
        }
        return user.get("username");
    }

    private static Map<String, Object> user(Object value, boolean redact) {
        if (!(value instanceof Map<?, ?> raw)) {
            return null;
        }
        Map<String, Object> user = new LinkedHashMap<>(cast(raw));
        if (redact && user.get("extra") instanceof Map<?, ?> extra && extra.containsKey(LICENSE_KEY)) {
            Map<String, Object> copy = new LinkedHashMap<>(cast(extra));
            copy.put(LICENSE_KEY, REDACTED);
            user.put("extra", copy);
        }
        return user;
    }

    private static void copy(Map<String, Object> from, Map<String, Object> to, String... keys) {
        for (String k : keys) {
            Object v = from.get(k);
            if (v != null) {
                to.put(k, v);
            }
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }
}
