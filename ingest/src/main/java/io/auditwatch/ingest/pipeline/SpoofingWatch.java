package io.auditwatch.ingest.pipeline;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertKind;
import io.auditwatch.alerting.AlertSink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Raises {@link AlertKind#SPOOFING_ATTEMPT} when events keep claiming a node without meeting its
 * identity rule: {@code threshold} such events within {@code window} fire one alert per claimed node
 * (key {@code spoofing-attempt/<node>}); it resolves once a whole window passes without one.
 *
 * <p>Claims of names outside the inventory (with {@code listeners.require-identity}, any HOSTNAME)
 * share one key, {@value #OUTSIDE_KEY}: the names are the senders' to choose, so the tracked keys
 * are bounded by the inventory's size plus one. Time comes from the injected clock; {@link #check}
 * runs once a second. Thread-safe: event loops report, a timer checks.
 */
public final class SpoofingWatch {
    /** The key of claims that name no inventory node. */
    static final String OUTSIDE_KEY = "spoofing-attempt/names-outside-the-inventory";
    /** Longest part of a sender-chosen name quoted in an alert. */
    static final int QUOTED_CHARS = 64;

    private final Clock clock;
    private final AlertSink sink;
    private final int threshold;
    private final Duration window;
    private final Set<String> inventory;
    private final Map<String, Claims> claims = new HashMap<>();

    /** The violations of one key inside the window. */
    private static final class Claims {
        final ArrayDeque<Instant> recent = new ArrayDeque<>();
        long total;
        Instant lastAt;
        String lastSender;
        String lastClaim;
        IdentityMismatch lastReason;
        boolean firing;
    }

    /**
     * @param threshold violations within {@code window} that fire the alert (at least 1)
     * @param inventory the inventory's node names: the only claims tracked one by one
     */
    public SpoofingWatch(Clock clock, AlertSink sink, int threshold, Duration window, Set<String> inventory) {
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold must be at least 1, got " + threshold);
        }
        this.clock = clock;
        this.sink = sink;
        this.threshold = threshold;
        this.window = window;
        this.inventory = Set.copyOf(inventory);
    }

    /**
     * One event that broke the identity rule of the node it claimed.
     *
     * @param claimed the claimed node as the event named it
     * @param sender what the sender really is, for the alert (address, and certificate identity if any)
     */
    public synchronized void violation(String claimed, String sender, IdentityMismatch reason) {
        Instant now = clock.instant();
        boolean listed = inventory.contains(claimed);
        String key = listed ? AlertKind.SPOOFING_ATTEMPT.id() + "/" + claimed : OUTSIDE_KEY;
        Claims c = claims.computeIfAbsent(key, k -> new Claims());
        c.recent.addLast(now);
        while (c.recent.size() > threshold) {
            c.recent.removeFirst();
        }
        c.total++;
        c.lastAt = now;
        c.lastSender = sender;
        c.lastClaim = claimed;
        c.lastReason = reason;
        if (!c.firing && c.recent.size() >= threshold && !now.isAfter(c.recent.peekFirst().plus(window))) {
            c.firing = true;
            sink.accept(event(key, listed ? claimed : null, c, AlertEvent.Status.FIRING, now));
        }
    }

    /** Resolves alerts whose window passed without a violation, and forgets quiet keys. */
    public synchronized void check() {
        Instant now = clock.instant();
        for (Iterator<Map.Entry<String, Claims>> it = claims.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Claims> e = it.next();
            Claims c = e.getValue();
            if (now.isBefore(c.lastAt.plus(window))) {
                continue;
            }
            if (c.firing) {
                String node = e.getKey().equals(OUTSIDE_KEY) ? null : c.lastClaim;
                sink.accept(event(e.getKey(), node, c, AlertEvent.Status.RESOLVED, now));
            }
            it.remove();
        }
    }

    private AlertEvent event(String key, String node, Claims c, AlertEvent.Status status, Instant now) {
        String what = node != null ? node : "names outside the inventory (latest '"
                + io.auditwatch.ingest.log.RateLimitedLog.escape(c.lastClaim, QUOTED_CHARS) + "')";
        String summary = "spoofing attempt: " + c.recent.size() + " events within " + (window.toSeconds() % 60 == 0
                ? window.toMinutes() + "m" : window.toSeconds() + "s") + " claimed " + what + " " + describe(c.lastReason) + " (last from " + c.lastSender + ")";
        Map<String, String> details = new LinkedHashMap<>();
        details.put("Claimed", what);
        details.put("Rule broken", c.lastReason.label());
        details.put("Last sender", c.lastSender);
        details.put("Events so far", Long.toString(c.total));
        details.put("Stored as", "audit.events records flagged identity_mismatch, attributed to the sender, claimed_node = the claim");
        return new AlertEvent(AlertKind.SPOOFING_ATTEMPT, key, status, now, node, null, c.recent.peekFirst(), window,
                summary, details);
    }

    private static String describe(IdentityMismatch reason) {
        return switch (reason) {
            case CERTIFICATE_REQUIRED -> "without its certificate";
            case ADDRESS_REQUIRED -> "from outside its addresses";
            case IDENTITY_REQUIRED -> "by HOSTNAME only (listeners.require-identity)";
            case CERTIFICATE_DIFFERS -> "with another host's certificate";
        };
    }
}
