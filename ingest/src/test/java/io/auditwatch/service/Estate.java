package io.auditwatch.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.common.utils.Utils;

/**
 * Syslog load of an estate for the failover tests: every node on a TCP connection of its own, one
 * RFC 5424 line (octet-counted) every {@link #INTERVAL}, its HOSTNAME the node's name and its last
 * word a sequence number from 0 (what {@link PacedSender#sequence} reads back), so that what
 * arrives can be counted per node. Nodes can be silenced and resumed.
 *
 * <p>TCP syslog has no acknowledgement (RFC 6587): a line is accepted once the collector read it.
 * Each write is preceded by a probe, a read of at most {@value #PROBE_MILLIS} ms (the collector
 * never writes), that tells how the collector ended the connection, if it did:
 * <ul>
 *   <li>closed (FIN, the read returns -1): a socket is closed with a FIN only when it holds no unread
 *       data (RFC 2525, 2.17; Linux), so the collector read every line that arrived before its close.
 *       Only the last line, written after the previous probe found the connection open, may have
 *       arrived after the close; it is sent again.
 *   <li>reset (RST, the read or a write fails): the collector's kernel discarded what it had not read
 *       (ingest/README.md, "TLS, mutual TLS and node identity"), which can be any recent line: every
 *       line written in the last {@link #RESEND_WINDOW} is sent again, and the line whose write failed.
 * </ul>
 * The lines go to the next of the node's instances; lines sent again may arrive twice. Anything
 * else written must have been accepted, and a test may require it in Kafka.
 */
final class Estate implements AutoCloseable {
    /** Four lines a second per node: 80 a second for 20 nodes, load that leaves the 2-core machine to the services. */
    static final Duration INTERVAL = Duration.ofMillis(250);
    /**
     * After a reset, lines written this long before it was found are sent again: four intervals. On
     * loopback the collector reads within milliseconds of a write, and the reset is found at the next
     * line's probe, one interval later.
     */
    static final Duration RESEND_WINDOW = INTERVAL.multipliedBy(4);
    /** How long a probe waits for the collector's FIN or RST: the collector never writes. */
    private static final int PROBE_MILLIS = 1;
    /** A loopback connection is accepted or refused at once; a second means the instance hangs. */
    private static final int CONNECT_MILLIS = 1_000;

    private final ScheduledExecutorService ticks = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "estate-sender");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final AtomicInteger resent = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();
    private final AtomicInteger reset = new AtomicInteger();
    private final String run;

    /**
     * Starts sending for every node at once.
     *
     * @param portsOf the TCP ports a node sends to, in order: the first one first, the next when a
     *     connection to it ends or is refused
     * @param run a word every line carries, to tell this run's lines apart
     */
    Estate(List<String> names, Function<String, List<Integer>> portsOf, String run) {
        this.run = run;
        long offset = 0;
        for (String name : names) {
            Node n = new Node(name, List.copyOf(portsOf.apply(name)));
            nodes.put(name, n);
            // Spread over the interval so that the lines do not arrive in bursts of 20.
            ticks.scheduleAtFixedRate(n::tick, offset, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
            offset += INTERVAL.toMillis() / names.size();
        }
    }

    /**
     * {@code count} node names whose partitions ({@code partitions}, Kafka's default partitioner on
     * the name, as ingest keys events) hold as even a share as possible of them: with 20 nodes on 6
     * partitions every partition has 3 or 4, so every instance that owns a partition owns nodes.
     */
    static List<String> spreadOver(int partitions, int count, String prefix) {
        int most = (count + partitions - 1) / partitions;
        int atMost = count - (most - 1) * partitions; // partitions that may hold the larger share
        int[] held = new int[partitions];
        List<String> names = new ArrayList<>();
        for (int i = 0; names.size() < count; i++) {
            String name = prefix + i + ".lab";
            int p = partition(name, partitions);
            if (held[p] < most - 1 || (held[p] == most - 1 && atMost > 0)) {
                if (held[p] == most - 1) {
                    atMost--;
                }
                held[p]++;
                names.add(name);
            }
        }
        return names;
    }

    /** The partition of {@code node}'s events and liveness summaries. */
    static int partition(String node, int partitions) {
        return Utils.toPositive(Utils.murmur2(node.getBytes(UTF_8))) % partitions;
    }

    void silence(Collection<String> names) {
        names.forEach(n -> nodes.get(n).sending = false);
    }

    void resume(Collection<String> names) {
        names.forEach(n -> nodes.get(n).sending = true);
    }

    /**
     * Stops making lines and waits until every line made has been written, at most {@code atMost}:
     * then {@link #made()} is what was sent.
     */
    void finish(Duration atMost) {
        silence(nodes.keySet());
        await().atMost(atMost).until(() -> unwritten() == 0);
    }

    /** Lines each node has made so far (its sequence numbers are 0 to this minus 1), by node. */
    Map<String, Integer> made() {
        Map<String, Integer> out = new LinkedHashMap<>();
        nodes.forEach((name, n) -> out.put(name, n.made()));
        return out;
    }

    /** Lines not written yet: made, but waiting for a connection. */
    int unwritten() {
        return nodes.values().stream().mapToInt(Node::unwritten).sum();
    }

    /** Lines sent again because their connection ended. */
    int resent() {
        return resent.get();
    }

    /** Connections the collector closed cleanly (FIN), all nodes together. */
    int closed() {
        return closed.get();
    }

    /** Connections the collector reset, or whose write failed, all nodes together. */
    int reset() {
        return reset.get();
    }

    @Override
    public void close() {
        ticks.shutdownNow();
        try {
            ticks.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        nodes.values().forEach(Node::disconnect);
    }

    /** One node: its connection, its next sequence number and what it has to (re)send. */
    private final class Node {
        private final String name;
        private final List<Integer> ports;
        volatile boolean sending = true;
        private int port;
        private Socket socket;
        private int next;
        /** Sequence numbers made but not written, oldest first. */
        private final Deque<Integer> unwritten = new ArrayDeque<>();
        /** What the current connection carried within the resend window: sequence number and nanoTime. */
        private final Deque<long[]> written = new ArrayDeque<>();

        Node(String name, List<Integer> ports) {
            this.name = name;
            this.ports = ports;
        }

        synchronized int made() {
            return next;
        }

        synchronized int unwritten() {
            return unwritten.size();
        }

        synchronized void tick() {
            if (sending) {
                unwritten.addLast(next++);
            }
            // Tries each port at most once a tick: with every instance down it waits for the next tick.
            for (int attempts = 0; !unwritten.isEmpty() && attempts <= ports.size(); ) {
                if (socket == null) {
                    if (!connect()) {
                        attempts++;
                        continue;
                    }
                }
                if (!write(unwritten.peekFirst())) {
                    attempts++;
                    continue;
                }
                unwritten.removeFirst();
            }
        }

        private boolean connect() {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), ports.get(port)), CONNECT_MILLIS);
                s.setSoTimeout(PROBE_MILLIS);
                s.setTcpNoDelay(true);
                socket = s;
                return true;
            } catch (IOException refused) {
                close(s);
                port = (port + 1) % ports.size(); // that instance is down: the next one
                return false;
            }
        }

        /** Writes one line; false, with the connection ended and the lines it may have lost queued again, when it failed. */
        private boolean write(int sequence) {
            try {
                if (!open()) {
                    connectionEnded(false);
                    return false;
                }
                String line = "<14>1 " + Instant.now() + " " + name + " estate - - - " + run + " " + sequence;
                byte[] bytes = line.getBytes(UTF_8);
                OutputStream out = socket.getOutputStream();
                out.write((bytes.length + " " + line).getBytes(UTF_8));
                out.flush();
                long now = System.nanoTime();
                written.addLast(new long[] {sequence, now});
                while (now - written.peekFirst()[1] > RESEND_WINDOW.toNanos()) {
                    written.removeFirst();
                }
                return true;
            } catch (IOException e) {
                connectionEnded(true);
                return false;
            }
        }

        /**
         * False when the collector closed the connection (FIN); throws when it reset it. True when
         * nothing came within the probe's time: the connection is up.
         */
        private boolean open() throws IOException {
            InputStream in = socket.getInputStream();
            try {
                return in.read() >= 0; // the collector never writes: any byte is as good as none
            } catch (SocketTimeoutException up) {
                return true;
            }
        }

        /** Queues again what a closed ({@code reset} false) or reset connection may have lost. */
        private void connectionEnded(boolean reset) {
            List<Integer> again = new ArrayList<>();
            if (reset) {
                Estate.this.reset.incrementAndGet();
                long cutoff = System.nanoTime() - RESEND_WINDOW.toNanos();
                written.stream().filter(w -> w[1] >= cutoff).forEach(w -> again.add((int) w[0]));
            } else {
                closed.incrementAndGet();
                if (!written.isEmpty()) {
                    again.add((int) written.peekLast()[0]);
                }
            }
            for (int i = again.size() - 1; i >= 0; i--) {
                unwritten.addFirst(again.get(i));
            }
            resent.addAndGet(again.size());
            written.clear();
            disconnect();
            port = (port + 1) % ports.size();
        }

        synchronized void disconnect() {
            if (socket != null) {
                close(socket);
                socket = null;
            }
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // a connection that already ended
        }
    }
}
