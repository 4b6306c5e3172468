package io.auditwatch.alerting;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything alerting needs from the configuration, validated on construction: an invalid value
 * throws {@link AlertingConfigException} naming the {@code alerting.*} key, so the service refuses
 * to start instead of failing silently at the first outage. Every value is given: the defaults of
 * the {@code alerting.*} keys live in the service's configuration table, not here.
 *
 * @param recipients addresses by role; {@code isso} and {@code sa} are mandatory (DKER-EE-001590:
 *     "alert the ISSO and SA (at a minimum)"), further roles are optional
 * @param routes kind id ({@link AlertKind#id()}) to roles; kinds not listed go to isso and sa.
 *     Every route must include isso and sa: the STIG makes both the minimum for every audit
 *     processing failure
 * @param escalation steps in increasing {@code after} order
 * @param smtp the relay; one with an empty host means the {@code .eml} folder
 * @param from the From address
 * @param groupWindow transitions within this window go out as one digest per recipient set; zero
 *     sends at the next tick
 * @param repeatInterval an open alert is repeated ("STILL SILENT") this long after its last notice
 * @param outboxDir persistent outbox, open-alert state and the {@code .eml} folder
 * @param retryInitial first delivery retry delay; doubled per failure
 * @param retryMax upper bound of the retry delay
 * @param statusUrl base URL of the status page for links in emails; empty or null for none
 */
public record AlertingSettings(
        Map<String, List<String>> recipients,
        Map<String, List<String>> routes,
        List<EscalationStep> escalation,
        SmtpSettings smtp,
        String from,
        Duration groupWindow,
        Duration repeatInterval,
        Path outboxDir,
        Duration retryInitial,
        Duration retryMax,
        String statusUrl) {

    public static final String ISSO = "isso";
    public static final String SA = "sa";
    /** The roles every alert reaches (DKER-EE-001590). */
    public static final List<String> MANDATORY_ROLES = List.of(ISSO, SA);

    /** Role names appear in configuration keys; keep them key-safe. */
    private static final Pattern ROLE = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    public AlertingSettings {
        recipients = validateRecipients(recipients);
        routes = validateRoutes(routes, recipients);
        escalation = validateEscalation(escalation, recipients);
        Objects.requireNonNull(smtp, "smtp");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(groupWindow, "groupWindow");
        Objects.requireNonNull(repeatInterval, "repeatInterval");
        Objects.requireNonNull(outboxDir, "outboxDir");
        Objects.requireNonNull(retryInitial, "retryInitial");
        Objects.requireNonNull(retryMax, "retryMax");
        from = from.trim();
        parseAddress("alerting.from", from);
        statusUrl = statusUrl == null ? "" : statusUrl.trim();
        if (groupWindow.isNegative()) {
            throw new AlertingConfigException("alerting.group-window", "expected a duration >= 0, got " + groupWindow);
        }
        requirePositive("alerting.repeat-interval", repeatInterval);
        requirePositive("alerting.retry.initial", retryInitial);
        requirePositive("alerting.retry.max", retryMax);
        if (retryMax.compareTo(retryInitial) < 0) {
            throw new AlertingConfigException("alerting.retry.max",
                    "expected >= alerting.retry.initial (" + retryInitial + "), got " + retryMax);
        }
        if (!statusUrl.isEmpty() && !(statusUrl.startsWith("http://") || statusUrl.startsWith("https://"))) {
            throw new AlertingConfigException("alerting.status-url", "expected an http:// or https:// URL, got '" + statusUrl + "'");
        }
    }

    /** Roles an alert of this kind goes to before escalation (TEST: every role). */
    public List<String> rolesFor(AlertKind kind) {
        if (kind == AlertKind.TEST) {
            return List.copyOf(recipients.keySet());
        }
        return routes.getOrDefault(kind.id(), MANDATORY_ROLES);
    }

    /** Distinct addresses of these roles, in role then configuration order. */
    public List<String> addressesOf(Iterable<String> roles) {
        List<String> out = new ArrayList<>();
        for (String role : roles) {
            for (String a : recipients.getOrDefault(role, List.of())) {
                if (!out.contains(a)) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    /** Every configured address (the test alert's recipients). */
    public List<String> allAddresses() {
        return addressesOf(recipients.keySet());
    }

    private static Map<String, List<String>> validateRecipients(Map<String, List<String>> in) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        Map<String, List<String>> src = in == null ? Map.of() : in;
        for (String role : MANDATORY_ROLES) {
            List<String> list = src.get(role);
            if (list == null || list.stream().allMatch(s -> s == null || s.isBlank())) {
                throw new AlertingConfigException("alerting.recipients." + role, "at least one address is required");
            }
        }
        List<String> order = new ArrayList<>(MANDATORY_ROLES);
        src.keySet().stream().filter(r -> !MANDATORY_ROLES.contains(r)).forEach(order::add);
        for (String role : order) {
            if (role == null || !ROLE.matcher(role).matches()) {
                throw new AlertingConfigException("alerting.recipients." + role,
                        "role names are lower-case letters, digits and '-', starting with a letter");
            }
            List<String> addresses = new ArrayList<>();
            for (String raw : src.get(role) == null ? List.<String>of() : src.get(role)) {
                if (raw == null || raw.isBlank()) {
                    continue;
                }
                String a = parseAddress("alerting.recipients." + role, raw.trim());
                if (!addresses.contains(a)) {
                    addresses.add(a);
                }
            }
            if (addresses.isEmpty()) {
                throw new AlertingConfigException("alerting.recipients." + role, "at least one address is required");
            }
            out.put(role, List.copyOf(addresses));
        }
        return Collections.unmodifiableMap(out);
    }

    private static Map<String, List<String>> validateRoutes(Map<String, List<String>> in, Map<String, List<String>> recipients) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (in == null) {
            return Map.of();
        }
        List<String> kindIds = Arrays.stream(AlertKind.values()).filter(k -> k != AlertKind.TEST).map(AlertKind::id).toList();
        for (Map.Entry<String, List<String>> e : in.entrySet()) {
            String key = "alerting.routes." + e.getKey();
            if (!kindIds.contains(e.getKey())) {
                throw new AlertingConfigException(key, "unknown alert kind; expected one of " + kindIds);
            }
            List<String> roles = List.copyOf(e.getValue() == null ? List.of() : e.getValue());
            checkRoles(key, roles, recipients);
            if (!roles.containsAll(MANDATORY_ROLES)) {
                throw new AlertingConfigException(key,
                        "must include isso and sa (DKER-EE-001590: both are alerted on every audit processing failure), got " + roles);
            }
            out.put(e.getKey(), roles);
        }
        return Collections.unmodifiableMap(out);
    }

    private static List<EscalationStep> validateEscalation(List<EscalationStep> in, Map<String, List<String>> recipients) {
        if (in == null) {
            return List.of();
        }
        Duration previous = Duration.ZERO;
        for (int i = 0; i < in.size(); i++) {
            EscalationStep s = in.get(i);
            String key = "alerting.escalation[" + i + "]";
            if (s.after().isNegative() || s.after().isZero()) {
                throw new AlertingConfigException(key + ".after", "expected a positive duration, got " + s.after());
            }
            if (s.after().compareTo(previous) <= 0 && i > 0) {
                throw new AlertingConfigException(key + ".after", "steps must be in increasing order, got " + s.after() + " after " + previous);
            }
            if (s.roles().isEmpty()) {
                throw new AlertingConfigException(key + ".roles", "at least one role is required");
            }
            checkRoles(key + ".roles", s.roles(), recipients);
            previous = s.after();
        }
        return List.copyOf(in);
    }

    private static void checkRoles(String key, List<String> roles, Map<String, List<String>> recipients) {
        for (String r : roles) {
            if (!recipients.containsKey(r)) {
                throw new AlertingConfigException(key, "unknown role '" + r + "'; defined roles: " + recipients.keySet());
            }
        }
    }

    /** Strict RFC 822 parse of a single address; returns its canonical form. */
    private static String parseAddress(String key, String raw) {
        try {
            InternetAddress a = new InternetAddress(raw, true);
            a.validate();
            if (a.isGroup() || !a.getAddress().contains("@")) {
                throw new AddressException("not a single user@domain address");
            }
            return a.toString();
        } catch (AddressException e) {
            throw new AlertingConfigException(key, "invalid email address '" + raw + "' (" + e.getMessage() + ")");
        }
    }

    private static void requirePositive(String key, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new AlertingConfigException(key, "expected a positive duration, got " + d);
        }
    }

    /** Kinds routed per role, for the start-up log. */
    public Map<AlertKind, List<String>> effectiveRoutes() {
        Map<AlertKind, List<String>> m = new EnumMap<>(AlertKind.class);
        for (AlertKind k : AlertKind.values()) {
            m.put(k, rolesFor(k));
        }
        return m;
    }
}
