package io.auditwatch.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every datagram sent to the UDP listener is accounted for: read by auditwatch
 * ({@code auditwatch_events_received_total{transport="udp"}}), dropped when the hand-off from the
 * receiving threads to the processing threads was full ({@code auditwatch_messages_dropped_total{reason="udp_handoff_full"}}),
 * dropped by the kernel at a full socket ({@code auditwatch_udp_kernel_drops_total}, from the
 * statistics of the listener's sockets, summed), or dropped
 * before it reached any socket, in the loopback device's backlog ({@code /proc/net/softnet_stat}, host
 * wide, so it can only bound). A burst from two senders as fast as loopback takes them; where the kernel
 * drops depends on the machine, the accounting does not.
 */
class UdpKernelDropsIT {
    @RegisterExtension
    static final TestService service = TestService.with(Map.of());

    static final int PER_SENDER = 50_000;

    @Test
    void receivedPlusKernelDropsIsEverythingSent() throws Exception {
        assumeTrue(java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/net/softnet_stat")), "not Linux");
        MeterRegistry registry = service.service().registry();
        FunctionCounter kernel = registry.get(IngestMetrics.UDP_KERNEL_DROPS.name()).tag("listener", "udp").functionCounter();
        double kernelBefore = kernel.count();
        double receivedBefore = received(registry) + handoffDrops(registry);
        long backlogBefore = backlogDrops();
        Thread[] senders = new Thread[2];
        for (int t = 0; t < senders.length; t++) {
            int id = t;
            senders[t] = new Thread(() -> burst(id));
            senders[t].start();
        }
        for (Thread s : senders) {
            s.join();
        }
        long sent = (long) PER_SENDER * senders.length;
        // Micrometer holds a function counter's object weakly: it must outlive a collection.
        System.gc();
        // The kernel's queues drain into the receiving threads; then the counts stop moving.
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            long atSocket = Math.round(received(registry) + handoffDrops(registry) - receivedBefore + kernel.count() - kernelBefore);
            long backlog = backlogDrops() - backlogBefore;
            String figures = "received or dropped at the hand-off " + (received(registry) + handoffDrops(registry)
                    - receivedBefore) + ", socket drops "
                    + (kernel.count() - kernelBefore) + ", loopback backlog drops " + backlog;
            assertTrue(atSocket <= sent, figures);
            assertTrue(atSocket + backlog >= sent, figures);
        });
        System.out.printf("UDP burst of %,d: received or dropped at the hand-off %,.0f (dropped %,.0f), dropped at the"
                + " sockets %,.0f, in the loopback backlog %,d%n", sent, received(registry) + handoffDrops(registry) - receivedBefore,
                handoffDrops(registry), kernel.count() - kernelBefore, backlogDrops() - backlogBefore);
    }

    /** The second column of every CPU's line: packets dropped because the backlog queue was full. */
    private static long backlogDrops() throws java.io.IOException {
        long sum = 0;
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/net/softnet_stat"))) {
            sum += Long.parseLong(line.strip().split("\\s+")[1], 16);
        }
        return sum;
    }

    private static double received(MeterRegistry registry) {
        return registry.find(IngestMetrics.RECEIVED.name()).tag("transport", "udp").counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private static double handoffDrops(MeterRegistry registry) {
        return registry.find(IngestMetrics.DROPPED.name()).tag("reason", "udp_handoff_full").counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private static void burst(int sender) {
        try (DatagramSocket s = new DatagramSocket()) {
            for (int i = 0; i < PER_SENDER; i++) {
                byte[] b = ("<13>1 2026-12-03T22:00:00Z burst-" + sender + " app - - - datagram " + i).getBytes(UTF_8);
                s.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), service.udpPort()));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
