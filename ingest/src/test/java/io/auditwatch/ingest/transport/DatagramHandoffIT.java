package io.auditwatch.ingest.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A UDP listener's receiving side over real loopback sockets: several {@code SO_REUSEPORT} sockets
 * (native epoll) or one (NIO) hand datagrams to processing threads; each sender's datagrams are
 * processed in the order sent, and a full hand-off drops and counts instead of holding up receiving.
 */
class DatagramHandoffIT {
    static final int PER_SENDER = 2_000;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final IngestMetrics metrics = new IngestMetrics(registry);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void twoSendersEachKeepTheirOrderThroughSeveralSocketsAndWorkers() throws Exception {
        EventLoops loops = loops(true);
        Map<InetSocketAddress, List<Integer>> seen = new ConcurrentHashMap<>();
        Set<String> workers = ConcurrentHashMap.newKeySet();
        DatagramReceiver receiver = receiver(loops, 2, DatagramHandoff.DEFAULT_MAX_DATAGRAMS,
                DatagramHandoff.DEFAULT_MAX_BYTES, (sender, bytes) -> {
                    workers.add(Thread.currentThread().getName());
                    seen.computeIfAbsent(sender, s -> new CopyOnWriteArrayList<>()).add(number(bytes));
                });
        assertEquals(loops.isNative() ? 2 : 1, receiver.sockets());
        assertTrue(receiver.isBound());

        Thread[] senders = {new Thread(() -> send(receiver.port(), PER_SENDER)), new Thread(() -> send(receiver.port(), PER_SENDER))};
        for (Thread t : senders) {
            t.start();
        }
        for (Thread t : senders) {
            t.join();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() == 2
                && seen.values().stream().allMatch(l -> l.size() == PER_SENDER));
        for (List<Integer> numbers : seen.values()) {
            for (int i = 0; i < PER_SENDER; i++) {
                assertEquals(i, numbers.get(i), "a sender's datagrams processed out of order");
            }
        }
        assertTrue(workers.stream().allMatch(w -> w.startsWith("aw-udp-process-")), "processed on a receiving thread: " + workers);
        assertEquals(0.0, dropped(), "nothing dropped at this rate");
    }

    @Test
    void withoutNativeEpollOneSocketHandsOffTheSameWay() throws Exception {
        EventLoops loops = loops(false);
        List<Integer> seen = new CopyOnWriteArrayList<>();
        DatagramReceiver receiver = receiver(loops, 2, DatagramHandoff.DEFAULT_MAX_DATAGRAMS,
                DatagramHandoff.DEFAULT_MAX_BYTES, (sender, bytes) -> seen.add(number(bytes)));
        assertEquals(1, receiver.sockets());
        send(receiver.port(), 500);
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() == 500);
        for (int i = 0; i < 500; i++) {
            assertEquals(i, seen.get(i));
        }
    }

    @Test
    void aFullHandoffDropsAndCountsWhileTheWorkerIsStuck() throws Exception {
        int bound = 8;
        List<Integer> processed = new CopyOnWriteArrayList<>();
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        DatagramReceiver receiver = receiver(loops(true), 1, bound, DatagramHandoff.DEFAULT_MAX_BYTES, (sender, bytes) -> {
            stuck.countDown();
            awaitUninterruptibly(release);
            processed.add(number(bytes));
        });
        try (DatagramSocket s = new DatagramSocket()) {
            send(s, receiver.port(), 0);
            assertTrue(stuck.await(10, TimeUnit.SECONDS), "the first datagram never reached the worker");
            for (int i = 1; i < 100; i++) {
                send(s, receiver.port(), i);
            }
            // The worker holds datagram 0; the hand-off holds the next `bound`; every other one is
            // dropped and counted by the receiving thread while the worker is still stuck.
            await().atMost(Duration.ofSeconds(10)).until(() -> dropped() == 99 - bound);
            assertEquals(List.of(), processed);
        } finally {
            release.countDown();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> processed.size() == bound + 1);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8), processed);
        assertEquals(99.0 - bound, dropped());
    }

    @Test
    void theByteBoundDropsTooWhenTheDatagramBoundIsNotReached() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> processed = new CopyOnWriteArrayList<>();
        byte[] padding = new byte[300];
        // 1,000 bytes hold three 300-byte datagrams (plus their numbers) but not four.
        DatagramReceiver receiver = receiver(loops(true), 1, 1_000, 1_000, (sender, bytes) -> {
            stuck.countDown();
            awaitUninterruptibly(release);
            processed.add(number(bytes));
        });
        try (DatagramSocket s = new DatagramSocket()) {
            send(s, receiver.port(), 0, padding);
            assertTrue(stuck.await(10, TimeUnit.SECONDS));
            for (int i = 1; i <= 10; i++) {
                send(s, receiver.port(), i, padding);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> dropped() == 7);
        } finally {
            release.countDown();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> processed.size() == 4);
        assertEquals(List.of(0, 1, 2, 3), processed);
    }

    @Test
    void aPortAnotherSocketHoldsIsRefusedAlthoughTheListenerSharesItsOwn() throws Exception {
        EventLoops loops = loops(true);
        try (DatagramChannel other = DatagramChannel.open()) {
            other.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            other.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) other.getLocalAddress()).getPort();
            DatagramHandoff handoff = new DatagramHandoff("udp", 1, 8, 1_000, (sender, bytes) -> { }, metrics);
            // Two sockets would join the other's port: the listener must refuse before binding any.
            ListenerException e = assertThrows(ListenerException.class,
                    () -> DatagramReceiver.bind("udp", "127.0.0.1", port, 2, loops, a -> true, handoff, metrics));
            assertTrue(e.getMessage().contains("listeners.udp"), e.getMessage());
        }
    }

    private EventLoops loops(boolean preferNative) {
        EventLoops loops = new EventLoops(1, preferNative);
        open.add(loops);
        return loops;
    }

    private DatagramReceiver receiver(EventLoops loops, int sockets, int maxDatagrams, long maxBytes,
            DatagramHandoff.Processor processor) {
        DatagramHandoff handoff = new DatagramHandoff("udp", sockets, maxDatagrams, maxBytes, processor, metrics);
        DatagramReceiver r = DatagramReceiver.bind("udp", "127.0.0.1", 0, sockets, loops, a -> true, handoff, metrics);
        open.add(r);
        return r;
    }

    private double dropped() {
        var c = registry.find(IngestMetrics.DROPPED.name()).tag("reason", DatagramHandoff.DROP_REASON).counter();
        return c == null ? 0 : c.count();
    }

    /** A sender of its own (one source port: one 4-tuple) sending {@code count} numbered datagrams. */
    private static void send(int port, int count) {
        try (DatagramSocket s = new DatagramSocket()) {
            for (int i = 0; i < count; i++) {
                send(s, port, i);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(DatagramSocket s, int port, int n) throws IOException {
        send(s, port, n, new byte[0]);
    }

    private static void send(DatagramSocket s, int port, int n, byte[] padding) throws IOException {
        byte[] head = (n + " ").getBytes(UTF_8);
        byte[] b = Arrays.copyOf(head, head.length + padding.length);
        System.arraycopy(padding, 0, b, head.length, padding.length);
        s.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), port));
    }

    private static int number(byte[] datagram) {
        String s = new String(datagram, UTF_8);
        return Integer.parseInt(s.substring(0, s.indexOf(' ')));
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
