package io.auditwatch.ingest.classify;

import io.auditwatch.heartbeat.Stream;
import java.util.Map;
import java.util.Set;

/**
 * Decides which audit stream a syslog message belongs to and parses its fields.
 * Pure and thread-safe: no state, no I/O, no clock.
 *
 * <p>Cheap checks decide the stream before anything is parsed, and look only at bounded windows
 * of the text (its head, its tail), so a 10 MB message costs no more to classify than a short one:
 * <ol>
 *   <li>an audisp tag, or a text starting {@code type=}/{@code node=} with {@code msg=audit(} near
 *       the start and no Docker container tag: {@link Stream#AUDITD};</li>
 *   <li>a JSON object with {@code "auditID"} or {@code "apiVersion":"audit.k8s.io/} in its head, or
 *       starting <code>&#123;"audit":&#123;</code>, or ending with {@code "msg":"audit"}: {@link Stream#UCP_AUDIT};</li>
 *   <li>a JSON object whose {@code "type"} is a DTR webhook type, or an event action from a
 *       {@code dtr-*} container: {@link Stream#DTR_AUDIT};</li>
 *   <li>the dockerd / containerd ident, or an untagged logrus text line: {@link Stream#DOCKERD};</li>
 *   <li>a Docker tag (container ID, or a {@code ucp-}/{@code dtr-} container name):
 *       {@link Stream#CONTAINER};</li>
 *   <li>anything else: {@link Stream#OTHER}.</li>
 * </ol>
 * Then the text is parsed for that stream under hard limits ({@link JsonLimits}); when parsing
 * falls short the stream stands and {@link Classification#shortfall()} says why. This method never
 * throws.
 */
public final class Classifier {

    /**
     * How many chars of a JSON message's head the cheap checks read. Go's encoding/json writes
     * struct fields in declaration order, so {@code auditID} (4th field of the k8s Event), the
     * {@code apiVersion} and a webhook's {@code type} (1st field) all fall in the first few hundred
     * chars; 4096 leaves room for long {@code kind}/{@code level} values and key reordering by relays.
     */
    static final int HEAD_WINDOW = 4096;
    /**
     * How many chars of the tail are read for logrus's {@code "msg":"audit"}: logrus's JSON
     * formatter sorts keys, so {@code audit} comes first and {@code msg}, {@code time} last
     * ({@code "msg":"audit","time":"2019-01-30T17:21:45Z"}} is about 45 chars).
     */
    static final int TAIL_WINDOW = 256;
    /** Longest DTR webhook / event type name read by the cheap check ({@code SCANNER_UPDATE_COMPLETED}). */
    static final int MAX_TYPE_CHARS = 64;

    private final boolean redactLicenseKey;

    /** A classifier that redacts UCP license keys in the parsed fields (the default). */
    public Classifier() {
        this(true);
    }

    /**
     * @param redactLicenseKey replace {@code user.extra.licenseKey} of UCP audit entries with
     *     {@code "[redacted]"} in the parsed fields; the raw message is never altered
     */
    public Classifier(boolean redactLicenseKey) {
        this.redactLicenseKey = redactLicenseKey;
    }

    /**
     * Classifies one message.
     *
     * @param appName the syslog APP-NAME / RFC 3164 TAG (with or without {@code [pid]}), or null
     * @param hostname the syslog HOSTNAME, or null; not used for the decision today (node identity
     *     is resolved elsewhere) and kept so the signature need not change when it is
     * @param msg the MSG text, UTF-8 decoded (invalid bytes already replaced by U+FFFD), or null
     * @return never null
     */
    public Classification classify(String appName, String hostname, String msg) {
        try {
            return decide(DockerTag.parse(appName), msg == null ? "" : msg);
        } catch (RuntimeException | StackOverflowError e) {
            return new Classification(Stream.OTHER, null, null, null, false, Map.of(),
                    ParseShortfall.INTERNAL_ERROR, ParseShortfall.INTERNAL_ERROR.description()
                            + ": " + e.getClass().getSimpleName());
        }
    }

    private Classification decide(DockerTag tag, String m) {
        int start = skipBlank(m);
        // A Docker container tag never carries audit records: without this rule any container could
        // print "type=USER ... auditwatch-pulse" and keep a node's auditd stream looking alive.
        if (tag.auditSender() || (!tag.container() && AuditRecordParser.looksLikeAuditRecord(m, start))) {
            return auditd(tag, m.substring(start));
        }
        if (start < m.length() && m.charAt(start) == '{') {
            Classification c = json(tag, m, start);
            if (c != null) {
                return c;
            }
        } else if (!tag.daemon() && tailSaysAudit(m, start)) {
            // The later pieces of a UCP entry Docker cut at 16 KiB, when reassembly could not join
            // them: still audit data from ucp-controller, even without a head to parse.
            Classification c = ucp(tag, m, true);
            if (c != null) {
                return c;
            }
        }
        // An untagged logrus text line is dockerd's as forwarded from journald without an ident; a
        // tagged one belongs to whatever program the tag names.
        if (tag.daemon() || (tag == DockerTag.NONE
                && Logfmt.looksLikeLogfmt(m.substring(start, Math.min(m.length(), start + 8))))) {
            return dockerd(tag, m.substring(start));
        }
        if (tag.container()) {
            return container(tag, Map.of(), null);
        }
        return new Classification(Stream.OTHER, null, null, null, false, Map.of(), null, null);
    }

    private Classification json(DockerTag tag, String m, int start) {
        int headEnd = Math.min(m.length(), start + HEAD_WINDOW);
        boolean ucpShape = m.startsWith("{\"audit\":{", start);
        boolean tailAudit = tailSaysAudit(m, start);
        if (ucpShape || tailAudit || indexWithin(m, "\"auditID\"", start, headEnd) >= 0
                || indexWithin(m, "\"apiVersion\":\"audit.k8s.io/", start, headEnd) >= 0) {
            Classification c = ucp(tag, m, ucpShape || tailAudit);
            if (c != null) {
                return c;
            }
        }
        String type = jsonType(m, start, headEnd);
        boolean dtrTag = tag.component() != null && tag.component().startsWith(Components.DTR_UNKNOWN);
        if (type != null && (DtrEventFields.isWebhookType(type) || (dtrTag && DtrEventFields.isAction(type)))) {
            Classification c = dtr(tag, m);
            if (c != null) {
                return c;
            }
        }
        if (tag.daemon()) {
            return dockerd(tag, m.substring(start));
        }
        return null;
    }

    private Classification auditd(DockerTag tag, String m) {
        AuditRecordParser.Parsed p = AuditRecordParser.parse(m);
        return new Classification(Stream.AUDITD, tag.component(), null, null, p.pulse(), p.fields(),
                p.shortfall(), note(p.shortfall()), p.signal());
    }

    /** @return null when the JSON parsed but is not an audit entry (an app logging "auditID") */
    private Classification ucp(DockerTag tag, String m, boolean logrusAudit) {
        String component = tag.component() != null ? tag.component()
                : logrusAudit ? Components.UCP_CONTROLLER : null;
        try {
            Map<String, Object> root = JsonLimits.readObject(m, UcpAuditFields.SKIPPED);
            Map<String, Object> fields = UcpAuditFields.extract(root, redactLicenseKey);
            if (fields == null) {
                return null;
            }
            return new Classification(Stream.UCP_AUDIT, component, tag.containerName(), tag.containerId(),
                    false, fields, null, null);
        } catch (JsonLimits.JsonShortfall e) {
            return new Classification(Stream.UCP_AUDIT, component, tag.containerName(), tag.containerId(),
                    false, Map.of(), e.shortfall(), note(e.shortfall()));
        }
    }

    /** @return null when the JSON parsed but is no DTR event */
    private Classification dtr(DockerTag tag, String m) {
        try {
            Map<String, Object> fields = DtrEventFields.extract(JsonLimits.readObject(m, Set.of()));
            if (fields == null) {
                return null;
            }
            return new Classification(Stream.DTR_AUDIT, tag.component(), tag.containerName(),
                    tag.containerId(), false, fields, null, null);
        } catch (JsonLimits.JsonShortfall e) {
            return new Classification(Stream.DTR_AUDIT, tag.component(), tag.containerName(),
                    tag.containerId(), false, Map.of(), e.shortfall(), note(e.shortfall()));
        }
    }

    private Classification dockerd(DockerTag tag, String m) {
        if (m.startsWith("{")) {
            // dockerd --log-format=json: {"level":"info","msg":"...","time":"..."}
            try {
                Map<String, Object> root = JsonLimits.readObject(m, Set.of());
                return new Classification(Stream.DOCKERD, tag.component(), null, null, false,
                        root, null, null);
            } catch (JsonLimits.JsonShortfall e) {
                return new Classification(Stream.DOCKERD, tag.component(), null, null, false, Map.of(),
                        e.shortfall(), note(e.shortfall()));
            }
        }
        if (!Logfmt.looksLikeLogfmt(m)) {
            return new Classification(Stream.DOCKERD, tag.component(), null, null, false, Map.of(), null, null);
        }
        Logfmt.Parsed p = Logfmt.parse(m);
        ParseShortfall s = p.complete() ? null : ParseShortfall.FIELDS_INCOMPLETE;
        return new Classification(Stream.DOCKERD, tag.component(), null, null, false, p.fields(), s, note(s));
    }

    private static Classification container(DockerTag tag, Map<String, Object> fields, ParseShortfall s) {
        return new Classification(Stream.CONTAINER, tag.component(), tag.containerName(), tag.containerId(),
                false, fields, s, note(s));
    }

    private static boolean tailSaysAudit(String m, int start) {
        return indexWithin(m, "\"msg\":\"audit\"", Math.max(start, m.length() - TAIL_WINDOW), m.length()) >= 0;
    }

    /**
     * The value of the first {@code "type":"..."} in the head window, or null. A cheap look, not a
     * parse: it may pick a nested {@code type}, which the parse that follows then rejects.
     */
    static String jsonType(String m, int from, int to) {
        int at = indexWithin(m, "\"type\":\"", from, to);
        if (at < 0) {
            return null;
        }
        int valueStart = at + 8;
        int limit = Math.min(m.length(), valueStart + MAX_TYPE_CHARS);
        for (int i = valueStart; i < limit; i++) {
            char c = m.charAt(i);
            if (c == '"') {
                return m.substring(valueStart, i);
            }
            if (c == '\\') {
                return null;
            }
        }
        return null;
    }

    /** Index of {@code needle} starting in [from, to - needle.length()], or -1; reads no further. */
    static int indexWithin(String s, String needle, int from, int to) {
        int last = Math.min(to, s.length()) - needle.length();
        char first = needle.charAt(0);
        for (int i = Math.max(0, from); i <= last; i++) {
            if (s.charAt(i) == first && s.startsWith(needle, i)) {
                return i;
            }
        }
        return -1;
    }

    private static int skipBlank(String m) {
        int i = 0;
        int limit = Math.min(m.length(), HEAD_WINDOW);
        while (i < limit) {
            char c = m.charAt(i);
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\uFEFF') {
                break;
            }
            i++;
        }
        return i;
    }

    private static String note(ParseShortfall s) {
        return s == null ? null : s.description();
    }
}
