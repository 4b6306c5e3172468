package io.auditwatch.ingest.envelope.bench;

import io.auditwatch.ingest.envelope.Envelope;
import io.auditwatch.ingest.envelope.EnvelopeCodec;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link EnvelopeCodec#encode} per message, on envelopes built the way the ingest pipeline builds
 * them (parsed, classified, flagged). Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is the
 * bytes allocated per envelope:
 * {@code mvn -B -o -pl ingest -am -Pbench -DskipTests test -Dbench.args="-f1 -wi 3 -i 5 -prof gc EnvelopeCodecBench"}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class EnvelopeCodecBench {

    private final Envelope container = Envelopes.container250();
    private final Envelope auditd = Envelopes.auditdWithFields();
    private final Envelope large = Envelopes.container16k();

    @Benchmark
    public byte[] container250() {
        return EnvelopeCodec.encode(container);
    }

    @Benchmark
    public byte[] auditdWithFields() {
        return EnvelopeCodec.encode(auditd);
    }

    @Benchmark
    public byte[] container16k() {
        return EnvelopeCodec.encode(large);
    }
}
