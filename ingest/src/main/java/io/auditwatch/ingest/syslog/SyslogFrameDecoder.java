package io.auditwatch.ingest.syslog;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;
import java.util.Objects;

/**
 * Splits a syslog TCP / TLS byte stream into {@link SyslogFrame}s (RFC 6587, RFC 5425), deciding the
 * framing <em>per frame</em> from its first byte, as Graylog's framing router and Vector do:
 * <ul>
 *   <li>{@code 1}-{@code 9}: octet counting, {@code MSG-LEN SP SYSLOG-MSG}, when the digit run is at most
 *       {@value #MAX_COUNT_DIGITS} digits followed by a space. One trailing LF / CR LF inside the counted
 *       octets is not part of {@code raw} (Docker {@code tcp+tls} counts its LF), and one LF / CR LF
 *       after the counted octets is skipped (rsyslog) because empty lines are skipped anyway. A frame
 *       that counts nothing but a line end ({@code 1 LF}) is skipped like an empty line.
 *       A line that starts with a digit but not with {@code DIGITS SP} ({@code 2024-01-01 boot ok}) is
 *       an LF-framed line; {@code DIGITS SP} with more than {@value #MAX_COUNT_DIGITS} digits is
 *       reported through {@link FramingListener#invalidOctetCount()} and also read as a line.</li>
 *   <li>anything else: non-transparent framing up to the first LF or NUL; a CR before the LF is
 *       stripped ({@link Framing#CRLF}). Empty frames (blank lines, lone trailers) are skipped.</li>
 * </ul>
 * <p>Over-limit frames are never buffered: the first {@code maxMessageSize} bytes are emitted as a
 * {@linkplain SyslogFrame#truncated() truncated} frame, the rest is discarded as it streams in (up to
 * the count, or up to the next LF / NUL), {@link FramingListener#oversized(int)} is told, and the
 * connection goes on. So the cumulation never holds more than {@code maxMessageSize + }
 * {@value #MAX_OVERHEAD} bytes between reads. A message of exactly {@code maxMessageSize} bytes plus its
 * LF / CR LF (as trailer, or counted) is not oversized.
 * <p>At channel close, a pending frame without trailer is emitted as {@link Framing#EOF}; an
 * octet-counted frame whose count was not reached is emitted as a truncated {@code EOF} frame with
 * the bytes that arrived and reported through {@link FramingListener#incompleteAtClose(int, int)}.
 * Note that an octet count that lies (announces more than the sender sends) swallows the following
 * frames of the connection up to the count; RFC 6587 gives a receiver no way to notice that.
 * <p>Frames carry copied {@code byte[]}s, so nothing downstream has to release anything. Not sharable:
 * one instance per connection.
 */
public final class SyslogFrameDecoder extends ByteToMessageDecoder {

    /**
     * Longest accepted octet count. Nine digits bound the count below {@link Integer#MAX_VALUE} and
     * far above any sane maximum; the digit run must be bounded (ingest/README.md, "Receiver rules").
     */
    public static final int MAX_COUNT_DIGITS = 9;

    /**
     * CR LF: a message of {@code maxMessageSize} bytes followed by its line end is not oversized, whether
     * the line end is a trailer or, as with Docker's {@code tcp+tls}, inside the octet count.
     */
    private static final int MAX_LINE_END = 2;

    /**
     * Longest digit run still reported as an invalid octet count when followed by SP; longer runs are
     * just lines. Bounds the wait for the SP; 20-digit counts (a 64-bit length) fall inside it.
     */
    private static final int INVALID_COUNT_LOOKAHEAD = 32;

    /**
     * The most the cumulation holds beyond {@code maxMessageSize} between reads: count digits, SP and
     * CR LF around a counted frame, or a digit run waiting for its SP, whichever is longer.
     */
    static final int MAX_OVERHEAD = Math.max(MAX_COUNT_DIGITS + 1 + MAX_LINE_END, INVALID_COUNT_LOOKAHEAD);

    /** {@link #countPrefixEnd} results other than an index. */
    private static final int NEED_MORE = -1;
    private static final int NOT_COUNTED = -2;

    private final int maxMessageSize;
    private final FramingListener listener;

    /** Counted octets of an oversized frame still to be discarded; 0 when not discarding. */
    private int countedToDiscard;
    /** True while discarding the tail of an oversized non-transparent frame up to its trailer. */
    private boolean discardingLine;
    /**
     * Bytes at the start of the pending non-transparent frame already searched without finding a
     * trailer, or -1 when no line is pending; avoids rescanning (and re-reporting) a line that arrives
     * in small reads.
     */
    private int lineScanned = -1;

    /**
     * @param maxMessageSize the largest message in bytes kept whole, at least 1; ingest/README.md, "Receiver
     *                       rules", asks for at least 64 KiB because of UCP {@code request}-level audit entries
     * @param listener       told about oversized frames and framing errors, for metrics
     */
    public SyslogFrameDecoder(int maxMessageSize, FramingListener listener) {
        if (maxMessageSize < 1) {
            throw new IllegalArgumentException("maxMessageSize must be >= 1: " + maxMessageSize);
        }
        this.maxMessageSize = maxMessageSize;
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (countedToDiscard > 0) {
            int n = Math.min(countedToDiscard, in.readableBytes());
            in.skipBytes(n);
            countedToDiscard -= n;
            return;
        }
        if (discardingLine) {
            int trailer = indexOfTrailer(in, in.readerIndex(), in.writerIndex());
            if (trailer < 0) {
                in.skipBytes(in.readableBytes());
            } else {
                in.readerIndex(trailer + 1);
                discardingLine = false;
            }
            return;
        }
        if (lineScanned < 0) {
            byte first = in.getByte(in.readerIndex());
            if (first >= '1' && first <= '9') {
                int countEnd = countPrefixEnd(in);
                if (countEnd == NEED_MORE) {
                    return;
                }
                if (countEnd >= 0) {
                    decodeCounted(in, countEnd, out);
                    return;
                }
            }
            lineScanned = 0;
        }
        decodeLine(in, out);
    }

    /**
     * Looks for {@code DIGITS SP} at the reader index: returns the index of the SP, {@link #NEED_MORE}
     * when only digits have arrived so far, or {@link #NOT_COUNTED} when this frame is a line.
     */
    private int countPrefixEnd(ByteBuf in) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        int i = start;
        while (i < end && i - start <= MAX_COUNT_DIGITS) {
            byte b = in.getByte(i);
            if (b == ' ') {
                return i;
            }
            if (b < '0' || b > '9') {
                return NOT_COUNTED;
            }
            i++;
        }
        if (i - start <= MAX_COUNT_DIGITS) {
            return NEED_MORE;
        }
        // More digits than any count may have: a line. Report it when it has the shape of a count,
        // waiting (boundedly) for the SP so that the report does not depend on how the bytes were read.
        int j = i;
        while (j < end && j - start < INVALID_COUNT_LOOKAHEAD && in.getByte(j) >= '0' && in.getByte(j) <= '9') {
            j++;
        }
        if (j == end && j - start < INVALID_COUNT_LOOKAHEAD) {
            return NEED_MORE;
        }
        if (j < end && in.getByte(j) == ' ') {
            listener.invalidOctetCount();
        }
        return NOT_COUNTED;
    }

    private void decodeCounted(ByteBuf in, int spaceIndex, List<Object> out) {
        int start = in.readerIndex();
        int count = 0;
        for (int i = start; i < spaceIndex; i++) {
            count = count * 10 + (in.getByte(i) - '0');
        }
        int body = spaceIndex + 1;
        int available = in.writerIndex() - body;
        if (count <= maxMessageSize + MAX_LINE_END) {
            if (available < count) {
                return;
            }
            int length = withoutLineEnd(in, body, count);
            in.readerIndex(body + count);
            if (length > 0) {
                emit(in, body, length, Framing.OCTET_COUNTING, out);
            }
            return;
        }
        if (available < maxMessageSize) {
            return;
        }
        byte[] raw = copy(in, body, maxMessageSize);
        in.readerIndex(body + maxMessageSize);
        countedToDiscard = count - maxMessageSize;
        listener.oversized(count);
        out.add(new SyslogFrame(raw, Framing.OCTET_COUNTING, true, count));
    }

    private void decodeLine(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int window = Math.min(in.readableBytes(), maxMessageSize + MAX_LINE_END);
        int trailer = window > lineScanned ? indexOfTrailer(in, start + lineScanned, start + window) : -1;
        if (trailer < 0) {
            if (window < maxMessageSize + MAX_LINE_END) {
                lineScanned = window;
                return;
            }
            byte[] raw = copy(in, start, maxMessageSize);
            in.skipBytes(window);
            lineScanned = -1;
            discardingLine = true;
            listener.oversized(-1);
            out.add(new SyslogFrame(raw, Framing.LF, true, -1));
            return;
        }
        lineScanned = -1;
        int length = trailer - start;
        Framing framing = Framing.LF;
        if (in.getByte(trailer) == 0) {
            framing = Framing.NUL;
        } else if (length > 0 && in.getByte(trailer - 1) == '\r') {
            framing = Framing.CRLF;
            length--;
        }
        in.readerIndex(trailer + 1);
        if (length == 0) {
            return;
        }
        emit(in, start, length, framing, out);
    }

    private void emit(ByteBuf in, int start, int length, Framing framing, List<Object> out) {
        if (length > maxMessageSize) {
            listener.oversized(length);
            out.add(new SyslogFrame(copy(in, start, maxMessageSize), framing, true, length));
        } else {
            out.add(new SyslogFrame(copy(in, start, length), framing, false, length));
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        // ByteToMessageDecoder has already run decode() over everything: what is left is incomplete.
        int readable = in.readableBytes();
        boolean discarding = countedToDiscard > 0 || discardingLine;
        boolean knownLine = lineScanned >= 0;
        countedToDiscard = 0;
        discardingLine = false;
        lineScanned = -1;
        if (readable == 0) {
            return;
        }
        int start = in.readerIndex();
        if (discarding) {
            in.skipBytes(readable);
            return;
        }
        byte first = in.getByte(start);
        int spaceIndex = !knownLine && first >= '1' && first <= '9' ? countPrefixEnd(in) : NOT_COUNTED;
        if (spaceIndex >= 0) {
            int count = 0;
            for (int i = start; i < spaceIndex; i++) {
                count = count * 10 + (in.getByte(i) - '0');
            }
            int received = in.writerIndex() - spaceIndex - 1;
            listener.incompleteAtClose(count, received);
            if (received > 0) {
                // A count within maxMessageSize + CR LF may leave more than maxMessageSize bytes pending.
                int kept = Math.min(received, maxMessageSize);
                out.add(new SyslogFrame(copy(in, spaceIndex + 1, kept), Framing.EOF, true, count));
            }
            in.skipBytes(readable);
            return;
        }
        int length = readable;
        if (in.getByte(start + length - 1) == '\r') {
            length--;
        }
        in.skipBytes(readable);
        if (length > 0) {
            emit(in, start, length, Framing.EOF, out);
        }
    }

    /**
     * Index of the first non-transparent trailer in {@code [from, to)}, LF or NUL (RFC 6587 section
     * 3.4.2), or -1. Two {@link ByteBuf#indexOf} searches, which Netty runs a word at a time. On 250-byte
     * lines this measured the same as one byte-by-byte {@code forEachByte} looking for both (about 220 ns
     * of CPU per frame either way, CpuTimePerMessage, 2026-11-23, three runs each); kept for long lines
     * (UCP request payloads), where word-at-a-time search should pay off, not measured.
     */
    private static int indexOfTrailer(ByteBuf in, int from, int to) {
        int lf = in.indexOf(from, to, (byte) '\n');
        int nul = in.indexOf(from, lf < 0 ? to : lf, (byte) 0);
        return nul >= 0 ? nul : lf;
    }

    /**
     * Whether part of a frame has arrived and its end has not: bytes held, or the tail of an oversized
     * frame still being discarded. Call on the connection's event loop (the frame deadline does).
     */
    public boolean midFrame() {
        return internalBuffer().isReadable() || countedToDiscard > 0 || discardingLine;
    }

    /** Bytes held in the cumulation between reads; for tests of the buffering bound. */
    int bufferedBytes() {
        return internalBuffer().readableBytes();
    }

    /** {@code length} without one trailing LF or CR LF of the bytes at {@code start}. */
    private static int withoutLineEnd(ByteBuf in, int start, int length) {
        if (length > 0 && in.getByte(start + length - 1) == '\n') {
            length--;
            if (length > 0 && in.getByte(start + length - 1) == '\r') {
                length--;
            }
        }
        return length;
    }

    private static byte[] copy(ByteBuf in, int index, int length) {
        byte[] bytes = new byte[length];
        in.getBytes(index, bytes);
        return bytes;
    }
}
