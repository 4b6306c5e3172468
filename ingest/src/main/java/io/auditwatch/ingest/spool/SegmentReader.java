package io.auditwatch.ingest.spool;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads the frames of one segment file in order, from a position up to a limit (both relative to
 * the file's start). A frame that fails its checks (magic, length, CRC) is not returned: the reader
 * looks for the next valid frame, byte by byte, and reports the bytes in between as a {@link Gap}.
 * Never throws for what the file contains, only for I/O errors.
 */
final class SegmentReader implements Closeable {
    /** Read-ahead window: many records per system call, small next to the JVM's heap. */
    static final int WINDOW_BYTES = 256 * 1024;

    private final FileChannel channel;
    private ByteBuffer window = ByteBuffer.allocate(WINDOW_BYTES);
    private long windowStart;
    private long position;

    SegmentReader(Path file, long position) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.position = position;
        window.limit(0);
    }

    /** What {@link #next} found. */
    sealed interface Item permits Frame, Gap {
        long start();

        long end();
    }

    /** A valid record; {@code payload} is a fresh buffer of exactly the payload's bytes. */
    record Frame(long start, long end, ByteBuffer payload) implements Item {
    }

    /** Bytes that hold no valid record: corruption, or a torn write at the end. */
    record Gap(long start, long end) implements Item {
    }

    long position() {
        return position;
    }

    /** Goes on from {@code position} (relative to the file's start), a frame's start. */
    void seek(long position) {
        this.position = position;
    }

    /** The next frame or gap before {@code limit}, or null at the limit. */
    Item next(long limit) throws IOException {
        if (position >= limit) {
            return null;
        }
        long start = position;
        Frame frame = frameAt(start, limit);
        if (frame != null) {
            position = frame.end();
            return frame;
        }
        long p = start + 1;
        while (p + RecordCodec.HEADER_BYTES <= limit) {
            if (magicAt(p) && frameAt(p, limit) != null) {
                break;
            }
            p++;
        }
        if (p + RecordCodec.HEADER_BYTES > limit) {
            p = limit;
        }
        position = p;
        return new Gap(start, p);
    }

    private boolean magicAt(long p) throws IOException {
        return ensure(p, 4) && window.getInt((int) (p - windowStart)) == RecordCodec.MAGIC;
    }

    private Frame frameAt(long p, long limit) throws IOException {
        if (p + RecordCodec.HEADER_BYTES > limit || !ensure(p, RecordCodec.HEADER_BYTES)) {
            return null;
        }
        int at = (int) (p - windowStart);
        int magic = window.getInt(at);
        int length = window.getInt(at + 4);
        int crc = window.getInt(at + 8);
        if (magic != RecordCodec.MAGIC || length < 0 || length > RecordCodec.MAX_PAYLOAD_BYTES
                || p + RecordCodec.HEADER_BYTES + length > limit) {
            return null;
        }
        if (!ensure(p, RecordCodec.HEADER_BYTES + length)) {
            return null;
        }
        at = (int) (p - windowStart);
        ByteBuffer payload = window.duplicate().position(at + RecordCodec.HEADER_BYTES)
                .limit(at + RecordCodec.HEADER_BYTES + length);
        if (RecordCodec.crc(length, payload.duplicate()) != crc) {
            return null;
        }
        ByteBuffer copy = ByteBuffer.allocate(length).put(payload).flip();
        return new Frame(p, p + RecordCodec.HEADER_BYTES + length, copy);
    }

    /** Makes bytes {@code [p, p+n)} available in the window; false if the file ends before. */
    private boolean ensure(long p, int n) throws IOException {
        if (p >= windowStart && p + n <= windowStart + window.limit()) {
            return true;
        }
        if (window.capacity() < n) {
            window = ByteBuffer.allocate(Math.max(n, WINDOW_BYTES));
        }
        window.clear();
        windowStart = p;
        while (window.hasRemaining()) {
            int read = channel.read(window, p + window.position());
            if (read <= 0) {
                break;
            }
        }
        window.flip();
        return window.limit() >= n;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
