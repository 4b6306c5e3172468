package io.auditwatch.ingest.pipeline;

import io.auditwatch.heartbeat.EventHeaders;
import io.auditwatch.heartbeat.Stream;
import io.auditwatch.ingest.classify.Classification;
import io.auditwatch.ingest.classify.Classifier;
import io.auditwatch.ingest.envelope.Envelope;
import io.auditwatch.ingest.envelope.EnvelopeCodec;
import io.auditwatch.ingest.envelope.EventIds;
import io.auditwatch.ingest.kafka.OutboundEvent;
import io.auditwatch.ingest.syslog.SyslogFormat;
import io.auditwatch.ingest.syslog.SyslogFrame;
import io.auditwatch.ingest.syslog.SyslogMessage;
import io.auditwatch.ingest.syslog.SyslogParser;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * The input that pairs transport and codec: one frame in, one Kafka record out. Parses the frame
 * (a pure function), classifies the payload, resolves the node, builds the envelope and the
 * heartbeat headers. Never throws for any input bytes: what does not parse is stored unparsed.
 */
public final class Ingestor {
    private static final byte[] PULSE = {'1'};

    private final Clock clock;
    private final Classifier classifier;
    private final NodeResolver nodes;
    private final IngestMetrics metrics;
    private final ZoneId rfc3164Zone;

    /**
     * @param rfc3164Zone the zone of RFC 3164 timestamps, which carry none (Docker's default and
     *     rfc3164 formats use the Docker host's local time)
     */
    public Ingestor(Clock clock, Classifier classifier, NodeResolver nodes, IngestMetrics metrics, ZoneId rfc3164Zone) {
        this.clock = clock;
        this.classifier = classifier;
        this.nodes = nodes;
        this.metrics = metrics;
        this.rfc3164Zone = rfc3164Zone;
    }

    /**
     * Whether a certificate identity and a syslog HOSTNAME name the same host: equal ignoring case,
     * or one is the other's first DNS label ({@code node-7} and {@code node-7.example.org}), since
     * senders differ in whether they send the FQDN.
     */
    static boolean sameHost(String certificate, String hostname) {
        if (certificate.equalsIgnoreCase(hostname)) {
            return true;
        }
        String shortCert = firstLabel(certificate);
        String shortHost = firstLabel(hostname);
        return (shortCert.equalsIgnoreCase(hostname) || shortHost.equalsIgnoreCase(certificate));
    }

    private static String firstLabel(String name) {
        int dot = name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    /** Turns one received frame into the record for {@code audit.events}. */
    public OutboundEvent toEvent(SyslogFrame frame, Peer peer) {
        Instant received = clock.instant();
        long receivedMillis = received.toEpochMilli();
        byte[] raw = frame.raw();
        SyslogMessage msg = SyslogParser.parse(raw);
        Classification c = classifier.classify(msg.appName(), msg.hostname(), msg.msg());
        NodeResolver.Identity id = nodes.resolve(peer.certificateIdentity(), peer.remote(), msg.hostname());
        Instant eventTime = msg.eventTime(received, rfc3164Zone);

        List<String> flags = new ArrayList<>(2);
        if (frame.truncated()) {
            flags.add("truncated");
            metrics.truncated(peer.transport());
        }
        if (peer.certificateIdentity() != null && msg.hostname() != null
                && !sameHost(peer.certificateIdentity(), msg.hostname())) {
            flags.add("identity_mismatch");
            metrics.identityMismatch();
        }
        if (!msg.utf8Valid()) {
            flags.add("invalid_utf8");
            metrics.invalidUtf8();
        }
        if (msg.format() == SyslogFormat.UNPARSED) {
            metrics.parseFailure(msg.error() == null ? "unknown" : msg.error().name().toLowerCase(java.util.Locale.ROOT));
        }
        Stream stream = c.stream();
        metrics.received(peer.transport(), msg.format(), stream, raw.length);

        Envelope env = new Envelope(EventIds.next(receivedMillis), received, id.node(), id.source(), stream,
                peer.transport(), peer.listener(), NodeResolver.addressText(peer.remote()),
                peer.remote() == null ? 0 : peer.remote().getPort(), peer.certificateIdentity(), frame.framing(),
                frame.truncated(), frame.originalLength(), msg, eventTime, c, flags, raw, List.of());

        byte[] key = id.node().getBytes(StandardCharsets.UTF_8);
        List<Header> headers = new ArrayList<>(6);
        headers.add(new RecordHeader(EventHeaders.NODE, key));
        headers.add(new RecordHeader(EventHeaders.STREAM, stream.id().getBytes(StandardCharsets.US_ASCII)));
        headers.add(new RecordHeader(EventHeaders.RECEIVED, EventHeaders.encodeMillis(receivedMillis)));
        if (eventTime != null) {
            headers.add(new RecordHeader(EventHeaders.SENT, EventHeaders.encodeMillis(eventTime.toEpochMilli())));
        }
        if (c.component() != null) {
            headers.add(new RecordHeader(EventHeaders.COMPONENT, c.component().getBytes(StandardCharsets.UTF_8)));
        }
        if (c.pulse()) {
            headers.add(new RecordHeader(EventHeaders.PULSE, PULSE));
        }
        return new OutboundEvent(key, EnvelopeCodec.encode(env), headers, System.nanoTime());
    }
}
