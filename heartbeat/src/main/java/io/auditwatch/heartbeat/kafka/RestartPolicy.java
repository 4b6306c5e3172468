package io.auditwatch.heartbeat.kafka;

import java.time.Duration;

/**
 * How the heartbeat consumer is restarted after its thread fails (heartbeat/README.md, "Supervision").
 * After the n-th consecutive failure the next attempt waits {@code min(maxBackoff, initialBackoff *
 * 2^(n-1))}; a session that joins the consumer group ends the run of failures. Once
 * {@code giveUpAfter} consecutive failures have happened the role counts as unable to recover and
 * {@code /health} says so, so that an orchestrator restarts the process; the supervisor keeps
 * retrying all the same (systemd has no liveness probe).
 *
 * @param initialBackoff wait before the first restart
 * @param maxBackoff cap of the doubling wait
 * @param giveUpAfter consecutive failed sessions after which {@link #givenUp(int)} is true; at least 1
 */
public record RestartPolicy(Duration initialBackoff, Duration maxBackoff, int giveUpAfter) {

    /** First restart after 1 s: a broker restart or a leader election is over by the second try. */
    public static final Duration INITIAL_BACKOFF = Duration.ofSeconds(1);
    /** The wait stops doubling at one minute, so a repaired cluster is rejoined within a minute. */
    public static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
    /** Caps 2^n so the shift never overflows. */
    private static final int MAX_DOUBLINGS = 20;

    public RestartPolicy {
        if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("back-off must be positive and initial <= max: " + initialBackoff + ", " + maxBackoff);
        }
        if (giveUpAfter < 1) {
            throw new IllegalArgumentException("giveUpAfter must be at least 1: " + giveUpAfter);
        }
    }

    /** The default back-off with the given limit ({@code heartbeat.consumer-restart-limit}). */
    public static RestartPolicy giveUpAfter(int failures) {
        return new RestartPolicy(INITIAL_BACKOFF, MAX_BACKOFF, failures);
    }

    /** The wait before the restart that follows the {@code failures}-th consecutive failure (1 or more). */
    public Duration backoff(int failures) {
        int doublings = Math.min(Math.max(0, failures - 1), MAX_DOUBLINGS);
        Duration d = initialBackoff.multipliedBy(1L << doublings);
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }

    /** True once {@code failures} consecutive failures mean the role cannot recover on its own. */
    public boolean givenUp(int failures) {
        return failures >= giveUpAfter;
    }
}
