package io.auditwatch.ingest.syslog.bench;

import io.auditwatch.ingest.syslog.FramingListener;
import io.auditwatch.ingest.syslog.SyslogFrame;
import io.auditwatch.ingest.syslog.SyslogFrameDecoder;
import io.auditwatch.ingest.syslog.SyslogMessage;
import io.auditwatch.ingest.syslog.SyslogParser;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.io.ByteArrayOutputStream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;

/**
 * A cross-check of {@link SyslogParserBench} and {@link SyslogFrameDecoderBench} that stays meaningful on a shared, overloaded machine:
 * it divides the <em>CPU time</em> of the measuring thread (not wall time, which includes the time
 * other processes held the core) by the messages parsed, so "messages per CPU-second" is the
 * per-core throughput. Not a JMH benchmark (no fork control, no dead-code guard beyond a checksum);
 * run it next to the JMH numbers, not instead of them:
 * {@code java -cp <test classpath> io.auditwatch.ingest.syslog.bench.CpuTimePerMessage}.
 */
public final class CpuTimePerMessage {

    private static final int WARMUP_ROUNDS = 5;
    private static final int ROUNDS = 5;
    private static final int MESSAGES_PER_ROUND = 2_000_000;

    private CpuTimePerMessage() {
    }

    public static void main(String[] args) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        framer(threads, false);
        framer(threads, true);
        String[] names = {"rfc5424", "rfc3164", "dockerDefault"};
        byte[][] messages = {Messages.rfc5424(), Messages.rfc3164(), Messages.dockerDefault()};
        for (int m = 0; m < messages.length; m++) {
            long checksum = 0;
            for (int r = 0; r < WARMUP_ROUNDS; r++) {
                checksum += round(messages[m]);
            }
            double best = Double.MAX_VALUE;
            for (int r = 0; r < ROUNDS; r++) {
                long cpu = threads.getCurrentThreadCpuTime();
                checksum += round(messages[m]);
                best = Math.min(best, (threads.getCurrentThreadCpuTime() - cpu) / (double) MESSAGES_PER_ROUND);
            }
            System.out.printf("parser %-14s %6.0f ns CPU per message = %,.0f messages per CPU-second (best of %d rounds; checksum %d)%n",
                    names[m], best, 1e9 / best, ROUNDS, checksum);
        }
    }

    /** Frames 1000 LF-terminated 250-byte messages per pass in 16 KiB reads, as {@link SyslogFrameDecoderBench} does. */
    private static void framer(ThreadMXBean threads, boolean counted) {
        byte[] message = Messages.rfc5424();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        int perPass = 1000;
        for (int i = 0; i < perPass; i++) {
            if (counted) {
                stream.writeBytes((message.length + 1 + " ").getBytes());
            }
            stream.writeBytes(message);
            stream.write('\n');
        }
        byte[] all = stream.toByteArray();
        int read = 16 * 1024;
        ByteBuf[] reads = new ByteBuf[(all.length + read - 1) / read];
        for (int i = 0; i < reads.length; i++) {
            int at = i * read;
            reads[i] = Unpooled.unreleasableBuffer(Unpooled.directBuffer(read).writeBytes(all, at, Math.min(read, all.length - at)).asReadOnly());
        }
        long[] sink = new long[1];
        EmbeddedChannel channel = new EmbeddedChannel(new SyslogFrameDecoder(64 * 1024, FramingListener.NONE),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        sink[0] += ((SyslogFrame) msg).raw().length;
                    }
                });
        int passes = MESSAGES_PER_ROUND / perPass;
        double best = Double.MAX_VALUE;
        for (int r = 0; r < WARMUP_ROUNDS + ROUNDS; r++) {
            long cpu = threads.getCurrentThreadCpuTime();
            for (int p = 0; p < passes; p++) {
                for (ByteBuf b : reads) {
                    channel.writeInbound(b.duplicate());
                }
            }
            if (r >= WARMUP_ROUNDS) {
                best = Math.min(best, (threads.getCurrentThreadCpuTime() - cpu) / (double) MESSAGES_PER_ROUND);
            }
        }
        channel.finishAndReleaseAll();
        System.out.printf("framer %-7s %6.0f ns CPU per message = %,.0f messages per CPU-second (best of %d rounds; checksum %d)%n",
                counted ? "octet" : "LF", best, 1e9 / best, ROUNDS, sink[0]);
    }

    private static long round(byte[] raw) {
        long sum = 0;
        for (int i = 0; i < MESSAGES_PER_ROUND; i++) {
            SyslogMessage message = SyslogParser.parse(raw);
            sum += message.msgOffset();
        }
        return sum;
    }
}
