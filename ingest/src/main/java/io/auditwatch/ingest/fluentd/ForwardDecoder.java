package io.auditwatch.ingest.fluentd;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.Objects;

/**
 * Splits a Forward-protocol byte stream into {@link ForwardRequest}s: each request is one complete
 * MessagePack value, found by skipping it in the cumulation, so nothing is copied until a request is
 * whole. A MessagePack nil (the client's optional heartbeat) and any value that is not an array
 * (the specification: "Server SHOULD ignore") are skipped and counted through {@link Listener}.
 *
 * <p>A request longer than {@link ForwardLimits#maxFrameBytes()} is never buffered past that bound:
 * the decoder fails with {@link ForwardError#FRAME_TOO_LONG} and the connection is closed, since a
 * stream of MessagePack has no delimiter to resynchronise on. The same for malformed requests. A
 * client waiting for an ack then reconnects and sends its chunk again.
 *
 * <p>Not sharable: one instance per connection.
 */
public final class ForwardDecoder extends ByteToMessageDecoder {

    /** Told about what the decoder skipped; called on the connection's event loop. */
    public interface Listener {
        /** A nil heartbeat. */
        void heartbeat();

        /** A value other than an array or nil, of {@code bytes} bytes. */
        void ignored(int bytes);
    }

    private final ForwardLimits limits;
    private final Listener listener;
    /** Set once a request was refused: the rest of the stream cannot be delimited and is discarded. */
    private boolean failed;

    public ForwardDecoder(ForwardLimits limits, Listener listener) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Whether part of a request has arrived and its end has not, or the stream is being discarded
     * after a refused request. Call on the connection's event loop (the frame deadline does).
     */
    public boolean midFrame() {
        return failed || internalBuffer().isReadable();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            decodeOne(in, out);
        } catch (ForwardException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    private void decodeOne(ByteBuf in, List<Object> out) {
        int readable = in.readableBytes();
        int window = Math.min(readable, limits.maxFrameBytes());
        int length = ForwardCodec.completeValueLength(in.nioBuffer(in.readerIndex(), window));
        if (length < 0) {
            if (readable >= limits.maxFrameBytes()) {
                throw new ForwardException(ForwardError.FRAME_TOO_LONG, "a request longer than "
                        + limits.maxFrameBytes() + " bytes");
            }
            return;
        }
        byte[] frame = new byte[length];
        in.readBytes(frame);
        if (ForwardCodec.isNil(frame)) {
            listener.heartbeat();
        } else if (!ForwardCodec.isArray(frame)) {
            listener.ignored(length);
        } else {
            out.add(ForwardCodec.decode(frame, limits));
        }
    }
}
