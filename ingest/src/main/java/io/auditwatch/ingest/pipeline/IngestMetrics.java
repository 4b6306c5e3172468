package io.auditwatch.ingest.pipeline;

import io.auditwatch.alerting.MeterDoc;
import io.auditwatch.heartbeat.Stream;
import io.auditwatch.ingest.classify.FragmentReassembler;
import io.auditwatch.ingest.classify.ParseShortfall;
import io.auditwatch.ingest.envelope.Transport;
import io.auditwatch.ingest.syslog.HeaderField;
import io.auditwatch.ingest.syslog.ParseError;
import io.auditwatch.ingest.syslog.SyslogFormat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Every meter of the listeners and the ingest pipeline, declared in {@link #METERS} and registered
 * only through those declarations. Label values are closed sets (transport, format, stream, reason):
 * never message content or addresses.
 */
public final class IngestMetrics {
    public static final MeterDoc RECEIVED = MeterDoc.counter("auditwatch.events.received", "messages",
            "Messages accepted by a listener, by transport, syslog format and audit stream, in messages")
            .tag("transport", Transport.class, Transport::id)
            .tag("format", SyslogFormat.class, MeterDoc::label)
            .tag("stream", Stream.class, Stream::id);
    public static final MeterDoc RECEIVED_BYTES = MeterDoc.counter("auditwatch.received", "bytes",
            "Bytes of accepted messages (without framing), in bytes").tag("transport", Transport.class, Transport::id);
    public static final MeterDoc TRUNCATED = MeterDoc.counter("auditwatch.messages.truncated", "messages",
            "Messages longer than listeners.max-message-size, kept truncated and flagged, in messages")
            .tag("transport", Transport.class, Transport::id);
    public static final MeterDoc CONNECTIONS_OPEN = MeterDoc.gauge("auditwatch.connections.open", "connections",
            "Open TCP/TLS connections, in connections").tag("transport", Transport.class, Transport::id);
    public static final MeterDoc CONNECTIONS_ACCEPTED = MeterDoc.counter("auditwatch.connections.accepted", "connections",
            "TCP/TLS connections accepted, in connections").tag("transport", Transport.class, Transport::id);
    public static final MeterDoc CONNECTIONS_REJECTED = MeterDoc.counter("auditwatch.connections.rejected", "connections",
            "Connections refused or closed by auditwatch, by reason, in connections")
            .tag("transport", Transport.class, Transport::id)
            .tag("reason", "source_not_allowed, max_connections, error");
    public static final MeterDoc INVALID_UTF8 = MeterDoc.counter("auditwatch.messages.invalid.utf8", "messages",
            "Messages whose MSG is not valid UTF-8 (kept byte for byte, see raw_base64), in messages");
    public static final MeterDoc IDENTITY_MISMATCHES = MeterDoc.counter("auditwatch.identity.mismatches", "messages",
            "Messages that named a node other than the one they were attributed to (kept, flagged identity_mismatch), by reason, in messages")
            .tag("reason", IdentityMismatch.class, IdentityMismatch::label);
    public static final MeterDoc PARSE_FAILURES = MeterDoc.counter("auditwatch.parse.failures", "messages",
            "Messages that did not parse (stored unparsed), by reason, in messages")
            .tag("reason", ParseError.class, MeterDoc::label);
    public static final MeterDoc HEADER_INVALID = MeterDoc.counter("auditwatch.header.invalid", "messages",
            "Messages with a header field outside RFC 5424 section 6 (length or a byte outside %d33-126), kept and "
                    + "flagged header_invalid, by field, in messages")
            .tag("field", HeaderField.class, MeterDoc::label);
    public static final MeterDoc TIMESTAMP_INVALID = MeterDoc.counter("auditwatch.timestamp.invalid", "messages",
            "Messages whose timestamp names an impossible date or time (2003-09-31, hour 24), kept and flagged "
                    + "timestamp_invalid, in messages");
    public static final MeterDoc REASSEMBLIES = MeterDoc.counter("auditwatch.reassemblies", "messages",
            "Messages joined from Docker's 16 KiB pieces, by outcome, in messages")
            .tag("outcome", FragmentReassembler.Outcome.class, MeterDoc::label);
    public static final MeterDoc CLASSIFY_SHORTFALLS = MeterDoc.counter("auditwatch.classify.shortfalls", "messages",
            "Payloads recognised but not fully parsed (hostile or truncated JSON, malformed audit records), by reason, in messages")
            .tag("reason", ParseShortfall.class, MeterDoc::label);
    public static final MeterDoc DROPPED = MeterDoc.counter("auditwatch.messages.dropped", "messages",
            "Messages lost before reaching Kafka, by reason, in messages")
            .tag("reason", "udp_handoff_full, udp_queue_full, udp_shutdown, source_not_allowed, gelf_*");
    public static final MeterDoc FRAMES_DISCARDED = MeterDoc.counter("auditwatch.frames.discarded", "frames",
            "Framing problems that discarded bytes, by reason, in frames").tag("reason", "oversized, invalid_octet_count");
    public static final MeterDoc TLS_HANDSHAKE_FAILURES = MeterDoc.counter("auditwatch.tls.handshake.failures", "handshakes",
            "Failed TLS handshakes, by reason, in handshakes")
            .tag("reason", "no_client_certificate, bad_certificate, protocol, handshake, timeout, not_tls, other");
    public static final MeterDoc TLS_RELOAD_FAILURES = MeterDoc.counter("auditwatch.tls.reload.failures", "reloads",
            "Certificate reloads that failed (the previous certificates stay in use), in reloads")
            .tag("reason", "load_failed");
    public static final MeterDoc READS_PAUSED = MeterDoc.gauge("auditwatch.tcp.reads.paused", "1",
            "1 while stream listeners have stopped reading because the way to Kafka is full, else 0");
    public static final MeterDoc HELD_MESSAGES = MeterDoc.gauge("auditwatch.tcp.held.messages", "messages",
            "Messages read from sockets and waiting for room in the publisher queue, in messages");
    public static final MeterDoc HELD_BYTES = MeterDoc.gauge("auditwatch.tcp.held", "bytes",
            "Bytes of the messages read from sockets and waiting for room in the publisher queue, in bytes");

    public static final MeterDoc UDP_KERNEL_DROPS = MeterDoc.counter("auditwatch.udp.kernel.drops", "datagrams",
            "Datagrams the kernel dropped for a UDP listener's socket before auditwatch could read them (receive buffer "
                    + "full), from /proc/net/udp[6]; NaN where the kernel does not say, in datagrams")
            .tag("listener", "udp, gelf");

    /** Every meter this class registers. */
    public static final List<MeterDoc> METERS = List.of(RECEIVED, RECEIVED_BYTES, TRUNCATED, CONNECTIONS_OPEN,
            CONNECTIONS_ACCEPTED, CONNECTIONS_REJECTED, INVALID_UTF8, IDENTITY_MISMATCHES, PARSE_FAILURES, HEADER_INVALID,
            TIMESTAMP_INVALID, REASSEMBLIES,
            CLASSIFY_SHORTFALLS, DROPPED, FRAMES_DISCARDED, TLS_HANDSHAKE_FAILURES, TLS_RELOAD_FAILURES, READS_PAUSED,
            HELD_MESSAGES, HELD_BYTES, UDP_KERNEL_DROPS);

    private final MeterRegistry registry;
    /** [transport][format][stream]: resolved once so the per-message path does no map lookups. */
    private final Counter[][][] received;
    private final Map<Transport, Counter> bytes = new EnumMap<>(Transport.class);
    private final Map<Transport, Counter> truncated = new EnumMap<>(Transport.class);
    private final Map<Transport, AtomicInteger> open = new EnumMap<>(Transport.class);
    private final Map<Transport, Counter> accepted = new EnumMap<>(Transport.class);
    /** Meters registered on first use, keyed by name and label values. */
    private final Map<String, Counter> byReason = new ConcurrentHashMap<>();
    private final Counter invalidUtf8;
    private final LongAdder receivedTotal = new LongAdder();
    private final LongAdder unparsedTotal = new LongAdder();
    private final Map<IdentityMismatch, Counter> identityMismatch = new EnumMap<>(IdentityMismatch.class);
    private final Map<HeaderField, Counter> headerInvalid = new EnumMap<>(HeaderField.class);
    private final Counter timestampInvalid;

    public IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
        Transport[] ts = Transport.values();
        SyslogFormat[] fs = SyslogFormat.values();
        Stream[] ss = Stream.values();
        received = new Counter[ts.length][fs.length][ss.length];
        for (Transport t : ts) {
            for (SyslogFormat f : fs) {
                for (Stream s : ss) {
                    received[t.ordinal()][f.ordinal()][s.ordinal()] = RECEIVED.counter()
                            .tag("transport", t.id())
                            .tag("format", MeterDoc.label(f))
                            .tag("stream", s.id())
                            .register(registry);
                }
            }
            bytes.put(t, RECEIVED_BYTES.counter().tag("transport", t.id()).register(registry));
            truncated.put(t, TRUNCATED.counter().tag("transport", t.id()).register(registry));
            AtomicInteger gauge = new AtomicInteger();
            open.put(t, gauge);
            CONNECTIONS_OPEN.gauge(gauge, AtomicInteger::get).tag("transport", t.id()).register(registry);
            accepted.put(t, CONNECTIONS_ACCEPTED.counter().tag("transport", t.id()).register(registry));
        }
        invalidUtf8 = INVALID_UTF8.counter().register(registry);
        for (IdentityMismatch m : IdentityMismatch.values()) {
            identityMismatch.put(m, IDENTITY_MISMATCHES.counter().tag("reason", m.label()).register(registry));
        }
        for (HeaderField f : HeaderField.values()) {
            headerInvalid.put(f, HEADER_INVALID.counter().tag("field", MeterDoc.label(f)).register(registry));
        }
        timestampInvalid = TIMESTAMP_INVALID.counter().register(registry);
    }

    /**
     * Binds the gauges of the stream listeners' read gate; suppliers must be cheap and thread-safe
     * (scrapes call them).
     */
    public void bindReadGate(BooleanSupplier paused, IntSupplier held, LongSupplier heldBytes) {
        READS_PAUSED.gauge(() -> paused.getAsBoolean() ? 1 : 0).register(registry);
        HELD_MESSAGES.gauge(() -> held.getAsInt()).register(registry);
        HELD_BYTES.gauge(() -> heldBytes.getAsLong()).register(registry);
    }

    /**
     * Binds the kernel's drop count of a UDP listener's socket(s), read from {@code source} at scrape
     * time (thread-safe). Micrometer holds {@code source} weakly: the listener must keep it.
     */
    public <T> void bindUdpKernelDrops(String listener, T source, java.util.function.ToDoubleFunction<T> drops) {
        UDP_KERNEL_DROPS.functionCounter(source, drops).tag("listener", listener).register(registry);
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

    /** A message that did not parse, by reason. */
    void parseFailure(ParseError reason) {
        reasonCounter(PARSE_FAILURES, MeterDoc.label(reason)).increment();
    }

    /** A message with {@code field} outside its RFC 5424 rule (kept, flagged). */
    void headerInvalid(HeaderField field) {
        headerInvalid.get(field).increment();
    }

    /** A message whose timestamp has the shape of one but names no instant (kept, flagged). */
    void timestampInvalid() {
        timestampInvalid.increment();
    }

    /** A line Docker cut at 16 KiB came out of reassembly, by outcome. */
    void reassembly(FragmentReassembler.Outcome outcome) {
        byReason.computeIfAbsent(REASSEMBLIES.name() + '|' + outcome, k -> REASSEMBLIES.counter()
                .tag("outcome", MeterDoc.label(outcome)).register(registry)).increment();
    }

    /** A payload the classifier recognised but could not fully parse (kept as is), by reason. */
    void classifyShortfall(ParseShortfall reason) {
        reasonCounter(CLASSIFY_SHORTFALLS, MeterDoc.label(reason)).increment();
    }

    /** A message lost before Kafka, by reason (one of {@link #DROPPED}'s). Never silent. */
    public void dropped(String reason) {
        reasonCounter(DROPPED, reason).increment();
    }

    /** Bytes thrown away by the framer (oversized remainder, bad octet count), by reason. */
    public void frameDiscard(String reason) {
        reasonCounter(FRAMES_DISCARDED, reason).increment();
    }

    /** A connection refused or closed by auditwatch, by reason (one of {@link #CONNECTIONS_REJECTED}'s). */
    public void connectionRejected(Transport t, String reason) {
        byReason.computeIfAbsent(CONNECTIONS_REJECTED.name() + '|' + t.id() + '|' + reason, k -> CONNECTIONS_REJECTED.counter()
                .tag("transport", t.id()).tag("reason", reason).register(registry)).increment();
    }

    /** A TLS handshake that failed, by reason (a closed set, see TlsIdentityHandler). */
    public void tlsHandshakeFailed(String reason) {
        reasonCounter(TLS_HANDSHAKE_FAILURES, reason).increment();
    }

    /** Changed certificate files that could not be loaded (the previous ones stay in use). */
    public void tlsReloadFailed() {
        reasonCounter(TLS_RELOAD_FAILURES, "load_failed").increment();
    }

    /** A message that named a node other than the one it was attributed to (kept, flagged), by reason. */
    void identityMismatch(IdentityMismatch reason) {
        identityMismatch.get(reason).increment();
    }

    public void connectionOpened(Transport t) {
        open.get(t).incrementAndGet();
        accepted.get(t).increment();
    }

    public void connectionClosed(Transport t) {
        open.get(t).decrementAndGet();
    }

    private Counter reasonCounter(MeterDoc meter, String reason) {
        return byReason.computeIfAbsent(meter.name() + '|' + reason,
                k -> meter.counter().tag("reason", reason).register(registry));
    }
}
