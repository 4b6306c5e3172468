package io.auditwatch.ingest.syslog.bench;

import io.auditwatch.ingest.syslog.FramingListener;
import io.auditwatch.ingest.syslog.SyslogFrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Framer throughput per core: {@value #MESSAGES} Docker-shaped 250-byte RFC 5424 messages per
 * invocation, arriving in 16 KiB reads (frames straddle reads, as on a real socket). Scores are
 * messages per second; with {@code -prof gc}, {@code gc.alloc.rate.norm} is bytes per message (the
 * copied {@code byte[]} of about 250 bytes plus the frame record).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SyslogFrameDecoderBench {

    static final int MESSAGES = 1000;
    /** A typical socket read; Netty's adaptive receive buffer settles near this under load. */
    private static final int READ_SIZE = 16 * 1024;
    /** The default 64 KiB of {@code listeners.max-message-size} (ingest/README.md, "Receiver rules"). */
    private static final int MAX_MESSAGE_SIZE = 64 * 1024;

    /** {@code LF}: Docker plain TCP. {@code OCTET_COUNTING}: Docker {@code tcp+tls}, count includes LF. */
    @Param({"LF", "OCTET_COUNTING"})
    public String framing;

    private final List<ByteBuf> reads = new ArrayList<>();
    private EmbeddedChannel channel;

    @Setup
    public void setUp(Blackhole blackhole) {
        byte[] message = Messages.rfc5424();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int i = 0; i < MESSAGES; i++) {
            if (framing.equals("OCTET_COUNTING")) {
                stream.writeBytes((message.length + 1 + " ").getBytes());
            }
            stream.writeBytes(message);
            stream.write('\n');
        }
        byte[] all = stream.toByteArray();
        for (int at = 0; at < all.length; at += READ_SIZE) {
            // Read-only, so the cumulator copies rather than appends into these shared buffers.
            reads.add(Unpooled.unreleasableBuffer(Unpooled.directBuffer(READ_SIZE)
                    .writeBytes(all, at, Math.min(READ_SIZE, all.length - at)).asReadOnly()));
        }
        channel = new EmbeddedChannel(new SyslogFrameDecoder(MAX_MESSAGE_SIZE, FramingListener.NONE),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        blackhole.consume(msg);
                    }
                });
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void decode() {
        for (ByteBuf read : reads) {
            channel.writeInbound(read.duplicate());
        }
    }
}
