package io.auditwatch.ingest.docker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The real engine's wire captures under {@code src/test/resources/docker/} (provenance in the
 * README there), for the tests of every protocol package.
 */
public final class DockerCaptures {
    private DockerCaptures() {
    }

    /** The bytes of {@code /docker/<name>}. */
    public static byte[] bytes(String name) {
        try (InputStream in = DockerCaptures.class.getResourceAsStream("/docker/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no capture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A UDP capture's datagrams: each stored as a 4-byte big-endian length and the datagram. */
    public static List<byte[]> datagrams(String name) {
        ByteBuffer in = ByteBuffer.wrap(bytes(name));
        List<byte[]> out = new ArrayList<>();
        while (in.hasRemaining()) {
            byte[] d = new byte[in.getInt()];
            in.get(d);
            out.add(d);
        }
        return out;
    }

    /** A fluentd capture cut into its Forward requests, each one complete MessagePack value. */
    public static List<byte[]> forwardRequests(String name) {
        byte[] all = bytes(name);
        List<byte[]> out = new ArrayList<>();
        int at = 0;
        while (at < all.length) {
            int len = io.auditwatch.ingest.fluentd.ForwardCodec.completeValueLength(ByteBuffer.wrap(all, at, all.length - at));
            if (len < 0) {
                throw new IllegalStateException(name + " ends inside a request at " + at);
            }
            out.add(java.util.Arrays.copyOfRange(all, at, at + len));
            at += len;
        }
        return out;
    }
}
