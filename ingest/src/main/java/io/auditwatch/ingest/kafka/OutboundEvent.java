package io.auditwatch.ingest.kafka;

import org.apache.kafka.common.header.Header;

import java.util.List;
import java.util.Objects;

/**
 * One record for the events topic, ready to send: the envelope's bytes, keyed by node.
 *
 * @param key the node identity (UTF-8); all events of a node share it, so they land in one
 *     partition and keep their order (ingest/DESIGN.md, Decisions). Never null.
 * @param value the serialized envelope. Never null.
 * @param headers the {@code aw.*} headers of {@link io.auditwatch.heartbeat.EventHeaders}, sent as
 *     given; null means none
 * @param acceptedNanos {@link System#nanoTime()} when the listener accepted the message; the publish
 *     latency metric measures from here to Kafka's acknowledgement
 * @param durability told when the event is durable or lost; {@link Durability#NONE} when nobody waits
 */
public record OutboundEvent(byte[] key, byte[] value, List<Header> headers, long acceptedNanos, Durability durability) {

    /**
     * Fixed cost charged per event on top of its bytes: the record, its arrays' headers and the
     * queue node (about 100 bytes on a 64-bit JVM with compressed oops), rounded up so that a flood
     * of tiny events cannot hold far more memory than the configured bound.
     */
    static final int OVERHEAD_BYTES = 128;

    /** Fixed cost per header: the RecordHeader object and its key String. */
    static final int HEADER_OVERHEAD_BYTES = 48;

    public OutboundEvent {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        headers = headers == null ? List.of() : List.copyOf(headers);
        durability = durability == null ? Durability.NONE : durability;
    }

    /** An event nobody waits for. */
    public OutboundEvent(byte[] key, byte[] value, List<Header> headers, long acceptedNanos) {
        this(key, value, headers, acceptedNanos, Durability.NONE);
    }

    /** The same event, reporting to {@code d}. */
    public OutboundEvent withDurability(Durability d) {
        return new OutboundEvent(key, value, headers, acceptedNanos, d);
    }

    /** Bytes this event holds while queued or in flight; what the publisher's memory bound counts. */
    public long sizeInBytes() {
        long size = OVERHEAD_BYTES + key.length + value.length;
        for (Header h : headers) {
            size += HEADER_OVERHEAD_BYTES + h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        return size;
    }
}
