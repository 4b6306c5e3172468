package io.auditwatch.ingest.pipeline;

import io.auditwatch.heartbeat.Stream;
import io.auditwatch.ingest.envelope.Transport;
import io.auditwatch.ingest.syslog.SyslogFormat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every meter of the listeners and the ingest pipeline, declared in one place. Label values are
 * closed sets (transport, format, stream, reason): never message content or addresses.
 */
public final class IngestMetrics {
    private final MeterRegistry registry;
    /** [transport][format][stream]: resolved once so the per-message path does no map lookups. */
    private final Counter[][][] received;
    private final Map<Transport, Counter> bytes = new EnumMap<>(Transport.class);
    private final Map<Transport, Counter> truncated = new EnumMap<>(Transport.class);
    private final Map<Transport, AtomicInteger> open = new EnumMap<>(Transport.class);
    private final Map<Transport, Counter> accepted = new EnumMap<>(Transport.class);
    private final Map<String, Counter> byReason = new ConcurrentHashMap<>();
    private final Counter invalidUtf8;
    private final java.util.concurrent.atomic.LongAdder receivedTotal = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder unparsedTotal = new java.util.concurrent.atomic.LongAdder();
    private final Counter identityMismatch;

    public IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
        Transport[] ts = Transport.values();
        SyslogFormat[] fs = SyslogFormat.values();
        Stream[] ss = Stream.values();
        received = new Counter[ts.length][fs.length][ss.length];
        for (Transport t : ts) {
            for (SyslogFormat f : fs) {
                for (Stream s : ss) {
                    received[t.ordinal()][f.ordinal()][s.ordinal()] = Counter.builder("auditwatch_events_received")
                            .description("Messages accepted by a listener, by transport, syslog format and audit stream")
                            .tag("transport", t.id())
                            .tag("format", f.name().toLowerCase(java.util.Locale.ROOT))
                            .tag("stream", s.id())
                            .register(registry);
                }
            }
            bytes.put(t, Counter.builder("auditwatch_received_bytes")
                    .description("Bytes of accepted messages (without framing), in bytes")
                    .baseUnit("bytes").tag("transport", t.id()).register(registry));
            truncated.put(t, Counter.builder("auditwatch_messages_truncated")
                    .description("Messages longer than listeners.max-message-size, kept truncated and flagged")
                    .tag("transport", t.id()).register(registry));
            AtomicInteger gauge = new AtomicInteger();
            open.put(t, gauge);
            Gauge.builder("auditwatch_connections_open", gauge, AtomicInteger::get)
                    .description("Open TCP/TLS connections").tag("transport", t.id()).register(registry);
            accepted.put(t, Counter.builder("auditwatch_connections_accepted")
                    .description("TCP/TLS connections accepted").tag("transport", t.id()).register(registry));
        }
        invalidUtf8 = Counter.builder("auditwatch_messages_invalid_utf8")
                .description("Messages whose MSG is not valid UTF-8 (kept byte for byte, see raw_base64)")
                .register(registry);
        identityMismatch = Counter.builder("auditwatch_identity_mismatches")
                .description("Messages whose HOSTNAME disagrees with the sender's TLS certificate identity (kept, flagged)")
                .register(registry);
    }

    /** Messages received since start, all listeners. */
    public long receivedTotal() {
        return receivedTotal.sum();
    }

    /** Of those, the ones that did not parse. */
    public long unparsedTotal() {
        return unparsedTotal.sum();
    }

    public MeterRegistry registry() {
        return registry;
    }

    void received(Transport t, SyslogFormat f, Stream s, int size) {
        received[t.ordinal()][f.ordinal()][s.ordinal()].increment();
        receivedTotal.increment();
        if (f == SyslogFormat.UNPARSED) {
            unparsedTotal.increment();
        }
        bytes.get(t).increment(size);
    }

    void truncated(Transport t) {
        truncated.get(t).increment();
    }

    void invalidUtf8() {
        invalidUtf8.increment();
    }

    /** A message that did not parse, by reason (a closed set: the parser's error names). */
    void parseFailure(String reason) {
        reasonCounter("auditwatch_parse_failures", "Messages that did not parse (stored unparsed), by reason", reason)
                .increment();
    }

    /** A line Docker cut at 16 KiB came out of reassembly, by outcome (reassembled, timeout, ...). */
    void reassembly(String outcome) {
        byReason.computeIfAbsent("reasm|" + outcome, k -> Counter.builder("auditwatch_reassemblies")
                .description("Messages joined from Docker's 16 KiB pieces, by outcome (reassembled, timeout, size_cap, ...)")
                .tag("outcome", outcome).register(registry)).increment();
    }

    /** A payload the classifier recognised but could not fully parse (kept as is), by reason. */
    void classifyShortfall(String reason) {
        reasonCounter("auditwatch_classify_shortfalls",
                "Payloads recognised but not fully parsed (hostile or truncated JSON, malformed audit records), by reason",
                reason).increment();
    }

    /** A message lost before Kafka, by reason (e.g. {@code udp_queue_full}). Never silent. */
    public void dropped(String reason) {
        reasonCounter("auditwatch_messages_dropped", "Messages lost before reaching Kafka, by reason", reason)
                .increment();
    }

    /** Bytes thrown away by the framer (oversized remainder, bad octet count), by reason. */
    public void frameDiscard(String reason) {
        reasonCounter("auditwatch_frames_discarded", "Framing problems that discarded bytes, by reason", reason)
                .increment();
    }

    /** A connection refused or closed by auditwatch, by reason. */
    public void connectionRejected(Transport t, String reason) {
        byReason.computeIfAbsent("conn|" + t.id() + "|" + reason, k -> Counter.builder("auditwatch_connections_rejected")
                .description("Connections refused or closed by auditwatch, by reason")
                .tag("transport", t.id()).tag("reason", reason).register(registry)).increment();
    }

    /** A TLS handshake that failed, by reason (a closed set, see TlsIdentityHandler). */
    public void tlsHandshakeFailed(String reason) {
        reasonCounter("auditwatch_tls_handshake_failures", "Failed TLS handshakes, by reason", reason).increment();
    }

    /** Changed certificate files that could not be loaded (the previous ones stay in use). */
    public void tlsReloadFailed() {
        reasonCounter("auditwatch_tls_reload_failures", "Certificate reloads that failed; the previous certificates stay in use",
                "load_failed").increment();
    }

    /** A message whose HOSTNAME disagrees with its sender's certificate identity (kept, flagged). */
    void identityMismatch() {
        identityMismatch.increment();
    }

    public void connectionOpened(Transport t) {
        open.get(t).incrementAndGet();
        accepted.get(t).increment();
    }

    public void connectionClosed(Transport t) {
        open.get(t).decrementAndGet();
    }

    private Counter reasonCounter(String name, String description, String reason) {
        return byReason.computeIfAbsent(name + "|" + reason,
                k -> Counter.builder(name).description(description).tag("reason", reason).register(registry));
    }
}
