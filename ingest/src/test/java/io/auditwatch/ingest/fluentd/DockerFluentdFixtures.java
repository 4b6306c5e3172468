package io.auditwatch.ingest.fluentd;

import io.auditwatch.ingest.docker.DockerCaptures;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The Forward requests Docker 20.10.24's fluentd driver sent, from src/test/resources/docker
 * (provenance in its README, captured by capture-drivers.py there).
 */
final class DockerFluentdFixtures {
    private DockerFluentdFixtures() {
    }

    static byte[] bytes(String name) {
        return DockerCaptures.bytes(name);
    }

    /** The capture cut into its requests. */
    static List<byte[]> requests(String name) {
        byte[] all = bytes(name);
        List<byte[]> out = new ArrayList<>();
        int at = 0;
        while (at < all.length) {
            int len = ForwardCodec.completeValueLength(ByteBuffer.wrap(all, at, all.length - at));
            if (len < 0) {
                throw new IllegalStateException(name + " ends inside a request at " + at);
            }
            out.add(java.util.Arrays.copyOfRange(all, at, at + len));
            at += len;
        }
        return out;
    }
}
