package io.auditwatch.ingest.kafka;

import io.auditwatch.heartbeat.EventHeaders;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Heartbeat's evidence, published only after Kafka acknowledged the events it stands for
 * (ingest/DESIGN.md, Decisions, "Liveness summaries"): so heartbeat reads one small record per key and
 * interval instead of fetching every event again, and liveness still means "stored in Kafka".
 *
 * <p>{@link #acknowledged} (on the producer's I/O thread, for every acknowledged event of the direct and
 * the spooled path alike) folds the event into its key, (node, stream, component, node-source): the
 * latest receive time, the largest event-time lag and a count. An event that carries a rare signal
 * ({@code aw.pulse}, the CIS rule state, an audit change) is not folded: it is forwarded one for one,
 * with every header it had, in acknowledgement order. {@link #flush} (every interval on the caller's
 * thread, or at once when a bound is reached) sends one record per key, keyed by node, with the headers
 * of {@link EventHeaders} and an empty value.
 *
 * <p>Bounds: at most {@link LivenessSettings#maxKeys()} keys and as many signals are held; a flush
 * starts only while fewer than that many records are in flight, so at most three times that many are. Evidence of a new key (or a signal)
 * beyond the bound is dropped and counted ({@code result="dropped"}), never waited for: acknowledgement
 * callbacks never block. A record Kafka does not acknowledge is folded back in and sent with the next
 * flush (only the newest evidence per key is kept), counted as {@code retried}.
 */
final class LivenessSummaries {
    private static final byte[] EMPTY = new byte[0];

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final int maxKeys;
    private final Executor earlyFlush;
    private final KafkaMetrics metrics;
    private final Object lock = new Object();
    private final Object flushLock = new Object();
    private final AtomicInteger inflight = new AtomicInteger();
    private final AtomicBoolean flushRequested = new AtomicBoolean();
    /** Guarded by {@link #lock}. */
    private Map<Key, Summary> open = new HashMap<>();
    /** Guarded by {@link #lock}: acknowledged signals in acknowledgement order. */
    private ArrayDeque<Signal> signals = new ArrayDeque<>();

    /**
     * @param producer the events' own producer ({@code acks=all}, idempotent)
     * @param earlyFlush runs {@link #flush} when a bound is reached, off the acknowledging thread
     */
    LivenessSummaries(Producer<byte[], byte[]> producer, LivenessSettings settings, KafkaMetrics metrics,
            Executor earlyFlush) {
        this.producer = producer;
        this.topic = settings.topic();
        this.maxKeys = settings.maxKeys();
        this.metrics = metrics;
        this.earlyFlush = earlyFlush;
    }

    /** Kafka acknowledged {@code event}: its evidence is held for the next flush. Never blocks. */
    void acknowledged(OutboundEvent event) {
        byte[] node = null;
        byte[] stream = null;
        byte[] received = null;
        byte[] sent = null;
        byte[] component = null;
        byte[] source = null;
        boolean signal = false;
        for (Header h : event.headers()) {
            switch (h.key()) {
                case EventHeaders.NODE -> node = h.value();
                case EventHeaders.STREAM -> stream = h.value();
                case EventHeaders.RECEIVED -> received = h.value();
                case EventHeaders.SENT -> sent = h.value();
                case EventHeaders.COMPONENT -> component = h.value();
                case EventHeaders.NODE_SOURCE -> source = h.value();
                case EventHeaders.PULSE, EventHeaders.CIS_RULES, EventHeaders.AUDIT_CHANGE -> signal = true;
                default -> { }
            }
        }
        long receivedMs = EventHeaders.decodeMillis(received);
        if (signal || node == null || stream == null || receivedMs == Long.MIN_VALUE) {
            // Signals, and records heartbeat would count as invalid, travel as they are.
            addSignal(new Signal(event.key(), event.headers()));
            return;
        }
        long sentMs = EventHeaders.decodeMillis(sent);
        long lag = sentMs == Long.MIN_VALUE ? Long.MIN_VALUE : receivedMs - sentMs;
        fold(new Key(node, stream, component, source), receivedMs, lag, 1);
    }

    private void fold(Key key, long receivedMs, long lagMs, long count) {
        boolean full;
        synchronized (lock) {
            Summary s = open.get(key);
            if (s == null && open.size() < maxKeys) {
                open.put(key, s = new Summary());
            }
            if (s != null) {
                s.add(receivedMs, lagMs, count);
            } else {
                metrics.liveness(KafkaMetrics.LIVENESS_DROPPED).increment();
            }
            full = open.size() >= maxKeys;
        }
        if (full) {
            requestFlush();
        }
    }

    private void addSignal(Signal signal) {
        boolean full;
        synchronized (lock) {
            full = signals.size() >= maxKeys;
            if (!full) {
                signals.add(signal);
            }
        }
        if (full) {
            metrics.liveness(KafkaMetrics.LIVENESS_DROPPED).increment();
            requestFlush();
        }
    }

    private void requestFlush() {
        if (flushRequested.compareAndSet(false, true)) {
            try {
                earlyFlush.execute(this::flush);
            } catch (RejectedExecutionException closing) {
                // The publisher is closing: its final flush sends what is held.
            }
        }
    }

    /**
     * Sends what was acknowledged since the last flush: the signals in order, then one summary per key.
     * Skipped while {@link LivenessSettings#maxKeys()} records are still in flight. May block in
     * {@code Producer.send} (metadata, buffer), never the acknowledging threads.
     */
    void flush() {
        synchronized (flushLock) {
            flushRequested.set(false);
            if (inflight.get() >= maxKeys) {
                return;
            }
            Map<Key, Summary> batch;
            ArrayDeque<Signal> due;
            synchronized (lock) {
                if (open.isEmpty() && signals.isEmpty()) {
                    return;
                }
                batch = open;
                due = signals;
                open = new HashMap<>();
                signals = new ArrayDeque<>();
            }
            for (Signal s : due) {
                send(new ProducerRecord<>(topic, null, s.key(), EMPTY, s.headers()), () -> retry(s));
            }
            for (Map.Entry<Key, Summary> e : batch.entrySet()) {
                Key k = e.getKey();
                Summary s = e.getValue();
                send(new ProducerRecord<>(topic, null, k.node(), EMPTY, k.headers(s)), () -> retry(k, s));
            }
        }
    }

    private void send(ProducerRecord<byte[], byte[]> record, Runnable retry) {
        inflight.incrementAndGet();
        try {
            producer.send(record, (md, e) -> {
                inflight.decrementAndGet();
                if (e == null) {
                    metrics.liveness(KafkaMetrics.LIVENESS_SENT).increment();
                } else {
                    retry.run();
                }
            });
        } catch (RuntimeException e) {
            // Refused before the buffer (closed producer, metadata timeout): kept like a failed delivery.
            inflight.decrementAndGet();
            retry.run();
        }
    }

    private void retry(Signal s) {
        metrics.liveness(KafkaMetrics.LIVENESS_RETRIED).increment();
        boolean kept;
        synchronized (lock) {
            kept = signals.size() < maxKeys;
            if (kept) {
                signals.addFirst(s); // before what was acknowledged after it
            }
        }
        if (!kept) {
            metrics.liveness(KafkaMetrics.LIVENESS_DROPPED).increment();
        }
    }

    private void retry(Key k, Summary s) {
        metrics.liveness(KafkaMetrics.LIVENESS_RETRIED).increment();
        fold(k, s.receivedMs, s.lagMs, s.count);
    }

    /** Keys held now (tests). */
    int heldKeys() {
        synchronized (lock) {
            return open.size();
        }
    }

    /** A coalescing key; the header values are the acknowledged event's own arrays, never modified. */
    private record Key(byte[] node, byte[] stream, byte[] component, byte[] source, int hash) {
        Key(byte[] node, byte[] stream, byte[] component, byte[] source) {
            this(node, stream, component, source, ((Arrays.hashCode(node) * 31 + Arrays.hashCode(stream)) * 31
                    + Arrays.hashCode(component)) * 31 + Arrays.hashCode(source));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && hash == k.hash && Arrays.equals(node, k.node) && Arrays.equals(stream, k.stream)
                    && Arrays.equals(component, k.component) && Arrays.equals(source, k.source);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        /** The summary's headers: the events' contract, plus {@value EventHeaders#COUNT}. */
        List<Header> headers(Summary s) {
            List<Header> h = new ArrayList<>(7);
            h.add(new RecordHeader(EventHeaders.NODE, node));
            h.add(new RecordHeader(EventHeaders.STREAM, stream));
            h.add(new RecordHeader(EventHeaders.RECEIVED, EventHeaders.encodeMillis(s.receivedMs)));
            if (s.lagMs != Long.MIN_VALUE) {
                h.add(new RecordHeader(EventHeaders.SENT, EventHeaders.encodeMillis(s.receivedMs - s.lagMs)));
            }
            if (component != null) {
                h.add(new RecordHeader(EventHeaders.COMPONENT, component));
            }
            if (source != null) {
                h.add(new RecordHeader(EventHeaders.NODE_SOURCE, source));
            }
            h.add(new RecordHeader(EventHeaders.COUNT, EventHeaders.encodeMillis(s.count)));
            return h;
        }
    }

    /** Guarded by the owner's lock. */
    private static final class Summary {
        long receivedMs = Long.MIN_VALUE;
        long lagMs = Long.MIN_VALUE;
        long count;

        void add(long receivedMs, long lagMs, long count) {
            this.receivedMs = Math.max(this.receivedMs, receivedMs);
            this.lagMs = Math.max(this.lagMs, lagMs);
            this.count += count;
        }
    }

    private record Signal(byte[] key, List<Header> headers) {
    }
}
