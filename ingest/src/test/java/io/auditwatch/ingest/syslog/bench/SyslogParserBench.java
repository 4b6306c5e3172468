package io.auditwatch.ingest.syslog.bench;

import io.auditwatch.ingest.syslog.SyslogMessage;
import io.auditwatch.ingest.syslog.SyslogParser;

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
 * Parser throughput per core on 250-byte Docker messages (messages per second = ops/s). Run with
 * {@code -prof gc}: {@code gc.alloc.rate.norm} is the bytes allocated per message.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SyslogParserBench {

    private final byte[] rfc5424 = Messages.rfc5424();
    private final byte[] rfc3164 = Messages.rfc3164();
    private final byte[] dockerDefault = Messages.dockerDefault();

    @Benchmark
    public SyslogMessage rfc5424() {
        return SyslogParser.parse(rfc5424);
    }

    @Benchmark
    public SyslogMessage rfc3164() {
        return SyslogParser.parse(rfc3164);
    }

    @Benchmark
    public SyslogMessage dockerDefault() {
        return SyslogParser.parse(dockerDefault);
    }
}
