package io.auditwatch.ingest.gelf;

import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Joins chunked GELF UDP datagrams (GELF specification, "Chunking"): each chunk starts with the magic
 * bytes {@code 1e 0f}, an 8-byte message id, its sequence number and the sequence count; the message is
 * whole when every number below the count has arrived, in any order. Messages are keyed by sender and
 * id, so two senders cannot complete or spoil each other's messages.
 *
 * <p>Bounded: a message of more than {@value #MAX_CHUNKS} chunks is refused (the specification's
 * limit), a message is dropped when its chunks pass the message size bound, and when more messages
 * or bytes are held than allowed the oldest is dropped. Incomplete messages are dropped after the
 * timeout. Every drop is reported to the {@link DropListener}; duplicates of a chunk are ignored.
 *
 * <p>Thread-safe (methods synchronise on the instance; the UDP event loop offers, a timer expires).
 * Time comes from the caller.
 */
public final class GelfChunkAssembler {
    /** Chunk magic bytes {@code 0x1e 0x0f}. */
    static final int MAGIC_0 = 0x1e;
    static final int MAGIC_1 = 0x0f;
    /** Magic (2), message id (8), sequence number (1), sequence count (1). */
    public static final int HEADER_BYTES = 12;
    /** "A message MUST NOT consist of more than 128 chunks" (GELF specification). */
    public static final int MAX_CHUNKS = 128;
    /** "All chunks MUST arrive within 5 seconds" (GELF specification). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** Messages held at once: far more than the concurrently chunking containers of a large estate. */
    public static final int DEFAULT_MAX_PENDING_MESSAGES = 4096;
    /** Bytes held by incomplete messages, all together. */
    public static final long DEFAULT_MAX_PENDING_BYTES = 64L << 20;

    /** Told about every message dropped; called under the assembler's lock, so it must be quick. */
    public interface DropListener {
        void dropped(GelfError reason, int chunksHeld);
    }

    private record Key(SocketAddress sender, long id) {
    }

    private static final class Pending {
        final byte[][] chunks;
        int received;
        long bytes;
        Instant firstAt;

        Pending(int count, Instant now) {
            chunks = new byte[count][];
            firstAt = now;
        }
    }

    private final Duration timeout;
    private final int maxMessageBytes;
    private final int maxPendingMessages;
    private final long maxPendingBytes;
    private final DropListener drops;
    /** Insertion order = age order. */
    private final Map<Key, Pending> pending = new LinkedHashMap<>();
    private long pendingBytes;

    /**
     * @param maxMessageBytes most bytes one message's chunks may hold together
     */
    public GelfChunkAssembler(Duration timeout, int maxMessageBytes, int maxPendingMessages, long maxPendingBytes,
            DropListener drops) {
        if (timeout.isNegative() || timeout.isZero() || maxMessageBytes < 1 || maxPendingMessages < 1
                || maxPendingBytes < maxMessageBytes) {
            throw new IllegalArgumentException("bad chunk bounds: " + timeout + ", " + maxMessageBytes + ", "
                    + maxPendingMessages + ", " + maxPendingBytes);
        }
        this.timeout = timeout;
        this.maxMessageBytes = maxMessageBytes;
        this.maxPendingMessages = maxPendingMessages;
        this.maxPendingBytes = maxPendingBytes;
        this.drops = Objects.requireNonNull(drops, "drops");
    }

    /** Whether a datagram is a chunk (starts with the magic bytes); anything else is a whole payload. */
    public static boolean isChunk(byte[] datagram) {
        return datagram.length >= 2 && (datagram[0] & 0xff) == MAGIC_0 && (datagram[1] & 0xff) == MAGIC_1;
    }

    /**
     * Offers one chunk.
     *
     * @return the whole payload when this chunk completed its message, else null
     * @throws GelfException BAD_CHUNK or CHUNK_COUNT_CHANGED for this chunk (nothing else is dropped),
     *     TOO_LARGE when this chunk took its message past the size bound (the message is dropped)
     */
    public synchronized byte[] offer(SocketAddress sender, byte[] chunk, Instant now) throws GelfException {
        if (chunk.length <= HEADER_BYTES) {
            throw new GelfException(GelfError.BAD_CHUNK, "a chunk of " + chunk.length + " bytes");
        }
        int seq = chunk[10] & 0xff;
        int count = chunk[11] & 0xff;
        if (count == 0 || count > MAX_CHUNKS || seq >= count) {
            throw new GelfException(GelfError.BAD_CHUNK, "chunk " + seq + " of " + count);
        }
        long id = java.nio.ByteBuffer.wrap(chunk, 2, 8).getLong();
        Key key = new Key(Objects.requireNonNull(sender, "sender"), id);
        Pending p = pending.get(key);
        if (p == null) {
            if (count == 1) {
                return java.util.Arrays.copyOfRange(chunk, HEADER_BYTES, chunk.length);
            }
            while (!pending.isEmpty() && (pending.size() >= maxPendingMessages
                    || pendingBytes + chunk.length > maxPendingBytes)) {
                drop(pending.keySet().iterator().next(), GelfError.CHUNKS_EVICTED);
            }
            p = new Pending(count, now);
            pending.put(key, p);
        } else if (p.chunks.length != count) {
            throw new GelfException(GelfError.CHUNK_COUNT_CHANGED, "count " + count + " after " + p.chunks.length);
        }
        if (p.chunks[seq] != null) {
            return null;
        }
        int payload = chunk.length - HEADER_BYTES;
        if (p.bytes + payload > maxMessageBytes) {
            drop(key, null);
            throw new GelfException(GelfError.TOO_LARGE, "chunks past " + maxMessageBytes + " bytes");
        }
        p.chunks[seq] = java.util.Arrays.copyOfRange(chunk, HEADER_BYTES, chunk.length);
        p.received++;
        p.bytes += payload;
        pendingBytes += payload;
        if (p.received < count) {
            return null;
        }
        remove(key);
        byte[] whole = new byte[(int) p.bytes];
        int at = 0;
        for (byte[] c : p.chunks) {
            System.arraycopy(c, 0, whole, at, c.length);
            at += c.length;
        }
        return whole;
    }

    /** Drops every message whose first chunk is at least the timeout older than {@code now}. */
    public synchronized void expire(Instant now) {
        Iterator<Map.Entry<Key, Pending>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Pending> e = it.next();
            if (!e.getValue().firstAt.plus(timeout).isAfter(now)) {
                it.remove();
                pendingBytes -= e.getValue().bytes;
                drops.dropped(GelfError.CHUNKS_TIMED_OUT, e.getValue().received);
            }
        }
    }

    /** Messages waiting for chunks (a gauge). */
    public synchronized int pendingMessages() {
        return pending.size();
    }

    /** Chunk bytes held (a gauge). */
    public synchronized long pendingBytes() {
        return pendingBytes;
    }

    private Pending remove(Key key) {
        Pending p = pending.remove(key);
        pendingBytes -= p.bytes;
        return p;
    }

    private void drop(Key key, GelfError reason) {
        Pending p = remove(key);
        if (reason != null) {
            drops.dropped(reason, p.received);
        }
    }
}
