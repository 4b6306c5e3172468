package io.auditwatch.ingest.transport;

import io.auditwatch.ingest.log.RateLimitedLog;
import io.auditwatch.ingest.pipeline.IngestMetrics;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries datagrams from a UDP listener's receiving threads to its processing threads, so that
 * receiving never waits for parsing, classifying or the way to Kafka: a receiving thread that
 * waited would leave the kernel's buffer to fill, and the kernel drops silently to the sender.
 *
 * <p>Each sender (address and port) is processed by one fixed worker, in the order its datagrams
 * were received. The hand-off is bounded in datagrams and in payload bytes; a datagram that finds
 * it full is dropped at once and counted ({@code auditwatch_messages_dropped_total{reason="udp_handoff_full"}}),
 * with a rate-limited log line.
 */
final class DatagramHandoff implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DatagramHandoff.class);

    /**
     * Datagrams held per listener, all workers together: 65,536 is about one second at 60,000 msgs/s,
     * longer than a full collection of a 512 MiB heap or a burst the kernel buffer would not hold.
     */
    static final int DEFAULT_MAX_DATAGRAMS = 65_536;
    /** Payload bytes held per listener, all workers together: 64 MiB, 65,536 datagrams of 1 KiB. */
    static final long DEFAULT_MAX_BYTES = 64L << 20;
    /** The dropped-messages reason of a datagram that found the hand-off full. */
    static final String DROP_REASON = "udp_handoff_full";
    /** The dropped-messages reason of a datagram still queued when closing gave up waiting. */
    static final String SHUTDOWN_REASON = "udp_shutdown";
    /** Datagrams a worker takes from its queue at once (one lock acquisition). */
    private static final int BATCH = 256;
    /** How long closing waits for the workers to process what they hold. */
    private static final long CLOSE_TIMEOUT_MS = 5_000;

    /** Processes one datagram on a worker thread; must not throw. */
    interface Processor {
        void process(InetSocketAddress sender, byte[] datagram);
    }

    private record Datagram(InetSocketAddress sender, byte[] bytes) {
    }

    /** Tells a worker to stop once it has processed everything queued before it. */
    private static final Datagram STOP = new Datagram(null, new byte[0]);

    private final String name;
    private final long maxBytes;
    private final AtomicLong heldBytes = new AtomicLong();
    private final List<BlockingQueue<Datagram>> queues = new ArrayList<>();
    private final List<Thread> workers = new ArrayList<>();
    private final IngestMetrics metrics;
    private final RateLimitedLog dropLog;
    private final RateLimitedLog errorLog;

    /**
     * @param workers processing threads (at least 1)
     * @param maxDatagrams datagrams held, all workers together (each worker holds an equal share, at least 1)
     * @param maxBytes payload bytes held, all workers together
     */
    DatagramHandoff(String name, int workers, int maxDatagrams, long maxBytes, Processor processor,
            IngestMetrics metrics) {
        this.name = name;
        this.maxBytes = maxBytes;
        this.metrics = metrics;
        this.dropLog = new RateLimitedLog(LOG, "UDP datagrams dropped because listener '" + name
                + "' had " + maxDatagrams + " datagrams or " + maxBytes + " bytes waiting to be processed");
        this.errorLog = new RateLimitedLog(LOG, "UDP datagrams of listener '" + name + "' not stored: processing failed");
        int perWorker = Math.max(1, maxDatagrams / workers);
        for (int i = 0; i < workers; i++) {
            BlockingQueue<Datagram> queue = new ArrayBlockingQueue<>(perWorker);
            Thread t = new Thread(() -> drain(queue, processor), "aw-" + name + "-process-" + i);
            t.setDaemon(true);
            queues.add(queue);
            this.workers.add(t);
        }
        this.workers.forEach(Thread::start);
    }

    /**
     * Queues a datagram for its sender's worker, or drops and counts it when the hand-off is full.
     * Never blocks: called by the receiving threads.
     *
     * @return false when dropped
     */
    boolean offer(InetSocketAddress sender, byte[] datagram) {
        long held = heldBytes.addAndGet(datagram.length);
        if (held <= maxBytes
                && queues.get(shard(sender)).offer(new Datagram(sender, datagram))) {
            return true;
        }
        heldBytes.addAndGet(-datagram.length);
        metrics.dropped(DROP_REASON);
        dropLog.record(held > maxBytes ? "bytes bound" : "datagram bound");
        return false;
    }

    /** The worker of a sender: always the same one, so its datagrams are processed in order. */
    private int shard(InetSocketAddress sender) {
        int h = sender.hashCode();
        return Math.floorMod(h ^ (h >>> 16), queues.size());
    }

    private void drain(BlockingQueue<Datagram> queue, Processor processor) {
        List<Datagram> batch = new ArrayList<>(BATCH);
        try {
            while (true) {
                batch.add(queue.take());
                queue.drainTo(batch, BATCH - 1);
                for (Datagram d : batch) {
                    if (d == STOP) {
                        return;
                    }
                    heldBytes.addAndGet(-d.bytes().length);
                    try {
                        processor.process(d.sender(), d.bytes());
                    } catch (RuntimeException e) {
                        // A processor is written not to throw: this is a bug, reported, not a way to stop the worker.
                        errorLog.record(e.toString());
                    }
                }
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Processes what is queued, then stops the workers; call once nothing receives any more. What a
     * worker has not processed within {@link #CLOSE_TIMEOUT_MS} is dropped and counted
     * ({@link #SHUTDOWN_REASON}).
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_TIMEOUT_MS);
        try {
            for (BlockingQueue<Datagram> q : queues) {
                q.offer(STOP, remainingMs(deadline), TimeUnit.MILLISECONDS);
            }
            for (Thread t : workers) {
                t.join(remainingMs(deadline));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.forEach(Thread::interrupt);
        long left = queues.stream().flatMap(BlockingQueue::stream).filter(d -> d != STOP).count();
        for (long i = 0; i < left; i++) {
            metrics.dropped(SHUTDOWN_REASON);
        }
        if (left > 0) {
            LOG.warn("Listener '{}' closed with {} datagrams not processed within {} ms", name, left, CLOSE_TIMEOUT_MS);
        }
        dropLog.flush();
        errorLog.flush();
    }

    private static long remainingMs(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }
}
