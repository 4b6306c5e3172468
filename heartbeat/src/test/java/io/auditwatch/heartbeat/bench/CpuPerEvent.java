package io.auditwatch.heartbeat.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;

/**
 * CPU time (not wall time) per {@code onEvent}, same shape as {@link TrackerBenchmark}: on a shared,
 * overloaded machine JMH's wall-clock average mostly measures the time slices other processes take;
 * the thread's own CPU time does not. Run: {@code -Pbench -Dbench.main=<this class> -Dbench.args=25000} (add {@code no-meters} to see the meters' share).
 */
public final class CpuPerEvent {
    private static final int ORDER = 1 << 20;
    private static final int EVENTS = 20_000_000;

    private CpuPerEvent() {
    }

    public static void main(String[] args) {
        int nodes = args.length > 0 && !args[0].isBlank() && !args[0].startsWith("-") ? Integer.parseInt(args[0]) : 25_000;
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        if (args.length > 1 && args[1].equals("no-meters")) {
            // Where the time goes: the same run with every meter a no-op.
            registry.config().meterFilter(io.micrometer.core.instrument.config.MeterFilter.deny());
        }
        Estate estate = new Estate(nodes, registry);
        Random r = new Random(42);
        int[] order = new int[ORDER];
        int[] streams = new int[ORDER];
        for (int k = 0; k < ORDER; k++) {
            order[k] = r.nextInt(nodes);
            streams[k] = r.nextInt(Estate.STREAMS.length);
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long now = Estate.START;
        for (int round = 0; round < 4; round++) {
            long cpu0 = mx.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            for (int i = 0; i < EVENTS; i++) {
                int k = i & (ORDER - 1);
                now++;
                estate.tracker.onEvent(estate.names[order[k]], Estate.STREAMS[streams[k]], now, now - 250, false, false, 0);
            }
            long cpu = mx.getCurrentThreadCpuTime() - cpu0;
            long wall = System.nanoTime() - wall0;
            System.out.printf("round %d, %,d pairs: %.1f ns CPU per event (%.1f ns wall)%n", round, nodes * Estate.STREAMS.length,
                    cpu / (double) EVENTS, wall / (double) EVENTS);
        }
    }
}
