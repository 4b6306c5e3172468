package io.auditwatch.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MeterDocTest {

    @Test
    void prometheusNamesAddTheBaseUnitAndTotal() {
        assertEquals("auditwatch_kafka_publish_total", MeterDoc.counter("auditwatch.kafka.publish", "events", "d").prometheusName());
        assertEquals("auditwatch_received_bytes_total", MeterDoc.counter("auditwatch.received", "bytes", "d").prometheusName());
        assertEquals("auditwatch_spool_capacity_bytes", MeterDoc.gauge("auditwatch.spool.capacity", "bytes", "d").prometheusName());
        assertEquals("auditwatch_spool_fsync_seconds", MeterDoc.timer("auditwatch.spool.fsync", "d").prometheusName());
        assertEquals("auditwatch_kafka_up", MeterDoc.gauge("auditwatch.kafka.up", "1", "d").prometheusName());
    }

    @Test
    void onlyBytesAndSecondsReachMicrometerAsBaseUnits() {
        assertEquals("bytes", MeterDoc.gauge("auditwatch.spool", "bytes", "d").gauge(() -> 1).register(
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry()).getId().getBaseUnit());
        assertEquals(null, MeterDoc.counter("auditwatch.spool.records", "records", "d").baseUnit());
    }

    @Test
    void namesOfAnotherStyleAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> MeterDoc.counter("auditwatch_kafka_publish_total", "events", "d"));
        assertThrows(IllegalArgumentException.class, () -> MeterDoc.counter("kafka.publish", "events", "d"));
        assertThrows(IllegalArgumentException.class, () -> MeterDoc.gauge("auditwatch.spool.bytes", "bytes", "d"));
    }

    @Test
    void aMeterIsBuiltOnlyAsItsDeclaredType() {
        assertThrows(IllegalStateException.class, () -> MeterDoc.gauge("auditwatch.kafka.up", "1", "d").counter());
    }

    @Test
    void enumLabelValuesAreListedInDeclarationOrder() {
        assertEquals("firing, resolved",
                MeterDoc.counter("auditwatch.x", "x", "d").tag("status", AlertEvent.Status.class, MeterDoc::label).tags().get("status"));
    }
}
