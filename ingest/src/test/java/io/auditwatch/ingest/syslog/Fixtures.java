package io.auditwatch.ingest.syslog;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Test fixtures: real captures under {@code src/test/resources/syslog/} (provenance in the PROVENANCE.md beside them). */
final class Fixtures {

    private Fixtures() {
    }

    /** The bytes of {@code /syslog/<path>} on the test class path. */
    static byte[] resource(String path) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/syslog/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code MSG-LEN SP MSG}, the octet-counting framing of RFC 6587 section 3.4.1. */
    static byte[] counted(byte[] msg) {
        byte[] prefix = ascii(msg.length + " ");
        byte[] frame = new byte[prefix.length + msg.length];
        System.arraycopy(prefix, 0, frame, 0, prefix.length);
        System.arraycopy(msg, 0, frame, prefix.length, msg.length);
        return frame;
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    /** The frames of a captured TCP connection, as {@link SyslogFrameDecoder} cuts them (max 64 KiB). */
    static List<SyslogFrame> frames(byte[] connection) {
        EmbeddedChannel channel = new EmbeddedChannel(new SyslogFrameDecoder(65536, FramingListener.NONE));
        channel.writeInbound(Unpooled.wrappedBuffer(connection));
        channel.finish();
        List<SyslogFrame> frames = new ArrayList<>();
        for (SyslogFrame f = channel.readInbound(); f != null; f = channel.readInbound()) {
            frames.add(f);
        }
        return frames;
    }

    /** The only frame of a captured TCP connection. */
    static byte[] onlyFrame(String resource) {
        List<SyslogFrame> frames = frames(resource(resource));
        if (frames.size() != 1) {
            throw new IllegalStateException(resource + " holds " + frames.size() + " frames");
        }
        return frames.get(0).raw();
    }
}
