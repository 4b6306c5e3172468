package io.auditwatch.ingest.spool;

import io.auditwatch.heartbeat.EventHeaders;
import io.auditwatch.ingest.kafka.OutboundEvent;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Events shaped like ingest's (node key, the aw.* headers, an envelope-sized value) with a sequence number. */
final class SpoolEvents {
    private SpoolEvents() {
    }

    static OutboundEvent event(String node, int seq, int valueBytes) {
        byte[] prefix = (node + "#" + seq + " ").getBytes(StandardCharsets.UTF_8);
        byte[] value = new byte[Math.max(valueBytes, prefix.length)];
        for (int i = 0; i < value.length; i++) {
            value[i] = i < prefix.length ? prefix[i] : (byte) ('a' + i % 26);
        }
        List<Header> headers = new ArrayList<>(List.of(
                new RecordHeader(EventHeaders.NODE, node.getBytes(StandardCharsets.UTF_8)),
                new RecordHeader(EventHeaders.STREAM, "docker-daemon".getBytes(StandardCharsets.US_ASCII)),
                new RecordHeader(EventHeaders.RECEIVED, EventHeaders.encodeMillis(1_763_900_000_000L + seq))));
        headers.add(new RecordHeader("aw.null", null));
        return new OutboundEvent(node.getBytes(StandardCharsets.UTF_8), value, headers, System.nanoTime());
    }

    static List<OutboundEvent> events(int from, int count, int valueBytes) {
        List<OutboundEvent> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            out.add(event("node-" + (i % 5), i, valueBytes));
        }
        return out;
    }

    /** The sequence number the event's value starts with. */
    static int seq(OutboundEvent e) {
        String v = new String(e.value(), 0, Math.min(e.value().length, 40), StandardCharsets.UTF_8);
        return Integer.parseInt(v.substring(v.indexOf('#') + 1, v.indexOf(' ')));
    }
}
