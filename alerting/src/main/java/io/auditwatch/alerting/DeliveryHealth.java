package io.auditwatch.alerting;

import java.time.Instant;

/**
 * Whether email delivery works, for {@code /ready} and the status page.
 *
 * @param ok false from the first failed attempt until a delivery succeeds
 * @param failingSince first failure of the current failing period, or null when ok
 * @param pending notifications in the outbox not yet accepted by the relay
 * @param lastFailure reason of the last failure (a {@code DeliveryException.Reason} id), or null
 * @param mode {@code smtp host:port} or {@code eml <folder>}
 */
public record DeliveryHealth(boolean ok, Instant failingSince, int pending, String lastFailure, String mode) {
}
