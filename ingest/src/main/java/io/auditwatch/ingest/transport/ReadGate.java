package io.auditwatch.ingest.transport;

import io.auditwatch.ingest.kafka.EventPublisher;
import io.auditwatch.ingest.kafka.OutboundEvent;
import io.auditwatch.ingest.kafka.PressureListener;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Back-pressure for stream listeners, the last resort when the way to Kafka is full: TCP and TLS
 * connections stop reading (the kernel's buffers and then the sender hold the data) instead of
 * losing accepted messages. Docker's syslog driver in blocking mode then stalls the container's
 * stdout, which is why this only happens when the publisher's queue is nearly full, and why it is
 * counted and logged.
 *
 * <p>Messages already read from a socket when the pause starts are never dropped: they wait here,
 * in arrival order, and go to the publisher first when it has room again.
 *
 * <p><b>Bound.</b> A connection whose message has to wait here stops reading at once; when what waits
 * reaches {@link #MAX_HELD_BYTES} every stream connection stops. A stopped connection still hands on
 * the frames already whole in the bytes it has read: at most one socket read (64 KiB, Netty's
 * adaptive receive buffer maximum) completing at most one partial frame of {@code max-message-size}.
 * So what waits here is at most {@code MAX_HELD_BYTES} plus, per open connection, one read's frames;
 * those bytes were in memory already, in the connection's framer.
 */
public final class ReadGate implements PressureListener {
    private static final Logger LOG = LoggerFactory.getLogger(ReadGate.class);

    /** The publisher's {@link EventPublisher#tryOffer}: takes the event, or refuses without counting. */
    private final Predicate<OutboundEvent> publisher;
    private final ChannelGroup channels = new DefaultChannelGroup("stream-listeners", GlobalEventExecutor.INSTANCE);
    /**
     * 16 MiB of waiting messages (about 50,000 syslog lines of 300 bytes as envelopes, or 16 messages of
     * the largest default size): far more than what stopping every connection leaves in flight, a
     * small part of a 512 MiB heap.
     */
    public static final long MAX_HELD_BYTES = 16L << 20;

    private final ArrayDeque<OutboundEvent> overflow = new ArrayDeque<>();
    /** Bytes of {@link #overflow} ({@link OutboundEvent#sizeInBytes()}); under this object's lock. */
    private long heldBytes;
    private final ExecutorService drainer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "aw-read-gate");
        t.setDaemon(true);
        return t;
    });
    /** Fast path flag: true while anything waits in {@link #overflow} or reads are paused. */
    private volatile boolean holding;

    public ReadGate(EventPublisher publisher) {
        this(publisher::tryOffer);
    }

    ReadGate(Predicate<OutboundEvent> publisher) {
        this.publisher = publisher;
    }

    /** True while stream reads are paused or messages wait here (see {@code IngestMetrics.READS_PAUSED}). */
    public boolean paused() {
        return holding;
    }

    /** Tracks a stream connection so that pauses apply to it. */
    public synchronized void register(Channel ch) {
        channels.add(ch);
        if (holding) {
            ch.config().setAutoRead(false);
        }
    }

    /**
     * Hands one event towards Kafka; never blocks, never drops. Called on event-loop threads.
     *
     * @param source the connection it came from, paused when the event has to wait; null for
     *     events no connection is waiting on (reassembly timeouts)
     */
    public void admit(OutboundEvent event, Channel source) {
        if (!holding && publisher.test(event)) {
            return;
        }
        synchronized (this) {
            if (overflow.isEmpty() && publisher.test(event)) {
                return;
            }
            overflow.addLast(event);
            heldBytes += event.sizeInBytes();
            if (!holding) {
                holding = true;
                LOG.warn("Publisher queue full: stream listeners stop reading until Kafka catches up");
            }
            if (heldBytes >= MAX_HELD_BYTES) {
                pauseAll();
            }
            if (source != null) {
                // Under the lock, like the resume: done after it, this pause would never be lifted
                // (CI saw a TCP sender held for good with an empty queue and nothing held).
                source.config().setAutoRead(false);
            }
        }
    }

    /*
     * Every change of holding and of the connections' autoRead happens under this object's lock, so
     * the last change a connection sees always matches holding: setAutoRead only flips a flag and
     * queues the socket update on the connection's event loop, in the order of the calls.
     */

    @Override
    public synchronized void pause() {
        if (!holding) {
            LOG.warn("Publisher queue above its high watermark: stream listeners stop reading");
        }
        pauseAll();
    }

    private void pauseAll() {
        holding = true;
        for (Channel ch : channels) {
            ch.config().setAutoRead(false);
        }
    }

    @Override
    public void resume() {
        try {
            drainer.execute(this::drainAndResume);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Shutting down: close() hands over what is held; nothing is waiting to resume.
        }
    }

    private synchronized void drainAndResume() {
        while (!overflow.isEmpty()) {
            if (!publisher.test(overflow.peekFirst())) {
                return; // still full: the next resume() tries again
            }
            heldBytes -= overflow.removeFirst().sizeInBytes();
        }
        holding = false;
        for (Channel ch : channels) {
            ch.config().setAutoRead(true);
        }
        LOG.info("Publisher has room again: stream listeners resume reading");
    }

    /** Messages waiting here for room in the publisher queue. */
    public synchronized int held() {
        return overflow.size();
    }

    /** Bytes of the messages waiting here ({@link OutboundEvent#sizeInBytes()}). */
    public synchronized long heldBytes() {
        return heldBytes;
    }

    /** Stops the drainer; what is still held is handed to the publisher one last time. */
    public void close() {
        drainer.shutdown();
        synchronized (this) {
            while (!overflow.isEmpty() && publisher.test(overflow.peekFirst())) {
                heldBytes -= overflow.removeFirst().sizeInBytes();
            }
            if (!overflow.isEmpty()) {
                LOG.error("{} messages read from sockets could not be queued for Kafka at shutdown", overflow.size());
            }
        }
    }
}
