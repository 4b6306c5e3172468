package io.auditwatch.ingest.spool;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Paced syslog senders over TCP for the fault tests: connection {@code s} sends RFC 5424 messages
 * (LF-framed, as rsyslog's omfwd does) from host {@code spool-node-s}, each carrying
 * {@code awseq s=<s> n=<n>} with a sequence number per connection, so the test finds every message
 * in the topic. A message counts as sent once the socket write holding it returned.
 */
final class SyslogLoad implements AutoCloseable {
    static final Pattern SEQ = Pattern.compile("awseq s=(\\d+) n=(\\d+)");

    /** Writes happen every 5 ms: a paced sender, not a burst every second. */
    static final long TICK_NANOS = 5_000_000;

    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLongArray sent;
    private final AtomicLongArray failed;
    private volatile boolean stop;
    private final long started = System.nanoTime();

    /**
     * @param ratePerSecond total messages per second over all connections; 0 sends as fast as the
     *     sockets take them
     */
    SyslogLoad(int port, int connections, int ratePerSecond, int padding) {
        sent = new AtomicLongArray(connections);
        failed = new AtomicLongArray(connections);
        for (int s = 0; s < connections; s++) {
            int id = s;
            double perConnection = ratePerSecond / (double) connections;
            Thread t = new Thread(() -> send(port, id, perConnection, padding), "syslog-load-" + s);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    static byte[] message(int s, long n, int padding) {
        String m = "<14>1 2026-11-23T18:00:00.000Z spool-node-" + s + " awtest - - - awseq s=" + s + " n=" + n + " "
                + "x".repeat(padding) + "\n";
        return m.getBytes(StandardCharsets.US_ASCII);
    }

    private void send(int port, int s, double perSecond, int padding) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            long n = 0;
            while (!stop) {
                long target = perSecond <= 0 ? n + 100
                        : (long) ((System.nanoTime() - started) / 1e9 * perSecond);
                long from = n;
                while (n < target && !stop) {
                    out.write(message(s, n, padding));
                    n++;
                }
                out.flush();
                sent.set(s, n);
                if (n == from || perSecond > 0) {
                    LockSupport.parkNanos(TICK_NANOS);
                }
            }
        } catch (IOException e) {
            failed.set(s, 1);
        }
    }

    long sent(int s) {
        return sent.get(s);
    }

    long totalSent() {
        long t = 0;
        for (int i = 0; i < sent.length(); i++) {
            t += sent.get(i);
        }
        return t;
    }

    int connections() {
        return sent.length();
    }

    boolean failed(int s) {
        return failed.get(s) == 1;
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        for (Thread t : threads) {
            t.join(10_000);
        }
    }

    /** (connection, sequence) of a topic record from these senders, or null. */
    static long[] seqOf(byte[] value) {
        Matcher m = SEQ.matcher(new String(value, StandardCharsets.ISO_8859_1));
        return m.find() ? new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))} : null;
    }

    /** What a topic holds of these senders' messages, in offset order per node. */
    static final class Seen {
        final Map<Integer, List<Long>> byConnection = new HashMap<>();
        final List<String> duplicates = new ArrayList<>();
        final List<String> reordered = new ArrayList<>();
        private final Map<Integer, java.util.BitSet> seen = new HashMap<>();
        private final Map<Integer, Long> max = new HashMap<>();

        private int consumed;

        static Seen of(List<ConsumerRecord<byte[], byte[]>> records) {
            Seen s = new Seen();
            s.update(records);
            return s;
        }

        /** Takes in the records of a growing list that were not seen yet. */
        Seen update(List<ConsumerRecord<byte[], byte[]>> records) {
            for (; consumed < records.size(); consumed++) {
                ConsumerRecord<byte[], byte[]> r = records.get(consumed);
                long[] q = seqOf(r.value());
                if (q != null) {
                    add((int) q[0], q[1], r.partition(), r.offset());
                }
            }
            return this;
        }

        private void add(int c, long n, int partition, long offset) {
            java.util.BitSet bits = seen.computeIfAbsent(c, k -> new java.util.BitSet());
            if (bits.get((int) n)) {
                duplicates.add("s=" + c + " n=" + n + " again at partition " + partition + " offset " + offset);
                return;
            }
            bits.set((int) n);
            long m = max.getOrDefault(c, -1L);
            if (n < m) {
                reordered.add("s=" + c + " n=" + n + " after n=" + m + " (partition " + partition + " offset " + offset + ")");
            }
            max.put(c, Math.max(m, n));
            byConnection.computeIfAbsent(c, k -> new ArrayList<>()).add(n);
        }

        boolean has(int c, long n) {
            java.util.BitSet bits = seen.get(c);
            return bits != null && bits.get((int) n);
        }

        /** Sequence numbers below {@code sent} that are missing for connection {@code c}. */
        List<Long> missing(int c, long sent) {
            List<Long> out = new ArrayList<>();
            for (long n = 0; n < sent; n++) {
                if (!has(c, n)) {
                    out.add(n);
                }
            }
            return out;
        }

        long distinct() {
            return seen.values().stream().mapToLong(java.util.BitSet::cardinality).sum();
        }
    }
}
