package io.auditwatch.ingest.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.auditwatch.alerting.MeterDoc;
import io.auditwatch.alerting.MeterDocCheck;
import io.auditwatch.heartbeat.Stream;
import io.auditwatch.ingest.classify.FragmentReassembler;
import io.auditwatch.ingest.classify.ParseShortfall;
import io.auditwatch.ingest.envelope.Transport;
import io.auditwatch.ingest.syslog.ParseError;
import io.auditwatch.ingest.syslog.SyslogFormat;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class IngestMetricsTest {

    @Test
    void everyRegisteredMeterIsDeclaredAndEveryDeclarationRegistered() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        IngestMetrics metrics = new IngestMetrics(registry);
        metrics.bindReadGate(() -> false, () -> 0, () -> 0);
        metrics.bindUdpKernelDrops("udp", registry, r -> 0);
        metrics.parseFailure(ParseError.NO_PRI);
        metrics.reassembly(FragmentReassembler.Outcome.TIMEOUT);
        metrics.classifyShortfall(ParseShortfall.values()[0]);
        metrics.dropped("udp_queue_full");
        metrics.frameDiscard("oversized");
        metrics.connectionRejected(Transport.TCP, "max_connections");
        metrics.tlsHandshakeFailed("bad_certificate");
        metrics.tlsReloadFailed();
        assertEquals(List.of(), MeterDocCheck.mismatches(registry, IngestMetrics.METERS));
    }

    @Test
    void labelValuesAreTheDeclaredOnes() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        IngestMetrics metrics = new IngestMetrics(registry);
        metrics.received(Transport.TLS, SyslogFormat.RFC5424, Stream.AUDITD, 10);
        metrics.parseFailure(ParseError.NO_PRI);
        assertEquals(1.0, registry.get(IngestMetrics.RECEIVED.name()).tag("transport", "tls").tag("format", "rfc5424")
                .tag("stream", "auditd").counter().count());
        assertEquals(1.0, registry.get(IngestMetrics.PARSE_FAILURES.name()).tag("reason", "no_pri").counter().count());
        assertEquals(10.0, registry.get(IngestMetrics.RECEIVED_BYTES.name()).tag("transport", "tls").counter().count());
        List<String> declared = Arrays.asList(IngestMetrics.PARSE_FAILURES.tags().get("reason").split(", "));
        assertEquals(MeterDoc.label(ParseError.NO_PRI), declared.get(ParseError.NO_PRI.ordinal()));
    }

    @Test
    void theReadGateGaugesFollowTheirSuppliers() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        java.util.concurrent.atomic.AtomicBoolean paused = new java.util.concurrent.atomic.AtomicBoolean();
        new IngestMetrics(registry).bindReadGate(paused::get, () -> 7, () -> 0);
        assertEquals(0.0, registry.get(IngestMetrics.READS_PAUSED.name()).gauge().value());
        paused.set(true);
        assertEquals(1.0, registry.get(IngestMetrics.READS_PAUSED.name()).gauge().value());
        assertEquals(7.0, registry.get(IngestMetrics.HELD_MESSAGES.name()).gauge().value());
    }
}
