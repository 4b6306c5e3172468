package io.auditwatch.alerting;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * When an alert has been open for {@link #after()}, the roles in {@link #roles()} are added to its
 * recipients and an ESCALATED notice is sent. Keys {@code alerting.escalation[i].after} and
 * {@code alerting.escalation[i].roles}.
 *
 * @param after how long the alert has been open (since it fired), positive
 * @param roles roles defined under {@code alerting.recipients}
 */
public record EscalationStep(Duration after, List<String> roles) {
    public EscalationStep {
        Objects.requireNonNull(after, "after");
        roles = List.copyOf(roles);
    }
}
