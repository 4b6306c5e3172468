package io.auditwatch.ingest.kafka;

import io.auditwatch.service.config.ConfigLoader;
import io.auditwatch.service.config.ModuleSettings;
import io.auditwatch.service.kafka.EmbeddedKafka;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.awaitility.Awaitility.await;

/**
 * Load figure, not a test: pushes records through {@link EventPublisher} into the embedded broker, in
 * this one process, and prints records/s, MB/s, CPU seconds per million and latency.
 *
 * <pre>
 * mvn -o -q -pl ingest -am test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/cp.txt
 * java -cp ingest/target/test-classes:ingest/target/classes:$(cat /tmp/cp.txt) \
 *     io.auditwatch.ingest.kafka.PublisherLoadRun [records] [valueBytes] [compression] [records/s, 0 = flat out]
 * </pre>
 *
 * <p>Flat out, the offering thread parks for 0.1 ms whenever the publisher is full, as a TCP listener
 * that paused reading would wait; the figure is what reached Kafka with {@code acks=all}, measured at
 * the last acknowledgement. With a rate, offers are paced in 1 ms steps to show the latency of a
 * publisher that keeps up.
 */
public final class PublisherLoadRun {
    private PublisherLoadRun() {
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int valueBytes = args.length > 1 ? Integer.parseInt(args[1]) : 250;
        String compression = args.length > 2 ? args[2] : ClientConfigs.COMPRESSION;
        long rate = args.length > 3 ? Long.parseLong(args[3]) : 0;
        int nodes = 200;
        Path dir = Files.createTempDirectory("auditwatch-load");
        long t0 = System.nanoTime();
        try (EmbeddedKafka broker = EmbeddedKafka.start(dir.resolve("kafka"), "127.0.0.1", 0)) {
            long started = System.nanoTime();
            // The shipped defaults, with a longer close deadline so that every event of the run is counted.
            PublisherSettings d = ModuleSettings.publisher(ConfigLoader.load(null, Map.of()), broker.bootstrapServers(),
                    Map.of("compression.type", compression));
            PublisherSettings settings = new PublisherSettings(d.bootstrapServers(), d.topic(), d.partitions(),
                    d.replicationFactor(), d.queueBytes(), d.maxBlock(), Duration.ofSeconds(60),
                    d.producerOverrides(), d.healthCheckInterval());
            TopicCreator.ensureTopic(settings, TopicCreator.DEFAULT_TIMEOUT);
            long ready = System.nanoTime();
            System.out.printf("broker start %d ms (format + start), topic create %d ms, total %d ms%n",
                    ms(started - t0), ms(ready - started), ms(ready - t0));

            OutboundEvent[] templates = new OutboundEvent[nodes];
            for (int n = 0; n < nodes; n++) {
                OutboundEvent e = TestEvents.event("node-" + n, n, valueBytes);
                templates[n] = e;
            }
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            long rejectedSpins = 0;
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            try (EventPublisher publisher = EventPublisher.direct(settings, registry)) {
                long cpu0 = os.getProcessCpuTime();
                long start = System.nanoTime();
                for (int i = 0; i < records; i++) {
                    if (rate > 0 && i % Math.max(1, rate / 1000) == 0) {
                        long due = start + i * 1_000_000_000L / rate;
                        while (System.nanoTime() < due) {
                            LockSupport.parkNanos(due - System.nanoTime());
                        }
                    }
                    OutboundEvent t = templates[i % nodes];
                    OutboundEvent e = new OutboundEvent(t.key(), t.value(), t.headers(), System.nanoTime());
                    while (!publisher.offer(e)) {
                        rejectedSpins++;
                        LockSupport.parkNanos(100_000);
                    }
                }
                long offered = System.nanoTime();
                // Polled every 5 ms on this thread: the end time it gives is part of the figures.
                await().forever().pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                        .until(() -> registry.get(KafkaMetrics.PUBLISH.name()).tag("result", "success").counter().count() >= records);
                long end = System.nanoTime();
                long cpu = os.getProcessCpuTime() - cpu0;
                double secs = (end - start) / 1e9;
                Timer latency = registry.get(KafkaMetrics.LATENCY.name()).timer();
                HistogramSnapshot h = latency.takeSnapshot();
                System.out.printf("%d records of %d value bytes (%d bytes as queued), %s, rate %s: %.2f s, %.0f records/s, %.1f MB/s of values,"
                                + " offers done after %.2f s%n",
                        records, valueBytes, templates[0].sizeInBytes(), compression, rate > 0 ? rate + "/s" : "flat out", secs, records / secs,
                        records * (double) valueBytes / secs / 1e6, (offered - start) / 1e9);
                System.out.printf("process CPU %.1f s = %.1f CPU s per million records (broker included; %d cores)%n",
                        cpu / 1e9, cpu / 1e9 / (records / 1e6), Runtime.getRuntime().availableProcessors());
                System.out.printf("accept->ack latency: mean %.1f ms, p50 <= %s, p99 <= %s, max %.1f ms; back-pressure pauses %.0f,"
                                + " paused %.2f s, rejected offers %d%n",
                        latency.mean(TimeUnit.MILLISECONDS), bucket(h, 0.5), bucket(h, 0.99), latency.max(TimeUnit.MILLISECONDS),
                        registry.get(KafkaMetrics.BACKPRESSURE_PAUSES.name()).functionCounter().count(),
                        registry.get(KafkaMetrics.BACKPRESSURE.name()).functionCounter().count(), rejectedSpins);
            }
        }
    }

    private static String bucket(HistogramSnapshot h, double quantile) {
        double target = h.count() * quantile;
        for (CountAtBucket b : h.histogramCounts()) {
            if (b.count() >= target) {
                return String.format("%.1f ms", b.bucket(TimeUnit.MILLISECONDS));
            }
        }
        return "?";
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
