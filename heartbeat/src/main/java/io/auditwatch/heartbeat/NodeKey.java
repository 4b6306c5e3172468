package io.auditwatch.heartbeat;

import java.util.Arrays;

/**
 * Map key of a node name as UTF-8 bytes, so the event path looks a node up by the header's bytes
 * without decoding a String. The stored key is the {@link NodeEntry} itself (one object and one
 * cache miss fewer per event than a separate key); the event path reuses one thread-confined probe
 * whose bytes it points at the header value (lookups never store the probe).
 */
class NodeKey {
    private byte[] bytes;
    private int hash;

    NodeKey(byte[] bytes) {
        point(bytes);
    }

    final NodeKey point(byte[] b) {
        this.bytes = b;
        this.hash = Arrays.hashCode(b);
        return this;
    }

    @Override
    public final int hashCode() {
        return hash;
    }

    @Override
    public final boolean equals(Object o) {
        return o instanceof NodeKey k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }
}
