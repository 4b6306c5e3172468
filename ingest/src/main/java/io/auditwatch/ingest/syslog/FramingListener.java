package io.auditwatch.ingest.syslog;

/**
 * Told by {@link SyslogFrameDecoder} about every framing anomaly, so that the listener can count
 * it (the decoder itself keeps no metrics and logs nothing). Called on the channel's event loop:
 * implementations must be cheap and must not block. Every method defaults to a no-op.
 */
public interface FramingListener {

    /** A listener that ignores everything; for tests and tools. */
    FramingListener NONE = new FramingListener() { };

    /**
     * A frame was longer than the maximum; its first {@code maxMessageSize} bytes were emitted with
     * {@link SyslogFrame#truncated()} set and the rest was discarded as it streamed in.
     *
     * @param originalLength the announced octet count, or -1 for a non-transparent frame whose
     *                       length is unknown because its tail is discarded without buffering
     */
    default void oversized(int originalLength) { }

    /**
     * A frame began with {@code DIGITS SP} but the digit run was too long to be an octet count
     * (from {@value SyslogFrameDecoder#MAX_COUNT_DIGITS} + 1 to 32 digits). The line was decoded as a
     * non-transparent (LF-delimited) frame instead, so no bytes are lost.
     */
    default void invalidOctetCount() { }

    /**
     * The connection closed in the middle of an octet-counted frame: the sender announced
     * {@code expectedLength} octets but only {@code receivedLength} arrived. The received bytes
     * (if any) were emitted as a truncated {@link Framing#EOF} frame.
     */
    default void incompleteAtClose(int expectedLength, int receivedLength) { }
}
