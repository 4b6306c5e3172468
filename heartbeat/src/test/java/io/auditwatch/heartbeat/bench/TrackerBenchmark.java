package io.auditwatch.heartbeat.bench;

import io.auditwatch.heartbeat.EventHeaders;
import io.auditwatch.heartbeat.HeartbeatTracker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-event update with 100,000 tracked (node, stream) pairs (25,000 nodes x 4 streams), events
 * visiting pairs in a random order so the map and slots miss the CPU caches as in production.
 * {@code onEvent}: the tracker alone; {@code onHeaders}: plus decoding the header bytes as the
 * consumer hands them over. {@code evaluate}: one tick with nothing due.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TrackerBenchmark {
    private static final int ORDER = 1 << 20;

    @Param({"250", "25000"})
    int nodes;

    HeartbeatTracker tracker;
    byte[][] names;
    byte[][] streamIds;
    int[] order;
    int[] streamOrder;
    byte[] received;
    byte[] sent;
    int i;
    long now;

    @Setup(Level.Trial)
    public void setUp() {
        Estate estate = new Estate(nodes, new SimpleMeterRegistry());
        tracker = estate.tracker;
        names = estate.names;
        streamIds = new byte[Estate.STREAMS.length][];
        for (int s = 0; s < streamIds.length; s++) {
            streamIds[s] = Estate.STREAMS[s].id().getBytes(StandardCharsets.US_ASCII);
        }
        Random r = new Random(42);
        order = new int[ORDER];
        streamOrder = new int[ORDER];
        for (int k = 0; k < ORDER; k++) {
            order[k] = r.nextInt(nodes);
            streamOrder[k] = r.nextInt(Estate.STREAMS.length);
        }
        now = Estate.START;
        received = EventHeaders.encodeMillis(now + 1000);
        sent = EventHeaders.encodeMillis(now + 900);
    }

    @Benchmark
    public void onEvent() {
        int k = i++ & (ORDER - 1);
        now++;
        tracker.onEvent(names[order[k]], Estate.STREAMS[streamOrder[k]], now, now - 250, false, false, 0);
    }

    @Benchmark
    public void onHeaders() {
        int k = i++ & (ORDER - 1);
        tracker.onHeaders(names[order[k]], streamIds[streamOrder[k]], received, sent, null, null, 0);
    }

    @Benchmark
    public void evaluate() {
        tracker.evaluate();
    }
}
