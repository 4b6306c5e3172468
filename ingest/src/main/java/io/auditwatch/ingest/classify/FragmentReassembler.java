package io.auditwatch.ingest.classify;

import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Joins the pieces of container lines that Docker cut at 16 KiB (ingest/README.md, "Docker's syslog log driver").
 *
 * <p>Docker's copier ({@code daemon/logger/copier.go}) reads a container's output into a 16384-byte
 * buffer; when the buffer fills without a newline it sends the buffer as one message and goes on
 * with the rest of the line, whose last piece is shorter, and <em>empty</em> when the line length
 * is an exact multiple of 16384. The syslog driver drops the "partial" flag, so the only signal is
 * the length: a piece whose MSG is exactly {@value #DOCKER_PIECE_BYTES} bytes (after the framer
 * stripped the {@code \n} Docker appended) starts or continues a group; the next message with the
 * same key and fewer bytes completes it. Key: (TCP/TLS connection, tag), or (sender address, tag)
 * for UDP: Docker sends one line's pieces back to back on one connection, and the tag names the
 * container.
 *
 * <p>Refinement for JSON (UCP {@code request}-level entries are the lines that get cut): a group
 * whose bytes so far form one closed JSON value waits only for the empty remainder; a non-empty
 * next message is then a new line, and the group is emitted as it is instead of swallowing it.
 *
 * <p>Limits: a group older than the timeout since its last piece is emitted as it is
 * ({@link Outcome#TIMEOUT}); a group that would grow past the size cap is emitted
 * ({@link Outcome#SIZE_CAP}); past the pending-group or pending-byte cap the oldest group is
 * emitted ({@link Outcome#EVICTED}). Nothing is dropped: every piece's raw bytes come out exactly
 * once. UDP can reorder or lose datagrams; pieces are joined in arrival order and a lost piece
 * leaves a gap that only the timeout or the next message ends. A line of exactly 16384 bytes from
 * a sender other than Docker waits for the next message or the timeout.
 *
 * <p>Thread-safe (methods synchronise on the instance; listeners call it per message, a timer
 * calls {@link #expire}). Time comes from the caller, so tests drive it with a manual clock.
 */
public final class FragmentReassembler {

    /** Docker's copier buffer, {@code defaultBufSize = 16 * 1024} in moby daemon/logger/copier.go. */
    public static final int DOCKER_PIECE_BYTES = 16 * 1024;
    /**
     * Docker writes a line's pieces back to back within microseconds; two seconds covers a stalled
     * event loop or a GC pause without holding an incomplete group long enough to matter to an
     * operator reading the event.
     */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /**
     * Largest joined MSG: 64 pieces; the largest text {@link JsonLimits} parses. The joined raw bytes
     * are bounded too ({@link #maxReassembledRawBytes}).
     */
    public static final int DEFAULT_MAX_REASSEMBLED_BYTES = 1 << 20;
    /**
     * Largest joined raw bytes (the pieces with their headers), for a joined MSG of
     * {@code maxReassembledBytes}: a sixteenth more, 1 KiB of header per 16 KiB piece (Docker's syslog
     * headers are under 200 bytes, its fluentd entries' fields a few hundred). Bounds the envelope
     * of a reassembled line (ingest/README.md, "The envelope": size budget).
     */
    public static int maxReassembledRawBytes(int maxReassembledBytes) {
        return maxReassembledBytes + maxReassembledBytes / 16;
    }

    /** Pending groups at once: one per (connection, container) writing a long line right now. */
    public static final int DEFAULT_MAX_PENDING_GROUPS = 1024;
    /** Memory held by pending groups, all together: 64 full-size groups. */
    public static final long DEFAULT_MAX_PENDING_BYTES = 64L << 20;

    /** How a unit came out of the reassembler; a closed set for metric labels. */
    public enum Outcome {
        /** Not a fragment: passed through unchanged. */
        SINGLE,
        /** Two or more pieces joined; the last was shorter than 16384 bytes (or the JSON closed). */
        REASSEMBLED,
        /** Emitted incomplete: no further piece within the timeout. */
        TIMEOUT,
        /** Emitted incomplete: the next piece would have passed the size cap. */
        SIZE_CAP,
        /** Emitted incomplete: the oldest group, to stay within the pending caps. */
        EVICTED,
        /** Emitted incomplete: its connection closed. */
        CONNECTION_CLOSED,
        /**
         * Emitted incomplete: a message longer than {@value #DOCKER_PIECE_BYTES} bytes, which no
         * Docker piece can be, arrived on its key (another sender sharing the tag).
         */
        INTERRUPTED
    }

    /**
     * One message for the classifier and the envelope.
     *
     * @param connectionId the connection the pieces came on ({@code 0} for UDP)
     * @param sender the UDP sender, or null for connection-oriented transports
     * @param tag the tag the pieces shared (may be null)
     * @param rawPieces every piece's raw syslog message, in arrival order; the envelope keeps them all
     * @param msg the joined MSG bytes (pieces are cut at byte, not character, boundaries: decode the
     *     joined bytes, never the pieces)
     * @param outcome how it came out
     */
    public record Reassembled(long connectionId, SocketAddress sender, String tag, List<byte[]> rawPieces,
                              byte[] msg, Outcome outcome) {
        public Reassembled {
            rawPieces = List.copyOf(rawPieces);
        }

        /** Number of pieces joined (1 for a single message). */
        public int pieces() {
            return rawPieces.size();
        }
    }

    private record Key(long connectionId, SocketAddress sender, String tag) {
    }

    private static final class Group {
        final Key key;
        final List<byte[]> raws = new ArrayList<>();
        final List<byte[]> msgs = new ArrayList<>();
        final JsonBalance json = new JsonBalance();
        long bytes;
        long rawBytes;
        Instant lastPieceAt;

        Group(Key key) {
            this.key = key;
        }

        void add(byte[] raw, byte[] msg, Instant now) {
            raws.add(raw);
            msgs.add(msg);
            json.feed(msg);
            bytes += msg.length;
            rawBytes += raw.length;
            lastPieceAt = now;
        }

        Reassembled emit(Outcome outcome) {
            byte[] joined = new byte[(int) bytes];
            int at = 0;
            for (byte[] m : msgs) {
                System.arraycopy(m, 0, joined, at, m.length);
                at += m.length;
            }
            return new Reassembled(key.connectionId, key.sender, key.tag, raws, joined, outcome);
        }
    }

    private final Duration timeout;
    private final int maxReassembledBytes;
    private final int maxPendingGroups;
    private final long maxPendingBytes;
    /** Insertion order = age order, so the first entry is the one to evict. */
    private final Map<Key, Group> pending = new LinkedHashMap<>();
    private long pendingBytes;

    /** A reassembler with the default timeout and caps. */
    public FragmentReassembler() {
        this(DEFAULT_TIMEOUT, DEFAULT_MAX_REASSEMBLED_BYTES, DEFAULT_MAX_PENDING_GROUPS, DEFAULT_MAX_PENDING_BYTES);
    }

    /**
     * @param timeout how long a group waits for its next piece; positive
     * @param maxReassembledBytes largest joined MSG in bytes; at least {@value #DOCKER_PIECE_BYTES}
     * @param maxPendingGroups groups held at once; positive
     * @param maxPendingBytes bytes held by all groups together; at least {@code maxReassembledBytes}
     */
    public FragmentReassembler(Duration timeout, int maxReassembledBytes, int maxPendingGroups,
                               long maxPendingBytes) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if (maxReassembledBytes < DOCKER_PIECE_BYTES) {
            throw new IllegalArgumentException("maxReassembledBytes below one piece: " + maxReassembledBytes);
        }
        if (maxPendingGroups < 1 || maxPendingBytes < maxReassembledBytes) {
            throw new IllegalArgumentException("pending caps too small: " + maxPendingGroups + " groups, "
                    + maxPendingBytes + " bytes");
        }
        this.timeout = timeout;
        this.maxReassembledBytes = maxReassembledBytes;
        this.maxPendingGroups = maxPendingGroups;
        this.maxPendingBytes = maxPendingBytes;
    }

    /**
     * Offers one message received on a TCP or TLS connection.
     *
     * @param tag the syslog APP-NAME / TAG, or null
     * @param rawMessage the whole syslog message as received (kept, not read)
     * @param msgBytes the MSG part's bytes, trailing {@code \n} already stripped
     * @param now the receive time
     * @return the units now complete, in order: empty when this piece is held; may include other
     *     keys' groups evicted to make room
     */
    public synchronized List<Reassembled> offer(long connectionId, String tag, byte[] rawMessage,
                                                byte[] msgBytes, Instant now) {
        return offer(new Key(connectionId, null, tag), rawMessage, msgBytes, now);
    }

    /** As {@link #offer(long, String, byte[], byte[], Instant)} for a UDP datagram from {@code sender}. */
    public synchronized List<Reassembled> offerDatagram(SocketAddress sender, String tag, byte[] rawMessage,
                                                        byte[] msgBytes, Instant now) {
        return offer(new Key(0, Objects.requireNonNull(sender, "sender"), tag), rawMessage, msgBytes, now);
    }

    private List<Reassembled> offer(Key key, byte[] raw, byte[] msg, Instant now) {
        Objects.requireNonNull(raw, "rawMessage");
        Objects.requireNonNull(msg, "msgBytes");
        List<Reassembled> out = new ArrayList<>(1);
        Group g = pending.get(key);
        if (g != null) {
            if (msg.length > DOCKER_PIECE_BYTES) {
                out.add(remove(g).emit(Outcome.INTERRUPTED));
            } else if (g.json.closed() && msg.length > 0) {
                // The JSON closed at a piece boundary and this is not the empty remainder: a new line.
                out.add(remove(g).emit(Outcome.REASSEMBLED));
            } else if (g.bytes + msg.length > maxReassembledBytes
                    || g.rawBytes + raw.length > maxReassembledRawBytes(maxReassembledBytes)) {
                out.add(remove(g).emit(Outcome.SIZE_CAP));
            } else {
                g.add(raw, msg, now);
                pendingBytes += msg.length;
                if (msg.length < DOCKER_PIECE_BYTES) {
                    out.add(remove(g).emit(Outcome.REASSEMBLED));
                }
                return out;
            }
        }
        if (msg.length != DOCKER_PIECE_BYTES) {
            out.add(new Reassembled(key.connectionId, key.sender, key.tag, List.of(raw), msg, Outcome.SINGLE));
            return out;
        }
        while (!pending.isEmpty()
                && (pending.size() >= maxPendingGroups || pendingBytes + msg.length > maxPendingBytes)) {
            out.add(remove(pending.values().iterator().next()).emit(Outcome.EVICTED));
        }
        Group fresh = new Group(key);
        fresh.add(raw, msg, now);
        pending.put(key, fresh);
        pendingBytes += msg.length;
        return out;
    }

    /**
     * Emits every group whose last piece is at least the timeout older than {@code now}. Call it
     * from a timer (every {@code timeout / 2} keeps the extra delay below half the timeout).
     */
    public synchronized List<Reassembled> expire(Instant now) {
        List<Reassembled> out = new ArrayList<>();
        Iterator<Group> it = pending.values().iterator();
        while (it.hasNext()) {
            Group g = it.next();
            if (!g.lastPieceAt.plus(timeout).isAfter(now)) {
                it.remove();
                pendingBytes -= g.bytes;
                // A closed JSON value only missed its empty remainder: its content is whole.
                out.add(g.emit(g.json.closed() ? Outcome.REASSEMBLED : Outcome.TIMEOUT));
            }
        }
        return out;
    }

    /** Emits the groups of a TCP/TLS connection that closed: no further piece can come. */
    public synchronized List<Reassembled> closeConnection(long connectionId) {
        List<Reassembled> out = new ArrayList<>();
        Iterator<Group> it = pending.values().iterator();
        while (it.hasNext()) {
            Group g = it.next();
            if (g.key.sender == null && g.key.connectionId == connectionId) {
                it.remove();
                pendingBytes -= g.bytes;
                out.add(g.emit(Outcome.CONNECTION_CLOSED));
            }
        }
        return out;
    }

    /** Groups waiting for more pieces (a gauge). */
    public synchronized int pendingGroups() {
        return pending.size();
    }

    /** MSG bytes held by waiting groups (a gauge). */
    public synchronized long pendingBytes() {
        return pendingBytes;
    }

    public Duration timeout() {
        return timeout;
    }

    private Group remove(Group g) {
        pending.remove(g.key);
        pendingBytes -= g.bytes;
        return g;
    }
}
