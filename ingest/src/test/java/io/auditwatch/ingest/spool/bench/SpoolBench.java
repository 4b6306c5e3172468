package io.auditwatch.ingest.spool.bench;

import io.auditwatch.heartbeat.EventHeaders;
import io.auditwatch.ingest.kafka.EventLog;
import io.auditwatch.ingest.kafka.OutboundEvent;
import io.auditwatch.ingest.spool.FsyncPolicy;
import io.auditwatch.ingest.spool.Spool;
import io.auditwatch.ingest.spool.SpoolSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.header.internals.RecordHeader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The disk spool's cost per record, on a temporary directory with {@code fsync: interval} (1 s), so
 * that the figures are the spool's CPU and not the disk's flush latency. Each iteration is one
 * invocation doing a fixed amount of work on a fresh spool ({@value #BATCHES} group commits of
 * {@value #BATCH} records of about 700 bytes, the size of a 250-byte syslog line's envelope); the
 * score is nanoseconds per record and, with {@code -prof gc}, {@code gc.alloc.rate.norm} is the bytes
 * allocated per record.
 * <ul>
 *   <li>{@code append}: one group commit (encode, CRC, one write) per {@value #BATCH} records.</li>
 *   <li>{@code appendAndSend}: what the spooling sender does per record on the healthy path: append,
 *       take the record for the producer ({@link Spool#next}) and acknowledge it.</li>
 *   <li>{@code replay}: records a previous run left on disk, read back, decoded and acknowledged
 *       (the path after an outage or a restart).</li>
 * </ul>
 * Run: {@code mvn -B -o -pl ingest -am -Pbench -DskipTests test -Dbench.args="-f1 -wi 3 -i 5 -prof gc SpoolBench"}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@OperationsPerInvocation(SpoolBench.RECORDS)
public class SpoolBench {
    /** Records per group commit. */
    static final int BATCH = 1_000;

    /** Group commits per invocation (one invocation per iteration). */
    static final int BATCHES = 200;

    /** Records per invocation: 200,000, about 150 MB of segment files. */
    static final int RECORDS = BATCH * BATCHES;

    /** The spool's bound: larger than an iteration writes, so that no append waits for room. */
    static final long MAX_BYTES = 1L << 30;

    /** Bytes handed out and not yet acknowledged: the publisher's default memory bound, 32 MiB. */
    static final long INFLIGHT_BYTES = 32L << 20;

    /** Value bytes: the envelope of a 250-byte RFC 5424 message is about 650-800 bytes. */
    static final int VALUE_BYTES = 700;

    /** A fresh spool per iteration, in a fresh temporary directory deleted afterwards. */
    @State(Scope.Thread)
    public static class Fresh {
        final List<OutboundEvent> batch = events();
        Path dir;
        Spool spool;

        @Setup(Level.Iteration)
        public void open() throws IOException {
            dir = Files.createTempDirectory("spool-bench");
            spool = openSpool(dir);
        }

        @TearDown(Level.Iteration)
        public void close() {
            spool.close();
            delete(dir);
        }
    }

    /** A spool opened on what a previous run appended and never sent: every record is read from disk. */
    @State(Scope.Thread)
    public static class Replay {
        Path dir;
        Spool spool;

        @Setup(Level.Iteration)
        public void open() throws IOException {
            dir = Files.createTempDirectory("spool-bench");
            List<OutboundEvent> batch = events();
            try (Spool previous = openSpool(dir)) {
                for (int i = 0; i < BATCHES; i++) {
                    previous.append(batch);
                }
            }
            spool = openSpool(dir);
        }

        @TearDown(Level.Iteration)
        public void close() {
            spool.close();
            delete(dir);
        }
    }

    @Benchmark
    public int append(Fresh s) {
        int taken = 0;
        for (int i = 0; i < BATCHES; i++) {
            taken += s.spool.append(s.batch);
        }
        return taken;
    }

    @Benchmark
    public long appendAndSend(Fresh s) throws InterruptedException {
        long bytes = 0;
        for (int i = 0; i < BATCHES; i++) {
            s.spool.append(s.batch);
            bytes += send(s.spool, BATCH);
        }
        return bytes;
    }

    @Benchmark
    public long replay(Replay s) throws InterruptedException {
        return send(s.spool, RECORDS);
    }

    /** Takes {@code count} records for the producer and acknowledges each, as Kafka would. */
    static long send(Spool spool, int count) throws InterruptedException {
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            EventLog.Entry e = spool.next(1_000);
            if (e == null) {
                throw new IllegalStateException("the spool handed out only " + i + " of " + count + " records");
            }
            bytes += e.event().value().length;
            spool.acknowledged(e);
        }
        return bytes;
    }

    static Spool openSpool(Path dir) {
        return new Spool(new SpoolSettings(dir, MAX_BYTES, FsyncPolicy.INTERVAL, Duration.ofSeconds(1), 0.8),
                INFLIGHT_BYTES, new SimpleMeterRegistry(), Clock.systemUTC(), System::nanoTime, null);
    }

    /** One group commit of events from 20 nodes, with the aw.* headers ingest sends. */
    static List<OutboundEvent> events() {
        List<OutboundEvent> out = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            String node = "node-" + (i % 20) + ".example.org";
            byte[] value = new byte[VALUE_BYTES];
            for (int j = 0; j < value.length; j++) {
                value[j] = (byte) ('a' + (i + j) % 26);
            }
            out.add(new OutboundEvent(node.getBytes(StandardCharsets.UTF_8), value, List.of(
                    new RecordHeader(EventHeaders.NODE, node.getBytes(StandardCharsets.UTF_8)),
                    new RecordHeader(EventHeaders.STREAM, "docker-daemon".getBytes(StandardCharsets.US_ASCII)),
                    new RecordHeader(EventHeaders.RECEIVED, EventHeaders.encodeMillis(1_763_900_000_000L + i))),
                    System.nanoTime()));
        }
        return out;
    }

    static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
