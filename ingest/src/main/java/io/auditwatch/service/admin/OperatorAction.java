package io.auditwatch.service.admin;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One operator action that changes alerting, as written to the operator audit topic and listed on
 * {@code /status}: who, from where, when, what, why and with what outcome.
 *
 * @param at when the admin server handled it (service clock)
 * @param principal the authenticated user, or {@value AdminPrincipal#ANONYMOUS}
 * @param from the peer's {@code address:port}
 * @param action what was asked: {@code maintenance}, {@code maintenance-end}, {@code decommission},
 *     {@code silence-create}, {@code silence-end} or {@code test-alert}
 * @param parameters its parameters as given ({@code node}, {@code until}, ...), in a stable order
 * @param reason why, as the operator wrote it; empty when the action takes none and none was given
 * @param outcome {@code applied}, or {@code refused <status>: <why>}
 */
public record OperatorAction(Instant at, String principal, String from, String action, Map<String, String> parameters,
        String reason, String outcome) {
    public static final String APPLIED = "applied";

    public OperatorAction {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(outcome, "outcome");
        reason = reason == null ? "" : reason;
        parameters = parameters == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** The same action with another outcome. */
    public OperatorAction withOutcome(String outcome) {
        return new OperatorAction(at, principal, from, action, parameters, reason, outcome);
    }
}
