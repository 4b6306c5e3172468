package io.auditwatch.ingest.spool.bench;

import io.auditwatch.ingest.kafka.OutboundEvent;
import io.auditwatch.ingest.spool.Spool;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A cross-check of {@link SpoolBench} that stays meaningful on a shared, overloaded machine: the
 * <em>CPU time</em> of the thread that appends and sends, divided by the records, for the same work
 * as {@code SpoolBench.appendAndSend} and {@code SpoolBench.replay} (the spool's maintenance thread,
 * which runs the interval fsync, is not counted). Not a JMH benchmark; run it next to the JMH numbers:
 * {@code java -cp <test classpath> io.auditwatch.ingest.spool.bench.SpoolCpuTime}.
 */
public final class SpoolCpuTime {
    private static final int WARMUP_ROUNDS = 3;
    private static final int ROUNDS = 5;

    private SpoolCpuTime() {
    }

    public static void main(String[] args) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<OutboundEvent> batch = SpoolBench.events();
        double bestSend = Double.MAX_VALUE;
        double bestReplay = Double.MAX_VALUE;
        long checksum = 0;
        for (int r = 0; r < WARMUP_ROUNDS + ROUNDS; r++) {
            Path dir = Files.createTempDirectory("spool-cpu");
            try {
                long cpu = threads.getCurrentThreadCpuTime();
                try (Spool spool = SpoolBench.openSpool(dir)) {
                    for (int i = 0; i < SpoolBench.BATCHES; i++) {
                        spool.append(batch);
                        checksum += SpoolBench.send(spool, SpoolBench.BATCH);
                    }
                }
                double send = (threads.getCurrentThreadCpuTime() - cpu) / (double) SpoolBench.RECORDS;
                checksum += appendOnly(dir, batch);
                double replay;
                try (Spool spool = SpoolBench.openSpool(dir)) {
                    cpu = threads.getCurrentThreadCpuTime();
                    checksum += SpoolBench.send(spool, SpoolBench.RECORDS);
                    replay = (threads.getCurrentThreadCpuTime() - cpu) / (double) SpoolBench.RECORDS;
                }
                if (r >= WARMUP_ROUNDS) {
                    bestSend = Math.min(bestSend, send);
                    bestReplay = Math.min(bestReplay, replay);
                }
            } finally {
                SpoolBench.delete(dir);
            }
        }
        System.out.printf("spool appendAndSend %6.0f ns CPU per record%nspool replay        %6.0f ns CPU per record%n"
                + "(best of %d rounds of %,d records; checksum %d)%n", bestSend, bestReplay, ROUNDS, SpoolBench.RECORDS,
                checksum);
    }

    /** Appends a round's records to the (drained) spool in {@code dir} and leaves them unsent, for the replay. */
    private static long appendOnly(Path dir, List<OutboundEvent> batch) {
        long taken = 0;
        try (Spool spool = SpoolBench.openSpool(dir)) {
            for (int i = 0; i < SpoolBench.BATCHES; i++) {
                taken += spool.append(batch);
            }
        }
        return taken;
    }
}
