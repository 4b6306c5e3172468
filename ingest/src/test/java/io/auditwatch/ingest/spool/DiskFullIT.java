package io.auditwatch.ingest.spool;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertKind;
import io.auditwatch.ingest.kafka.EventLog;
import io.auditwatch.ingest.kafka.OutboundEvent;
import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.auditwatch.service.BrokerExtension;
import io.auditwatch.service.TestService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk under the spool (ingest/README.md, "Resource bounds"), on a real small filesystem: a
 * tmpfs of a few MiB mounted by the test (root only; skipped otherwise) and filled by a filler file.
 * Appends wait as for a full spool, nothing accepted is given up, and sending resumes when the
 * filler is deleted.
 */
class DiskFullIT {
    @TempDir
    static Path tmp;

    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();

    @Test
    void aWriteTheDiskRefusesWaitsAndIsWrittenWhenSpaceReturns() throws Exception {
        assumeRoot();
        try (Tmpfs disk = new Tmpfs(tmp.resolve("enospc"), "2m")) {
            List<AlertEvent> alerts = new CopyOnWriteArrayList<>();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            // No free-space floor: the write itself runs into ENOSPC.
            Spool spool = new Spool(new SpoolSettings(disk.dir, 1L << 20, FsyncPolicy.ALWAYS, Duration.ofSeconds(1), 0.8),
                    8L << 20, registry, Clock.systemUTC(), System::nanoTime, alerts::add);
            try {
                disk.fill(16 << 10); // 16 KiB left: part of the first write lands, the rest is refused
                List<OutboundEvent> events = SpoolEvents.events(0, 500, 300);
                AtomicInteger taken = new AtomicInteger(-1);
                Thread appender = new Thread(() -> taken.set(spool.append(events)), "test-appender");
                appender.start();
                await().atMost(Duration.ofSeconds(30)).until(spool::diskFull);
                assertTrue(appender.isAlive(), "the append waits for space, it does not give the batch up");
                assertTrue(registry.get(SpoolMetrics.NO_SPACE.name()).counter().count() >= 1);
                assertTrue(alerts.stream().anyMatch(a -> a.kind() == AlertKind.SPOOL_FULL
                        && a.status() == AlertEvent.Status.FIRING && a.summary().contains("disk")), alerts.toString());

                disk.freeFiller();
                appender.join(TimeUnit.SECONDS.toMillis(30));
                assertEquals(500, taken.get());
                assertTrue(!spool.diskFull());
                List<Integer> seqs = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    EventLog.Entry e = spool.next(5_000);
                    assertTrue(e != null, "only " + i + " of 500 records readable");
                    assertTrue(Arrays.equals(events.get(i).value(), e.event().value()), "record " + i + " differs");
                    seqs.add(SpoolEvents.seq(e.event()));
                }
                assertEquals(499, seqs.get(499));
            } finally {
                spool.close();
            }
        }
    }

    @Test
    void tcpLoadOnAFillingDiskIsHeldBackAlertedAndLosesNothingWhenSpaceReturns() throws Exception {
        assumeRoot();
        String topic = "audit.events.diskfull";
        Path data = tmp.resolve("service");
        GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        try (Tmpfs disk = new Tmpfs(data.resolve("spool"), "8m")) {
            Map<String, String> env = new HashMap<>(TestService.smtpTo(smtp.getSmtp().getPort()));
            env.putAll(Map.of(
                    "AUDITWATCH_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                    "AUDITWATCH_KAFKA_TOPIC", topic,
                    "AUDITWATCH_KAFKA_QUEUE_BYTES", "2MiB", // at least one largest record (ingest/README.md, "Size budget")
                    "AUDITWATCH_SPOOL_MAX_BYTES", "4MiB",
                    "AUDITWATCH_SPOOL_FSYNC", "os",
                    "AUDITWATCH_SPOOL_MIN_FREE_BYTES", "2MiB",
                    "AUDITWATCH_SPOOL_MIN_FREE_PERCENT", "0"));
            try (TestService svc = TestService.start(data, env)) {
                SyslogLoad tcp = new SyslogLoad(svc.tcpPort(), 1, 0, 200);
                await().atMost(Duration.ofSeconds(30)).until(() -> tcp.totalSent() > 5_000);

                disk.fill(1 << 20); // 1 MiB left, below the 2 MiB floor
                await().atMost(Duration.ofSeconds(30)).until(() -> svc.service().spoolHealth().full());
                long heldAt = awaitStill(tcp);

                double dropped = udpDrops(svc);
                // More than the publisher queue's room (it holds at least one largest record, 2 MiB here):
                // datagrams beyond it are dropped while the disk is below the floor.
                try (DatagramSocket udp = new DatagramSocket()) {
                    for (int n = 0; n < 5_000; n++) {
                        byte[] m = SyslogLoad.message(9, n, 100);
                        udp.send(new DatagramPacket(m, m.length, InetAddress.getLoopbackAddress(), svc.udpPort()));
                        LockSupport.parkNanos(200_000);
                    }
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> udpDrops(svc) > dropped);
                // The SPOOL_FULL pipeline alert reaches the ISSO and SA: a FIRING whose alert key (a header) is the
                // spool's. The subject names whichever cause opened it first (max-bytes when Kafka fell behind before
                // the disk was filled, else the floor); the floor itself is asserted through the held sender above.
                await().atMost(Duration.ofSeconds(60)).until(() -> Arrays.stream(smtp.getReceivedMessages())
                        .anyMatch(m -> TestService.subject(m).contains("PIPELINE FAILURE: auditwatch spool")
                                && TestService.alertKeys(m).contains(SpoolAlerts.KEY)));

                disk.freeFiller();
                await().atMost(Duration.ofSeconds(60)).until(() -> tcp.totalSent() > heldAt + 20_000);
                tcp.close();
                SyslogLoad.Seen seen = SpoolOutageIT.readUntilComplete(broker, topic, tcp, Duration.ofSeconds(120));
                System.out.printf("disk-full test: TCP held at %d messages, %d sent in all, %d distinct in the topic%n",
                        heldAt, tcp.totalSent(), seen.distinct());
                assertEquals(List.of(), seen.missing(0, tcp.sent(0)), "TCP messages lost");
            }
        } finally {
            smtp.stop();
        }
    }

    /** Waits until the sender made no progress for two seconds (its socket buffers are full); returns where. */
    private static long awaitStill(SyslogLoad load) {
        AtomicLong last = new AtomicLong(-1);
        AtomicLong since = new AtomicLong(System.nanoTime());
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            long now = load.totalSent();
            if (now != last.getAndSet(now)) {
                since.set(System.nanoTime());
            }
            return System.nanoTime() - since.get() >= TimeUnit.SECONDS.toNanos(2);
        });
        return last.get();
    }


    private static double udpDrops(TestService svc) {
        return svc.service().registry().find(IngestMetrics.DROPPED.name()).tag("reason", "udp_queue_full").counters()
                .stream().mapToDouble(c -> c.count()).sum();
    }

    private static void assumeRoot() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to mount a small tmpfs as the spool's disk");
    }

    /** A tmpfs of {@code size} mounted on {@code dir}, and a filler file that takes its space. */
    static final class Tmpfs implements AutoCloseable {
        final Path dir;
        private final Path filler;

        Tmpfs(Path dir, String size) throws Exception {
            this.dir = Files.createDirectories(dir);
            this.filler = dir.resolve("filler");
            run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
        }

        /** Writes the filler until only {@code leaveFree} bytes are usable. */
        void fill(long leaveFree) throws IOException {
            try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer chunk = ByteBuffer.allocate(4096);
                long usable;
                while ((usable = Files.getFileStore(dir).getUsableSpace()) > leaveFree) {
                    chunk.clear().limit((int) Math.min(4096, usable - leaveFree));
                    ch.write(chunk);
                }
            }
        }

        void freeFiller() throws IOException {
            Files.deleteIfExists(filler);
        }

        @Override
        public void close() throws Exception {
            run("umount", "-l", dir.toString());
        }

        private static void run(String... command) throws Exception {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", command) + ": " + out);
        }
    }
}
