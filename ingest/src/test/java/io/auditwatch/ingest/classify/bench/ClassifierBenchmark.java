package io.auditwatch.ingest.classify.bench;

import io.auditwatch.ingest.classify.Classification;
import io.auditwatch.ingest.classify.Classifier;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * classify throughput per stream on the real fixtures (src/test/resources/classify):
 * {@code mvn -o -pl ingest -Pbench test-compile exec:exec -Dbench.args="-f1 -wi 3 -i 5 ClassifierBenchmark"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ClassifierBenchmark {

    @Param({"auditd-syscall", "auditd-pulse", "ucp-audit", "k8s-event", "dtr-webhook", "dockerd", "container",
        "other"})
    public String kind;

    private final Classifier classifier = new Classifier();
    private String tag;
    private String msg;

    @Setup
    public void setUp() {
        switch (kind) {
            case "auditd-syscall" -> set("audisp-syslog", line("auditd-captured-enriched.log", "type=SYSCALL msg=audit(1795458557.164:4)"));
            case "auditd-pulse" -> set("audisp-syslog", line("auditd-captured-enriched.log", "type=USER"));
            case "ucp-audit" -> set("ucp-controller", line("ucp-controller-audit-real.json", "auditID"));
            case "k8s-event" -> set("ucp-kube-apiserver", line("k8s-event-real.json", "auditID"));
            case "dtr-webhook" -> set("dtr-api-0123456789ab", line("dtr-webhook-tag-push-real.json", "TAG_PUSH"));
            case "dockerd" -> set("dockerd", line("dockerd-journal-real.tsv", "Docker daemon").split("\t")[1]);
            case "container" -> set("hello-world/foobar/5790672ab6a0", "Hello from Docker.");
            default -> set("sshd", "Accepted publickey for alice from 10.0.0.5 port 50000 ssh2");
        }
    }

    private void set(String tag, String msg) {
        this.tag = tag;
        this.msg = msg;
    }

    @Benchmark
    public Classification classify() {
        return classifier.classify(tag, "host", msg);
    }

    private static String line(String fixture, String needle) {
        try (InputStream in = ClassifierBenchmark.class.getResourceAsStream("/classify/" + fixture)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String l : text.split("\n")) {
                if (l.contains(needle)) {
                    return l;
                }
            }
            throw new IllegalArgumentException(needle);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
