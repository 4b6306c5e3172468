package io.auditwatch.ingest.classify;

import io.auditwatch.heartbeat.compliance.ComplianceSignal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses one Linux audit record line ({@code [node=N ]type=T msg=audit(S.mmm:serial): k=v ...},
 * ingest/README.md, "auditd records") with an index-based tokenizer: no regex, one pass, bounded field count.
 *
 * <p>Value forms the kernel and auditd emit: {@code "quoted"} (no escapes exist: a string that
 * would need one is hex-encoded instead), {@code 'single-quoted'} (the userspace {@code msg} of
 * USER records), unquoted numbers and words ({@code (null)}, {@code ?}, {@code (none)}), and
 * unquoted upper-case hex for untrusted strings that contain spaces, quotes or control bytes
 * (kernel {@code audit_log_n_untrustedstring}). ENRICHED format (auditd.conf {@code log_format})
 * appends interpreted fields after an ASCII 0x1D; when a relay turned 0x1D into a space, upper-case
 * field names still mark them as interpreted (the kernel's own names are lower-case).
 */
final class AuditRecordParser {

    /** auditd.conf(5) ENRICHED separator between raw and interpreted fields (ASCII GS). */
    static final char ENRICHED_SEPARATOR = '\u001d';
    /**
     * Upper bound on fields read from one record. The kernel caps a record at
     * MAX_AUDIT_MESSAGE_LENGTH (8970 bytes), so even an EXECVE record full of one-byte arguments
     * ({@code aN=""}) stays far below this; more means the line is not an audit record.
     */
    static final int MAX_FIELDS = 2048;
    /** How far into the message the {@code msg=audit(} marker may start: after a node name. */
    static final int MARKER_WINDOW = 512;
    static final String MARKER = "msg=audit(";
    static final String PULSE_TEXT = "auditwatch-pulse";

    /**
     * Fields the kernel writes with {@code audit_log_untrustedstring}: quoted when clean, hex
     * otherwise. Only these are hex-decoded; {@code a0}..{@code aN} only in EXECVE records
     * (SYSCALL's a0..a3 are hex numbers, not strings).
     */
    private static final Set<String> UNTRUSTED_STRING_FIELDS =
            Set.of("proctitle", "name", "cwd", "comm", "exe", "key", "data", "path", "old_path");

    private AuditRecordParser() {
    }

    /**
     * True when {@code msg} from {@code from} on starts like an audit record: {@code type=} or
     * {@code node=} first (audisp-syslog and rsyslog imfile both send the record as the whole MSG),
     * and the {@code msg=audit(} marker within {@link #MARKER_WINDOW} chars. A marker elsewhere
     * (inside a JSON value, a quoted log line) does not make an audit record.
     */
    static boolean looksLikeAuditRecord(String msg, int from) {
        return (msg.startsWith("type=", from) || msg.startsWith("node=", from))
                && Classifier.indexWithin(msg, MARKER, from, from + MARKER_WINDOW + MARKER.length()) >= 0;
    }

    /** The parsed record: fields for the envelope, pulse flag, shortfall (or null), compliance signal (or null). */
    record Parsed(Map<String, Object> fields, boolean pulse, ParseShortfall shortfall, ComplianceSignal signal) {
        Parsed(Map<String, Object> fields, boolean pulse, ParseShortfall shortfall) {
            this(fields, pulse, shortfall, null);
        }
    }

    static Parsed parse(String msg) {
        Map<String, Object> out = new LinkedHashMap<>();
        int n = msg.length();
        int i = skipSpaces(msg, 0);
        String node = null;
        if (msg.startsWith("node=", i)) {
            int end = wordEnd(msg, i + 5);
            node = msg.substring(i + 5, end);
            i = skipSpaces(msg, end);
        }
        String type = null;
        if (msg.startsWith("type=", i)) {
            int end = wordEnd(msg, i + 5);
            type = msg.substring(i + 5, end);
            i = skipSpaces(msg, end);
        }
        int marker = msg.startsWith(MARKER, i) ? i : msg.indexOf(MARKER);
        int close = marker < 0 ? -1 : msg.indexOf(')', marker);
        if (node != null) {
            out.put("node", node);
        }
        out.put("type", type);
        if (type == null || marker < 0 || close < 0) {
            return new Parsed(out, false, ParseShortfall.AUDIT_MALFORMED);
        }
        String eventId = msg.substring(marker + MARKER.length(), close);
        out.put("auditEventId", eventId);
        long millis = eventMillis(eventId);
        if (millis == Long.MIN_VALUE) {
            return new Parsed(out, false, ParseShortfall.AUDIT_MALFORMED);
        }
        out.put("eventTimeMillis", millis);
        i = close + 1;
        if (i < n && msg.charAt(i) == ':') {
            i++;
        }

        Map<String, String> record = new LinkedHashMap<>();
        Map<String, String> interpreted = new LinkedHashMap<>();
        Set<String> unquoted = new HashSet<>();
        Fields.Result r = Fields.read(msg, i, record, interpreted, unquoted, MAX_FIELDS);
        out.put("record", record);
        if (!interpreted.isEmpty()) {
            out.put("interpreted", interpreted);
        }
        Map<String, String> decoded = decodeUntrusted(type, record, unquoted);
        if (!decoded.isEmpty()) {
            out.put("decoded", decoded);
        }
        if (record.containsKey("key")) {
            List<String> keys = keys(record.get("key"), decoded.get("key"));
            out.put("key", keys.isEmpty() ? null : keys.get(0));
            if (keys.size() > 1) {
                out.put("keys", keys);
            }
        }
        boolean pulse = false;
        Map<String, String> msgFields = null;
        String userMsg = record.get("msg");
        if (userMsg != null) {
            msgFields = new LinkedHashMap<>();
            Fields.readWords(userMsg, msgFields, MAX_FIELDS);
            if (!msgFields.isEmpty()) {
                out.put("msgFields", msgFields);
            }
            pulse = isUserType(type) && userMsg.contains(PULSE_TEXT);
        }
        ComplianceSignal signal = AuditSignals.of(type, record, (String) out.get("key"), msgFields, pulse);
        return new Parsed(out, pulse, r.complete() ? null : ParseShortfall.FIELDS_INCOMPLETE, signal);
    }

    /** {@code 1700758801.123:4567} to epoch milliseconds, or {@code Long.MIN_VALUE}. */
    static long eventMillis(String id) {
        int dot = id.indexOf('.');
        int colon = id.indexOf(':');
        if (dot <= 0 || colon <= dot + 1 || colon - dot - 1 > 3 || dot > 12) {
            return Long.MIN_VALUE;
        }
        long seconds = digits(id, 0, dot);
        long ms = digits(id, dot + 1, colon);
        if (seconds < 0 || ms < 0 || digits(id, colon + 1, id.length()) < 0) {
            return Long.MIN_VALUE;
        }
        // "005" are milliseconds; the kernel always prints three digits.
        for (int k = colon - dot - 1; k < 3; k++) {
            ms *= 10;
        }
        return seconds * 1000 + ms;
    }

    /**
     * USER (1005) and the userspace range USER_* / 1100-1199, also as {@code UNKNOWN[nnnn]} when
     * the sender's libaudit lacks the name: the types {@code auditctl -m} can produce.
     */
    static boolean isUserType(String type) {
        if (type.equals("USER") || type.startsWith("USER_")) {
            return true;
        }
        String num = type.startsWith("UNKNOWN[") && type.endsWith("]")
                ? type.substring(8, type.length() - 1) : type;
        long v = num.length() == 4 ? digits(num, 0, 4) : -1;
        return v == 1005 || (v >= 1100 && v <= 1199);
    }

    private static Map<String, String> decodeUntrusted(String type, Map<String, String> record,
                                                       Set<String> unquoted) {
        Map<String, String> decoded = new LinkedHashMap<>();
        boolean execve = type.equals("EXECVE");
        for (Map.Entry<String, String> e : record.entrySet()) {
            String k = e.getKey();
            boolean candidate = UNTRUSTED_STRING_FIELDS.contains(k)
                    || (execve && k.length() > 1 && k.charAt(0) == 'a' && digits(k, 1, k.length()) >= 0);
            if (!candidate || !unquoted.contains(k)) {
                continue;
            }
            String v = e.getValue();
            if (v.length() >= 2 && v.length() % 2 == 0 && isUpperHex(v)) {
                byte[] bytes = new byte[v.length() / 2];
                for (int j = 0; j < bytes.length; j++) {
                    bytes[j] = (byte) Integer.parseInt(v, 2 * j, 2 * j + 2, 16);
                }
                String text = new String(bytes, StandardCharsets.UTF_8);
                // proctitle holds argv joined by NUL: show it as a command line.
                decoded.put(k, k.equals("proctitle") ? text.replace('\0', ' ').strip() : text);
            }
        }
        return decoded;
    }

    /** Audit keys: several keys on one rule arrive hex-encoded, separated by 0x01. */
    private static List<String> keys(String raw, String decodedHex) {
        List<String> keys = new ArrayList<>();
        String v = decodedHex != null ? decodedHex : raw;
        if (v == null || v.equals("(null)")) {
            return keys;
        }
        for (String k : v.split("\u0001", -1)) {
            if (!k.isEmpty()) {
                keys.add(k);
            }
        }
        return keys;
    }

    private static boolean isUpperHex(String v) {
        for (int j = 0; j < v.length(); j++) {
            char c = v.charAt(j);
            if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }

    /** Non-negative decimal value of s[from, to), or -1 when not all digits or too long. */
    static long digits(String s, int from, int to) {
        if (to <= from || to - from > 18) {
            return -1;
        }
        long v = 0;
        for (int j = from; j < to; j++) {
            char c = s.charAt(j);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    private static int wordEnd(String s, int i) {
        while (i < s.length() && s.charAt(i) != ' ' && s.charAt(i) != ENRICHED_SEPARATOR) {
            i++;
        }
        return i;
    }
}
