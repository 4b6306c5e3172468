package io.auditwatch.ingest.kafka;

import io.auditwatch.heartbeat.EventHeaders;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Events shaped like ingest's: node key, the aw.* headers, an envelope-sized value. */
final class TestEvents {
    private TestEvents() {
    }

    static OutboundEvent event(String node, int seq, int valueBytes) {
        byte[] value = new byte[valueBytes];
        byte[] prefix = (node + "#" + seq + " ").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < value.length; i++) {
            value[i] = i < prefix.length ? prefix[i] : (byte) ('a' + i % 26);
        }
        List<Header> headers = List.of(
                new RecordHeader(EventHeaders.NODE, node.getBytes(StandardCharsets.UTF_8)),
                new RecordHeader(EventHeaders.STREAM, "docker-daemon".getBytes(StandardCharsets.US_ASCII)),
                new RecordHeader(EventHeaders.RECEIVED, EventHeaders.encodeMillis(1_763_900_000_000L + seq)));
        return new OutboundEvent(node.getBytes(StandardCharsets.UTF_8), value, headers, System.nanoTime());
    }

    static OutboundEvent ofSize(long totalBytes) {
        int valueBytes = (int) (totalBytes - OutboundEvent.OVERHEAD_BYTES - 1);
        return new OutboundEvent(new byte[] {'n'}, new byte[valueBytes], List.of(), System.nanoTime());
    }
}
