package io.auditwatch.ingest.classify.bench;

import io.auditwatch.ingest.classify.Classifier;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * A measured loop beside {@link ClassifierBenchmark}: thread CPU time per classify call, which
 * stays meaningful on the shared 2-core build machine where wall-clock JMH figures drown in other
 * builds' load. Run with {@code java -cp <test classpath> io.auditwatch.ingest.classify.bench.ClassifierCpuLoop}.
 */
public final class ClassifierCpuLoop {
    private static final int WARMUP_ROUNDS = 3;
    private static final int ROUNDS = 5;
    private static final int CALLS_PER_ROUND = 50_000;

    private ClassifierCpuLoop() {
    }

    public static void main(String[] args) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Classifier classifier = new Classifier();
        for (String kind : new String[] {"auditd-syscall", "auditd-pulse", "ucp-audit", "k8s-event", "dtr-webhook",
            "dockerd", "container", "other"}) {
            ClassifierBenchmark b = new ClassifierBenchmark();
            b.kind = kind;
            b.setUp();
            measure(mx, kind, CALLS_PER_ROUND, b::classify);
        }
        // Hostile JSON, warm: what an attacker's message costs once the JIT is done.
        String tenMb = "{\"audit\":{\"auditID\":\"a\",\"requestURI\":\"" + "A".repeat(10 << 20) + "\"}}";
        String deep = "{\"auditID\":\"a\",\"x\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";
        String digits = "{\"auditID\":\"a\",\"n\":" + "9".repeat(100_000) + "}";
        String bigString = "{\"auditID\":\"a\",\"s\":\"" + "A".repeat(600_000) + "\"}";
        measure(mx, "hostile-10MB", 200, () -> classifier.classify("ucp-controller", null, tenMb));
        measure(mx, "hostile-deep", 200, () -> classifier.classify(null, null, deep));
        measure(mx, "hostile-digits", 200, () -> classifier.classify(null, null, digits));
        measure(mx, "hostile-600KiB", 200, () -> classifier.classify(null, null, bigString));
    }

    private static void measure(ThreadMXBean mx, String name, int calls,
                                java.util.function.Supplier<io.auditwatch.ingest.classify.Classification> call) {
        long best = Long.MAX_VALUE;
        for (int round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
            long t0 = mx.getCurrentThreadCpuTime();
            int sink = 0;
            for (int i = 0; i < calls; i++) {
                sink += call.get().fields().size();
            }
            long perCall = (mx.getCurrentThreadCpuTime() - t0) / calls;
            if (round >= WARMUP_ROUNDS && sink >= 0) {
                best = Math.min(best, perCall);
            }
        }
        System.out.printf("%-15s %,12d ns CPU per classify (best of %d rounds of %,d)%n", name, best, ROUNDS, calls);
    }
}
