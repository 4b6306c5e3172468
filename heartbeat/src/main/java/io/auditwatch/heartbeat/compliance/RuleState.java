package io.auditwatch.heartbeat.compliance;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The rule state a v=2 pulse reports ({@code auditwatch-pulse v=2 enabled=1 cis=1.2.3:ok,...},
 * deploy/auditd/auditwatch-pulse). Header form: {@code enabled=1 cis=1.2.3:ok,1.2.4:missing,...}.
 *
 * @param enabled the kernel's audit_enabled as {@code auditctl -s} printed it (0, 1, 2), or -1 when the
 *     pulse did not say
 * @param controls every control the pulse named with a known id and status; a control the pulse did not
 *     name is absent (shown as {@link RuleStatus#UNKNOWN})
 */
public record RuleState(int enabled, Map<CisControl, RuleStatus> controls) implements ComplianceSignal {

    /** The {@code audit.events} record header that carries it. */
    public static final String HEADER = "aw.cis";
    /** The pulse format version that carries rule state (v=1 was the bare {@code auditwatch-pulse}). */
    public static final String PULSE_VERSION = "2";
    /**
     * Longest {@code cis=} value read: ten controls take about 110 characters; a field 40 times that is
     * not a pulse's and is ignored rather than parsed.
     */
    static final int MAX_CIS_LENGTH = 4096;

    public RuleState {
        controls = Collections.unmodifiableMap(controls.isEmpty()
                ? new EnumMap<>(CisControl.class) : new EnumMap<>(controls));
    }

    /**
     * The rule state of a pulse's fields ({@code v}, {@code enabled}, {@code cis} of its message), or null
     * when it is not a v=2 pulse with a {@code cis} field (a v=1 pulse, or a host whose
     * {@code auditctl -l} could not be read).
     */
    public static RuleState fromPulse(String version, String enabled, String cis) {
        if (!PULSE_VERSION.equals(version) || cis == null || cis.length() > MAX_CIS_LENGTH) {
            return null;
        }
        Map<CisControl, RuleStatus> controls = new EnumMap<>(CisControl.class);
        for (String item : cis.split(",", -1)) {
            int colon = item.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            CisControl c = CisControl.byId(item.substring(0, colon));
            RuleStatus s = RuleStatus.fromWire(item.substring(colon + 1));
            if (c != null && s != null) {
                controls.put(c, s);
            }
        }
        return new RuleState(enabledValue(enabled), controls);
    }

    /** Decodes the header value; null when it is absent or not of this form. */
    public static RuleState decode(byte[] value) {
        if (value == null) {
            return null;
        }
        String enabled = null;
        String cis = null;
        for (String word : new String(value, StandardCharsets.US_ASCII).split(" ")) {
            if (word.startsWith("enabled=")) {
                enabled = word.substring(8);
            } else if (word.startsWith("cis=")) {
                cis = word.substring(4);
            }
        }
        return fromPulse(PULSE_VERSION, enabled, cis);
    }

    /** The state of one control; {@link RuleStatus#UNKNOWN} when the pulse did not name it. */
    public RuleStatus status(CisControl control) {
        return controls.getOrDefault(control, RuleStatus.UNKNOWN);
    }

    /** {@code 1.2.3:ok,1.2.4:missing,...} in control order. */
    public String cis() {
        StringBuilder b = new StringBuilder();
        controls.forEach((c, s) -> b.append(b.isEmpty() ? "" : ",").append(c.id()).append(':').append(s.id()));
        return b.toString();
    }

    @Override
    public String header() {
        return HEADER;
    }

    @Override
    public byte[] encode() {
        return ("enabled=" + (enabled < 0 ? "?" : Integer.toString(enabled)) + " cis=" + cis())
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static int enabledValue(String s) {
        return s != null && s.length() == 1 && s.charAt(0) >= '0' && s.charAt(0) <= '2' ? s.charAt(0) - '0' : -1;
    }
}
