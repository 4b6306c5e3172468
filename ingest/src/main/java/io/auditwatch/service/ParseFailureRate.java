package io.auditwatch.service;

import io.auditwatch.ingest.pipeline.IngestMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * "Parse failures above a rate": over the last {@link #WINDOW}, more than {@link #MAX_RATIO} of at
 * least {@link #MIN_MESSAGES} messages did not parse. A sender switched to a format nobody expects
 * (or a scanner hitting the port) shows up here; every unparsed message is still stored.
 */
final class ParseFailureRate {
    static final Duration WINDOW = Duration.ofMinutes(5);
    /** Half of all messages unparsed is not a stray malformed line: something is misconfigured. */
    static final double MAX_RATIO = 0.5;
    /** Too few messages to judge below this. */
    static final long MIN_MESSAGES = 100;

    private record Sample(long atMillis, long total, long unparsed) {
    }

    private final Clock clock;
    private final IngestMetrics metrics;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private long total;
    private long unparsed;

    ParseFailureRate(Clock clock, IngestMetrics metrics) {
        this.clock = clock;
        this.metrics = metrics;
    }

    synchronized boolean aboveLimit() {
        long now = clock.millis();
        Sample s = new Sample(now, metrics.receivedTotal(), metrics.unparsedTotal());
        samples.addLast(s);
        while (samples.size() > 1 && samples.peekFirst().atMillis() < now - WINDOW.toMillis()) {
            samples.removeFirst();
        }
        Sample first = samples.peekFirst();
        total = s.total() - first.total();
        unparsed = s.unparsed() - first.unparsed();
        return total >= MIN_MESSAGES && unparsed > MAX_RATIO * total;
    }

    synchronized String describe() {
        return unparsed + " of " + total + " messages in the last " + WINDOW.toMinutes() + "m did not parse as syslog";
    }
}
