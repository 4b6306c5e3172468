package io.auditwatch.heartbeat.bench;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Retained heap per tracked (node, stream): heap used after a full GC with 100,000 pairs tracked
 * minus before, divided by 100,000. Twice: with the per-pair gauges in a real registry, and with
 * those gauges denied (the tracker's own state). Run: {@code -Pbench -Dbench.main=<this class> -Dbench.args=25000}.
 */
public final class MemoryPerStream {
    private MemoryPerStream() {
    }

    public static void main(String[] args) throws Exception {
        int nodes = args.length > 0 && !args[0].isBlank() && !args[0].startsWith("-") ? Integer.parseInt(args[0]) : 25_000;
        int pairs = nodes * Estate.STREAMS.length;
        SimpleMeterRegistry noGauges = new SimpleMeterRegistry();
        noGauges.config().meterFilter(MeterFilter.denyNameStartsWith("auditwatch.heartbeat.last.seen"))
                .meterFilter(MeterFilter.denyNameStartsWith("auditwatch.heartbeat.event.lag"));
        report("tracker state only", nodes, pairs, noGauges);
        report("with per-pair gauges (SimpleMeterRegistry)", nodes, pairs, new SimpleMeterRegistry());
        report("meters no-op (empty CompositeMeterRegistry)", nodes, pairs, new CompositeMeterRegistry());
    }

    private static void report(String what, int nodes, int pairs, MeterRegistry registry) throws InterruptedException {
        long before = used();
        Estate estate = new Estate(nodes, registry);
        long after = used();
        System.out.printf("%-48s %,d pairs: %,d bytes retained, %.0f bytes per tracked stream%n", what, pairs,
                after - before, (after - before) / (double) pairs);
        if (estate.tracker.trackedStreams() != pairs) {
            throw new IllegalStateException("tracked " + estate.tracker.trackedStreams());
        }
    }

    private static long used() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            long u = rt.totalMemory() - rt.freeMemory();
            if (Math.abs(u - last) < 64 * 1024) {
                return u;
            }
            last = u;
        }
        return last;
    }
}
