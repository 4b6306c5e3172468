package io.auditwatch.ingest.classify;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Best-effort envelope fields of DTR/MSR events (ingest/README.md, "DTR / MSR events"). Webhook payloads have a public
 * shape ({@code {"type":"TAG_PUSH","createdAt":...,"contents":{...},"location":...}}); the
 * activity-stream records have no public JSON schema, so for them a few likely key names are tried
 * and whatever is absent is left out.
 */
final class DtrEventFields {

    /** The STIG's DTR event types (= actions), lower-cased as they appear in the envelope. */
    static final Set<String> ACTIONS = Set.of("create", "get", "update", "delete", "send", "fail", "scan");

    /** Webhook type to {action, object type}; object type names follow the STIG's list. */
    private static final Map<String, String[]> WEBHOOK_TYPES = Map.ofEntries(
            Map.entry("TAG_PUSH", new String[] {"create", "tag"}),
            Map.entry("TAG_PULL", new String[] {"get", "tag"}),
            Map.entry("TAG_DELETE", new String[] {"delete", "tag"}),
            Map.entry("MANIFEST_PUSH", new String[] {"create", "manifest"}),
            Map.entry("MANIFEST_PULL", new String[] {"get", "manifest"}),
            Map.entry("MANIFEST_DELETE", new String[] {"delete", "manifest"}),
            Map.entry("SCAN_COMPLETED", new String[] {"scan", "tag"}),
            Map.entry("SCAN_FAILED", new String[] {"fail", "tag"}),
            Map.entry("SCANNER_UPDATE_COMPLETED", new String[] {"update", "system"}),
            Map.entry("PROMOTION", new String[] {"create", "promotion"}),
            Map.entry("PUSH_MIRRORING", new String[] {"send", "push mirroring"}),
            Map.entry("POLL_MIRRORING", new String[] {"get", "poll mirroring"}),
            Map.entry("REPO_CREATED", new String[] {"create", "repository"}),
            Map.entry("REPO_UPDATED", new String[] {"update", "repository"}),
            Map.entry("REPO_DELETED", new String[] {"delete", "repository"}),
            Map.entry("CHART_PUSH", new String[] {"create", "chart"}),
            Map.entry("CHART_PULL", new String[] {"get", "chart"}),
            Map.entry("CHART_DELETE", new String[] {"delete", "chart"}),
            Map.entry("CHART_LINT", new String[] {"scan", "chart"}));

    private DtrEventFields() {
    }

    /** True for a known webhook type name ({@code TAG_PUSH}, ...). */
    static boolean isWebhookType(String type) {
        return WEBHOOK_TYPES.containsKey(type);
    }

    /** True for an activity-stream action name in any case ({@code CREATE}, {@code delete}). */
    static boolean isAction(String type) {
        return ACTIONS.contains(type.toLowerCase(Locale.ROOT));
    }

    /** @return the fields, or null when the object is not a DTR event of either kind */
    static Map<String, Object> extract(Map<String, Object> root) {
        Object type = root.get("type");
        if (!(type instanceof String t)) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        String[] webhook = WEBHOOK_TYPES.get(t);
        if (webhook != null) {
            out.put("format", "webhook");
            out.put("type", t);
            out.put("action", webhook[0]);
            out.put("objectType", webhook[1]);
            Map<String, Object> contents = root.get("contents") instanceof Map<?, ?> c
                    ? UcpAuditFields.cast(c) : Map.of();
            Object ns = contents.get("namespace");
            Object repo = contents.get("repository");
            if (ns instanceof String n && repo instanceof String r) {
                out.put("repository", n + "/" + r);
            } else if (repo != null) {
                out.put("repository", repo);
            }
            copy(contents, out, "tag", "digest", "imageName");
            putFirst(contents, out, "initiator", "pushedBy", "user", "actor", "initiatedBy");
            copy(root, out, "location", "createdAt");
            return out;
        }
        if (!isAction(t)) {
            return null;
        }
        out.put("format", "event");
        out.put("type", t);
        out.put("action", t.toLowerCase(Locale.ROOT));
        Map<String, Object> object = root.get("object") instanceof Map<?, ?> o ? UcpAuditFields.cast(o) : Map.of();
        putFirst(root, out, "objectType", "objectType", "object_type");
        putFirst(object, out, "objectType", "type");
        putFirst(root, out, "repository", "repository", "repo");
        putFirst(object, out, "repository", "repository", "repo");
        putFirst(root, out, "tag", "tag");
        putFirst(object, out, "tag", "tag");
        putFirst(root, out, "digest", "digest", "sha");
        putFirst(object, out, "digest", "digest", "sha");
        putFirst(root, out, "initiator", "initiator", "initiatedBy", "actor", "user");
        putFirst(root, out, "time", "publishedAt", "createdAt", "time");
        return out;
    }

    /** Puts the first present of {@code keys} under {@code as}, unless {@code as} is set already. */
    private static void putFirst(Map<String, Object> from, Map<String, Object> to, String as, String... keys) {
        if (to.containsKey(as)) {
            return;
        }
        for (String k : keys) {
            Object v = from.get(k);
            if (v != null) {
                to.put(as, v);
                return;
            }
        }
    }

    private static void copy(Map<String, Object> from, Map<String, Object> to, String... keys) {
        for (String k : keys) {
            Object v = from.get(k);
            if (v != null) {
                to.put(k, v);
            }
        }
    }
}
