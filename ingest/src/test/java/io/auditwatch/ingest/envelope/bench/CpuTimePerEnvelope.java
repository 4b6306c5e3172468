package io.auditwatch.ingest.envelope.bench;

import io.auditwatch.ingest.envelope.Envelope;
import io.auditwatch.ingest.envelope.EnvelopeCodec;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * A cross-check of {@link EnvelopeCodecBench} that stays meaningful on a shared, overloaded machine:
 * it divides the <em>CPU time</em> of the encoding thread (not wall time, which includes the time
 * other processes held the core) by the envelopes encoded. Not a JMH benchmark; run it next to the
 * JMH numbers: {@code java -cp <test classpath> io.auditwatch.ingest.envelope.bench.CpuTimePerEnvelope}.
 */
public final class CpuTimePerEnvelope {

    private static final int WARMUP_ROUNDS = 5;
    private static final int ROUNDS = 5;
    /** Per round, scaled down for the 16 KiB envelope so that every round takes about as long. */
    private static final int BYTES_PER_ROUND = 500_000_000;

    private CpuTimePerEnvelope() {
    }

    public static void main(String[] args) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        String[] names = {"container250", "auditdWithFields", "container16k"};
        Envelope[] envelopes = {Envelopes.container250(), Envelopes.auditdWithFields(), Envelopes.container16k()};
        for (int e = 0; e < envelopes.length; e++) {
            int perRound = BYTES_PER_ROUND / (envelopes[e].raw().length + 1000);
            long checksum = 0;
            double best = Double.MAX_VALUE;
            for (int r = 0; r < WARMUP_ROUNDS + ROUNDS; r++) {
                long cpu = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < perRound; i++) {
                    checksum += EnvelopeCodec.encode(envelopes[e]).length;
                }
                if (r >= WARMUP_ROUNDS) {
                    best = Math.min(best, (threads.getCurrentThreadCpuTime() - cpu) / (double) perRound);
                }
            }
            System.out.printf("encode %-16s %8.0f ns CPU per envelope (best of %d rounds of %,d; checksum %d)%n",
                    names[e], best, ROUNDS, perRound, checksum);
        }
    }
}
