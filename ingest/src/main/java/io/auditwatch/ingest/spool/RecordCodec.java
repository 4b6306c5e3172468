package io.auditwatch.ingest.spool;

import io.auditwatch.ingest.kafka.OutboundEvent;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The bytes of one spooled record. A frame is
 * {@code magic(4) | payload length(4) | CRC32C(4) of length and payload | payload}, all big-endian;
 * the payload is
 * {@code append time ms(8) | key length(4) key | header count(2) [name length(2) name(UTF-8) |
 * value length(4, -1 for null) value]* | value length(4) value}: the Kafka record's key, headers and
 * value exactly as they will be sent, so a replayed record is byte-identical to the first attempt
 * (the envelope's event id lets consumers drop the duplicate).
 *
 * <p>The magic lets a reader find the next record after corrupted bytes; the CRC covers the length,
 * so a damaged length is caught rather than followed.
 */
final class RecordCodec {
    /** "AWS1": auditwatch spool, format 1. */
    static final int MAGIC = 0x41575331;

    static final int HEADER_BYTES = 12;

    /**
     * Payloads above 16 MiB are not ours: the listeners cap a message at 64 KiB by default (an
     * envelope about three times that), so a larger length can only be corruption.
     */
    static final int MAX_PAYLOAD_BYTES = 16 << 20;

    private RecordCodec() {
    }

    /** Bytes the frame of {@code event} takes on disk. */
    static int framedSize(OutboundEvent event) {
        return HEADER_BYTES + payloadSize(event);
    }

    private static int payloadSize(OutboundEvent event) {
        int size = 8 + 4 + event.key().length + 2 + 4 + event.value().length;
        for (Header h : event.headers()) {
            size += 2 + h.key().getBytes(StandardCharsets.UTF_8).length + 4 + (h.value() == null ? 0 : h.value().length);
        }
        return size;
    }

    /** Writes the whole frame of {@code event} at {@code out}'s position. */
    static void encode(OutboundEvent event, long appendMillis, ByteBuffer out) {
        int start = out.position();
        int length = payloadSize(event);
        out.putInt(MAGIC).putInt(length).putInt(0);
        int payloadStart = out.position();
        out.putLong(appendMillis);
        out.putInt(event.key().length).put(event.key());
        out.putShort((short) event.headers().size());
        for (Header h : event.headers()) {
            byte[] name = h.key().getBytes(StandardCharsets.UTF_8);
            out.putShort((short) name.length).put(name);
            if (h.value() == null) {
                out.putInt(-1);
            } else {
                out.putInt(h.value().length).put(h.value());
            }
        }
        out.putInt(event.value().length).put(event.value());
        out.putInt(start + 8, crc(length, out.duplicate().position(payloadStart).limit(out.position())));
    }

    /** The CRC32C a frame carries for a payload of {@code length} bytes. */
    static int crc(int length, ByteBuffer payload) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(4).putInt(0, length));
        crc.update(payload);
        return (int) crc.getValue();
    }

    /**
     * Reads a payload whose CRC matched.
     *
     * @param acceptedNanos the {@link OutboundEvent#acceptedNanos()} to give the event back
     * @throws IllegalArgumentException when the payload is not a record of this format
     */
    static Decoded decode(ByteBuffer payload, long acceptedNanos) {
        try {
            long appendMillis = payload.getLong();
            byte[] key = bytes(payload, payload.getInt());
            int headerCount = Short.toUnsignedInt(payload.getShort());
            List<Header> headers = new ArrayList<>(headerCount);
            for (int i = 0; i < headerCount; i++) {
                String name = new String(bytes(payload, Short.toUnsignedInt(payload.getShort())), StandardCharsets.UTF_8);
                int valueLength = payload.getInt();
                headers.add(new RecordHeader(name, valueLength == -1 ? null : bytes(payload, valueLength)));
            }
            byte[] value = bytes(payload, payload.getInt());
            if (payload.hasRemaining()) {
                throw new IllegalArgumentException(payload.remaining() + " bytes after the value");
            }
            return new Decoded(appendMillis, new OutboundEvent(key, value, headers, acceptedNanos));
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("payload ends inside a field", e);
        }
    }

    private static byte[] bytes(ByteBuffer b, int length) {
        if (length < 0 || length > b.remaining()) {
            throw new IllegalArgumentException("field length " + length + " with " + b.remaining() + " bytes left");
        }
        byte[] out = new byte[length];
        b.get(out);
        return out;
    }

    /** A record read back: when it was appended (wall clock, ms) and the event. */
    record Decoded(long appendMillis, OutboundEvent event) {
    }
}
