package io.auditwatch.heartbeat.kafka;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditwatch.heartbeat.NodeSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Records of the compacted state topic {@code auditwatch.heartbeat}: key = node name (UTF-8, the same
 * key as its events), value = JSON {@code {"v":1,"node":{...NodeSnapshot...}}}, null = tombstone.
 * JSON so that {@code kcat -C -t auditwatch.heartbeat} shows an operator what heartbeat remembers;
 * the version lets a later release read (or skip) older records.
 */
public final class StateCodec {
    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    record StateRecord(int v, NodeSnapshot node) {
    }

    private StateCodec() {
    }

    static byte[] key(String node) {
        return node.getBytes(StandardCharsets.UTF_8);
    }

    /** The value to write; null (a tombstone) for a removed node. */
    static byte[] value(NodeSnapshot snap) {
        if (snap.removed()) {
            return null;
        }
        try {
            return JSON.writeValueAsBytes(new StateRecord(VERSION, snap));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @return the snapshot, or null for a tombstone
     * @throws IOException for a value that is not a state record of a known version
     */
    public static NodeSnapshot decode(byte[] value) throws IOException {
        if (value == null) {
            return null;
        }
        StateRecord r = JSON.readValue(value, StateRecord.class);
        if (r.v() != VERSION || r.node() == null) {
            throw new IOException("unsupported state record version " + r.v());
        }
        return r.node();
    }
}
