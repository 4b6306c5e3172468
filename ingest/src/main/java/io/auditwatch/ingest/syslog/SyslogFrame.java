package io.auditwatch.ingest.syslog;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One syslog message's bytes as they were framed, before any parsing.
 *
 * <p>{@code raw} holds the message exactly as received, without the framing: no octet-count prefix,
 * no LF / CR LF / NUL trailer. For {@link Framing#OCTET_COUNTING} it holds the counted octets minus
 * one trailing LF or CR LF when present: Docker's {@code tcp+tls} framer counts the LF that its
 * writer appends ({@code fmt.Sprintf("%d %s", len(in), in)} over a message ending in {@code \n}),
 * and that LF is framing residue, not message content. An LF inside the counted octets
 * (multi-line message) is kept. The array is not copied: do not modify it.
 *
 * @param raw            the message bytes, never null, at most the decoder's {@code maxMessageSize} long
 * @param framing        how the frame was delimited
 * @param truncated      true when the message was longer than the maximum and {@code raw} holds only
 *                       its first {@code maxMessageSize} bytes; also for an octet-counted frame cut
 *                       short by the connection closing
 * @param originalLength the full length in bytes without framing when the frame was seen whole (so
 *                       {@code raw.length} when not truncated); the announced octet count, a trailing LF
 *                       included, when the tail of an octet-counted frame was discarded while streaming
 *                       (or never arrived before close); -1 when unknown because the tail of a
 *                       non-transparent frame was discarded while streaming
 */
public record SyslogFrame(byte[] raw, Framing framing, boolean truncated, int originalLength) {

    public SyslogFrame {
        Objects.requireNonNull(raw, "raw");
        Objects.requireNonNull(framing, "framing");
        if (originalLength < -1) {
            throw new IllegalArgumentException("originalLength must be >= -1: " + originalLength);
        }
    }

    /**
     * Frames one UDP / unixgram datagram: one datagram is one message (RFC 5426 section 3.1). One
     * trailing LF, CR LF or NUL is stripped (Docker's writer appends LF); nothing else is, in particular
     * not an octet-count prefix that some senders (loggen) put in datagrams. Longer than
     * {@code maxMessageSize} after that: cut to {@code maxMessageSize} bytes and flagged truncated.
     *
     * @param bytes          the datagram payload; not modified, not retained
     * @param maxMessageSize the maximum message size in bytes, at least 1
     */
    public static SyslogFrame datagram(byte[] bytes, int maxMessageSize) {
        checkMax(maxMessageSize);
        int length = withoutTrailer(bytes, bytes.length);
        int kept = Math.min(length, maxMessageSize);
        return new SyslogFrame(Arrays.copyOf(bytes, kept), Framing.DATAGRAM, kept < length, length);
    }

    /**
     * Like {@link #datagram(byte[], int)} for a Netty datagram's content, copying at most
     * {@code maxMessageSize} bytes. Reads from {@code content.readerIndex()} and changes neither its
     * indices nor its reference count: the caller still owns and releases it.
     */
    public static SyslogFrame datagram(ByteBuf content, int maxMessageSize) {
        checkMax(maxMessageSize);
        int start = content.readerIndex();
        int length = content.readableBytes();
        if (length > 0 && content.getByte(start + length - 1) == 0) {
            length--;
        } else if (length > 0 && content.getByte(start + length - 1) == '\n') {
            length--;
            if (length > 0 && content.getByte(start + length - 1) == '\r') {
                length--;
            }
        }
        int kept = Math.min(length, maxMessageSize);
        byte[] raw = new byte[kept];
        content.getBytes(start, raw);
        return new SyslogFrame(raw, Framing.DATAGRAM, kept < length, length);
    }

    /** Length of {@code bytes[0, length)} without one trailing NUL, LF or CR LF. */
    static int withoutTrailer(byte[] bytes, int length) {
        if (length > 0 && bytes[length - 1] == 0) {
            return length - 1;
        }
        if (length > 0 && bytes[length - 1] == '\n') {
            length--;
            if (length > 0 && bytes[length - 1] == '\r') {
                length--;
            }
        }
        return length;
    }

    private static void checkMax(int maxMessageSize) {
        if (maxMessageSize < 1) {
            throw new IllegalArgumentException("maxMessageSize must be >= 1: " + maxMessageSize);
        }
    }

    /** Content equality: two frames are equal when their bytes and flags are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof SyslogFrame f
                && framing == f.framing && truncated == f.truncated && originalLength == f.originalLength
                && Arrays.equals(raw, f.raw);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(raw), framing, truncated, originalLength);
    }

    /** Shows at most the first 64 bytes, non-printable ones escaped, so log lines stay bounded. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("SyslogFrame[framing=").append(framing)
                .append(", truncated=").append(truncated)
                .append(", originalLength=").append(originalLength)
                .append(", length=").append(raw.length).append(", raw=\"");
        int shown = Math.min(raw.length, 64);
        for (int i = 0; i < shown; i++) {
            int b = raw[i] & 0xff;
            if (b >= 0x20 && b < 0x7f && b != '\\' && b != '"') {
                s.append((char) b);
            } else {
                s.append(String.format("\\x%02x", b));
            }
        }
        return s.append(raw.length > shown ? "\"...]" : "\"]").toString();
    }
}
