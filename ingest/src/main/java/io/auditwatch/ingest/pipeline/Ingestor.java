package io.auditwatch.ingest.pipeline;

import io.auditwatch.alerting.MeterDoc;
import io.auditwatch.heartbeat.EventHeaders;
import io.auditwatch.heartbeat.Stream;
import io.auditwatch.ingest.classify.Classification;
import io.auditwatch.ingest.classify.Classifier;
import io.auditwatch.ingest.classify.FragmentReassembler;
import io.auditwatch.ingest.envelope.DockerLog;
import io.auditwatch.ingest.envelope.Envelope;
import io.auditwatch.ingest.envelope.EnvelopeCodec;
import io.auditwatch.ingest.envelope.EventIds;
import io.auditwatch.ingest.envelope.Transport;
import io.auditwatch.ingest.kafka.OutboundEvent;
import io.auditwatch.ingest.syslog.Framing;
import io.auditwatch.ingest.syslog.HeaderField;
import io.auditwatch.ingest.syslog.SyslogFormat;
import io.auditwatch.ingest.syslog.SyslogFrame;
import io.auditwatch.ingest.syslog.SyslogMessage;
import io.auditwatch.ingest.syslog.SyslogParser;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import io.auditwatch.ingest.log.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The input that pairs transport and codec: frames in, Kafka records out. Parses each frame (a
 * pure function), joins Docker's 16 KiB pieces, classifies the payload, resolves the node, and
 * builds the envelope and the heartbeat headers. Never throws for any input bytes: what does not
 * parse is stored unparsed. Thread-safe: event loops of all listeners call it.
 */
public final class Ingestor {
    private static final byte[] PULSE = {'1'};
    /** The flag of an event with a header field outside RFC 5424's rule, followed by one {@code header_invalid:<field>} per field. */
    static final String HEADER_INVALID = "header_invalid";
    private static final Logger LOG = LoggerFactory.getLogger(Ingestor.class);
    /** Longest part of a claimed name in a log line: a HOSTNAME may be 255 bytes and anything. */
    private static final int LOGGED_NAME_CHARS = 64;
    /** One rate-limited log per mismatch reason (a closed set), made up front: event loops share them. */
    private final Map<IdentityMismatch, RateLimitedLog> mismatchLogs = mismatchLogs();

    private final Clock clock;
    private final Classifier classifier;
    private final NodeResolver nodes;
    private final IngestMetrics metrics;
    private final ZoneId rfc3164Zone;
    private final FragmentReassembler reassembler;
    private final SpoofingWatch spoofing;
    /** The peers of connections that have a group waiting for pieces, to attribute evicted groups. */
    private final Map<Long, Peer> waitingPeers = new ConcurrentHashMap<>();
    /**
     * True while the reassembler holds a group. Written by the thread that offered the piece; a
     * connection's (and the UDP listener's) frames arrive on one event loop, so the next frame of a
     * waiting key always sees it.
     */
    private volatile boolean reassembling;
    /**
     * The first piece (and its sender) of every Docker fluentd/gelf line waiting in the reassembler,
     * by the reassembler's key: its fields head the joined event, as the first syslog piece's do.
     */
    private final Map<HeadKey, Held> dockerHeads = new ConcurrentHashMap<>();

    private record HeadKey(long connectionId, java.net.SocketAddress sender, String key) {
    }

    private record Held(DockerLine line, Peer peer) {
    }

    /**
     * @param rfc3164Zone the zone of RFC 3164 timestamps, which carry none (Docker's default and
     *     rfc3164 formats use the Docker host's local time)
     */
    public Ingestor(Clock clock, Classifier classifier, NodeResolver nodes, IngestMetrics metrics, ZoneId rfc3164Zone,
            FragmentReassembler reassembler) {
        this(clock, classifier, nodes, metrics, rfc3164Zone, reassembler, null);
    }

    /** @param spoofing told of every event that broke a node's identity rule; null when no alert is wanted */
    public Ingestor(Clock clock, Classifier classifier, NodeResolver nodes, IngestMetrics metrics, ZoneId rfc3164Zone,
            FragmentReassembler reassembler, SpoofingWatch spoofing) {
        this.spoofing = spoofing;
        this.clock = clock;
        this.classifier = classifier;
        this.nodes = nodes;
        this.metrics = metrics;
        this.rfc3164Zone = rfc3164Zone;
        this.reassembler = reassembler;
    }

    /**
     * Turns one received frame into zero or more records for {@code audit.events}: zero while it is
     * a piece of a longer line, several when completing it also releases other waiting groups.
     */
    public void ingest(SyslogFrame frame, Peer peer, Consumer<OutboundEvent> out) {
        Instant received = clock.instant();
        byte[] raw = frame.raw();
        SyslogMessage msg = SyslogParser.parse(raw);
        int msgBytes = raw.length - msg.msgOffset();
        if (msg.parsed() && !frame.truncated()
                && (msgBytes == FragmentReassembler.DOCKER_PIECE_BYTES || reassembling)) {
            byte[] body = Arrays.copyOfRange(raw, msg.msgOffset(), raw.length);
            // A container's stdout and stderr share one connection and one tag, and Docker copies
            // them concurrently: a stderr line can arrive between the pieces of a long stdout line.
            // Docker sends stdout at severity 6 and stderr at 3, so the severity keeps them apart.
            String key = msg.appName() + "\u0000" + msg.severity();
            List<FragmentReassembler.Reassembled> units;
            if (peer.transport() == Transport.UDP) {
                units = reassembler.offerDatagram(peer.remote(), key, raw, body, received);
            } else {
                waitingPeers.putIfAbsent(peer.connectionId(), peer);
                units = reassembler.offer(peer.connectionId(), key, raw, body, received);
            }
            reassembling = reassembler.pendingGroups() > 0;
            emit(units, peer, frame.framing(), received, out);
            return;
        }
        out.accept(toEvent(msg, raw, List.of(), peer, frame.framing(), frame.truncated(), frame.originalLength(),
                null, received));
    }

    /**
     * Turns one line from Docker's fluentd or gelf driver into zero or more records, like
     * {@link #ingest} does for a syslog frame: Docker's 16 KiB pieces are joined by the same
     * reassembler when {@code hold} is true.
     *
     * @param hold false when the sender waits for this line to be durable before it sends the next
     *     piece (fluentd with acknowledgements): a piece is then an event of its own, flagged
     *     {@code partial} with Docker's partial-message id and ordinal, since holding it would stall
     *     the sender for good
     */
    public void ingestDocker(DockerLine line, Peer peer, boolean hold, Consumer<OutboundEvent> out) {
        Instant received = clock.instant();
        byte[] body = line.message().getBytes(StandardCharsets.UTF_8);
        if (hold && (body.length == FragmentReassembler.DOCKER_PIECE_BYTES || reassembling)) {
            String key = line.reassemblyKey();
            boolean udp = peer.transport() == Transport.UDP;
            HeadKey head = udp ? new HeadKey(0, peer.remote(), key) : new HeadKey(peer.connectionId(), null, key);
            dockerHeads.putIfAbsent(head, new Held(line, peer));
            List<FragmentReassembler.Reassembled> units;
            if (udp) {
                units = reassembler.offerDatagram(peer.remote(), key, line.raw(), body, received);
            } else {
                waitingPeers.putIfAbsent(peer.connectionId(), peer);
                units = reassembler.offer(peer.connectionId(), key, line.raw(), body, received);
            }
            reassembling = reassembler.pendingGroups() > 0;
            emit(units, peer, line.framing(), received, out);
            if (body.length == FragmentReassembler.DOCKER_PIECE_BYTES
                    && units.stream().noneMatch(u -> u.rawPieces().stream().anyMatch(r -> r == line.raw()))) {
                dockerHeads.putIfAbsent(head, new Held(line, peer)); // it started a group of its own
            }
            return;
        }
        out.accept(dockerEvent(line, line.raw(), List.of(), line.message(), line.utf8Valid(), peer, null, received));
    }

    /** Emits the groups whose pieces stopped coming; a timer calls this every second. */
    public void expire(Consumer<OutboundEvent> out) {
        if (reassembling) {
            List<FragmentReassembler.Reassembled> units = reassembler.expire(clock.instant());
            reassembling = reassembler.pendingGroups() > 0;
            emit(units, null, null, clock.instant(), out);
        }
    }

    /** A TCP/TLS connection closed: its waiting groups can get no further piece. */
    public void connectionClosed(Peer peer, Consumer<OutboundEvent> out) {
        if (waitingPeers.containsKey(peer.connectionId())) {
            emit(reassembler.closeConnection(peer.connectionId()), peer, null, clock.instant(), out);
            waitingPeers.remove(peer.connectionId());
            reassembling = reassembler.pendingGroups() > 0;
        }
    }

    private void emit(List<FragmentReassembler.Reassembled> units, Peer current, Framing framing, Instant received,
            Consumer<OutboundEvent> out) {
        for (FragmentReassembler.Reassembled u : units) {
            Held held = dockerHeads.remove(new HeadKey(u.connectionId(), u.sender(), u.tag()));
            if (held != null) {
                emitDocker(u, held, received, out);
                continue;
            }
            Peer peer = u.sender() != null ? new Peer(Transport.UDP, "udp", (java.net.InetSocketAddress) u.sender(), null, 0)
                    : waitingPeers.getOrDefault(u.connectionId(), current);
            if (peer == null) {
                peer = current;
            }
            byte[] first = u.rawPieces().get(0);
            SyslogMessage head = SyslogParser.parse(first);
            Framing f = framing != null ? framing : Framing.EOF;
            if (u.pieces() == 1 && u.outcome() == FragmentReassembler.Outcome.SINGLE) {
                out.accept(toEvent(head, first, List.of(), peer, f, false, -1, null, received));
                continue;
            }
            metrics.reassembly(u.outcome());
            String joined = new String(u.msg(), StandardCharsets.UTF_8);
            boolean valid = io.auditwatch.ingest.envelope.EnvelopeCodec.isUtf8(u.msg());
            SyslogMessage whole = new SyslogMessage(head.format(), head.error(), head.facility(), head.severity(),
                    head.version(), head.timestamp(), head.hostname(), head.appName(), head.procId(), head.msgId(),
                    head.structuredData(), head.bom(), head.msgOffset(), joined, valid);
            byte[] raw = join(u.rawPieces());
            String note = u.outcome() == FragmentReassembler.Outcome.REASSEMBLED ? "reassembled" : "reassembly_incomplete";
            List<Envelope.Piece> pieces = new ArrayList<>(u.pieces());
            for (byte[] p : u.rawPieces()) {
                pieces.add(new Envelope.Piece(p.length, SyslogParser.parse(p).msgOffset()));
            }
            out.accept(toEvent(whole, raw, pieces, peer, f, false, -1, note, received));
        }
    }

    private void emitDocker(FragmentReassembler.Reassembled u, Held held, Instant received,
            Consumer<OutboundEvent> out) {
        if (u.pieces() == 1 && u.outcome() == FragmentReassembler.Outcome.SINGLE) {
            byte[] raw = u.rawPieces().get(0);
            DockerLine line = held.line().raw() == raw ? held.line() : null;
            if (line != null) {
                out.accept(dockerEvent(line, raw, List.of(), line.message(), line.utf8Valid(), held.peer(), null,
                        received));
                return;
            }
        }
        metrics.reassembly(u.outcome());
        byte[] raw = join(u.rawPieces());
        String note = u.outcome() == FragmentReassembler.Outcome.REASSEMBLED ? "reassembled" : "reassembly_incomplete";
        out.accept(dockerEvent(held.line(), raw, u.pieces() > 1 ? driverPieces(u.rawPieces()) : List.of(),
                new String(u.msg(), StandardCharsets.UTF_8),
                held.line().utf8Valid() && io.auditwatch.ingest.envelope.EnvelopeCodec.isUtf8(u.msg()), held.peer(),
                u.pieces() > 1 || u.outcome() != FragmentReassembler.Outcome.SINGLE ? note : null, received));
    }

    /** The pieces of a fluentd or gelf line: each is the driver's event, with no syslog MSG in it. */
    private static List<Envelope.Piece> driverPieces(List<byte[]> rawPieces) {
        List<Envelope.Piece> pieces = new ArrayList<>(rawPieces.size());
        for (byte[] p : rawPieces) {
            pieces.add(new Envelope.Piece(p.length, -1));
        }
        return pieces;
    }

    private OutboundEvent dockerEvent(DockerLine line, byte[] raw, List<Envelope.Piece> pieces, String message,
            boolean utf8Valid, Peer peer, String reassemblyFlag, Instant received) {
        SyslogMessage msg = new SyslogMessage(line.format(), null, -1, -1, 0,
                line.eventTime() == null ? null : line.eventTime().toString(), line.hostname(), line.tag(), null, null,
                List.of(), false, raw.length, message, utf8Valid);
        return toEvent(msg, raw, pieces, peer, line.framing(), false, -1, reassemblyFlag, received, line.docker(),
                line.flags());
    }

    private static byte[] join(List<byte[]> pieces) {
        int total = 0;
        for (byte[] p : pieces) {
            total += p.length;
        }
        byte[] raw = new byte[total];
        int at = 0;
        for (byte[] p : pieces) {
            System.arraycopy(p, 0, raw, at, p.length);
            at += p.length;
        }
        return raw;
    }

    private OutboundEvent toEvent(SyslogMessage msg, byte[] raw, List<Envelope.Piece> pieces, Peer peer, Framing framing,
            boolean truncated, int originalLength, String reassemblyFlag, Instant received) {
        return toEvent(msg, raw, pieces, peer, framing, truncated, originalLength, reassemblyFlag, received, null,
                List.of());
    }

    private OutboundEvent toEvent(SyslogMessage msg, byte[] raw, List<Envelope.Piece> pieces, Peer peer, Framing framing,
            boolean truncated, int originalLength, String reassemblyFlag, Instant received, DockerLog docker,
            List<String> extraFlags) {
        long receivedMillis = received.toEpochMilli();
        Set<HeaderField> badFields = HeaderField.invalid(msg);
        // A HOSTNAME that breaks RFC 5424's rule is kept in the envelope only: the node is then decided as when there is none.
        String hostname = badFields.contains(HeaderField.HOSTNAME) ? null : msg.hostname();
        Classification c = classifier.classify(msg.appName(), hostname, msg.msg());
        NodeResolver.Identity id = nodes.resolve(peer.certificateIdentity(), peer.remote(), hostname);
        Instant eventTime = msg.eventTime(received, rfc3164Zone);

        List<String> flags = new ArrayList<>(extraFlags);
        if (!badFields.isEmpty()) {
            flags.add(HEADER_INVALID);
            for (HeaderField f : badFields) {
                flags.add(HEADER_INVALID + ':' + MeterDoc.label(f));
                metrics.headerInvalid(f);
            }
        }
        if (eventTime == null && msg.timestamp() != null) {
            flags.add("timestamp_invalid");
            metrics.timestampInvalid();
        }
        if (truncated) {
            flags.add("truncated");
            metrics.truncated(peer.transport());
        }
        if (reassemblyFlag != null) {
            flags.add(reassemblyFlag);
        }
        if (id.mismatch() != null) {
            flags.add("identity_mismatch");
            identityMismatch(id, peer);
        }
        if (!msg.utf8Valid()) {
            flags.add("invalid_utf8");
            metrics.invalidUtf8();
        }
        if (msg.format() == SyslogFormat.UNPARSED) {
            metrics.parseFailure(msg.error());
        }
        if (c.shortfall() != null) {
            metrics.classifyShortfall(c.shortfall());
        }
        Stream stream = c.stream();
        metrics.received(peer.transport(), msg.format(), stream, raw.length);

        Envelope env = new Envelope(EventIds.next(receivedMillis), received, id.node(), id.source(), stream,
                peer.transport(), peer.listener(), NodeResolver.addressText(peer.remote()),
                peer.remote() == null ? 0 : peer.remote().getPort(), peer.certificateIdentity(), framing,
                truncated, originalLength, msg, eventTime, c, flags, raw, pieces, docker, id.claimed());

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
        // An event that broke the identity rule of the node it named proves nothing about any node's
        // audit trail: no pulse, no compliance signal (it still counts as its real sender's traffic).
        boolean trusted = id.mismatch() == null || !id.mismatch().violation();
        if (c.pulse() && trusted) {
            headers.add(new RecordHeader(EventHeaders.PULSE, PULSE));
        }
        if (c.compliance() != null && trusted) {
            headers.add(new RecordHeader(c.compliance().header(), c.compliance().encode()));
            headers.add(new RecordHeader(EventHeaders.NODE_SOURCE, id.source().id().getBytes(StandardCharsets.US_ASCII)));
        }
        return new OutboundEvent(key, EnvelopeCodec.encode(env), headers, System.nanoTime());
    }

    private static Map<IdentityMismatch, RateLimitedLog> mismatchLogs() {
        Map<IdentityMismatch, RateLimitedLog> logs = new java.util.EnumMap<>(IdentityMismatch.class);
        for (IdentityMismatch m : IdentityMismatch.values()) {
            logs.put(m, new RateLimitedLog(LOG, "Events kept but not attributed to the node they named (identity_mismatch, "
                    + m.label() + ")"));
        }
        return logs;
    }

    private void identityMismatch(NodeResolver.Identity id, Peer peer) {
        metrics.identityMismatch(id.mismatch());
        String sender = NodeResolver.addressText(peer.remote()) + (peer.certificateIdentity() == null ? ""
                : " (certificate " + RateLimitedLog.escape(peer.certificateIdentity(), LOGGED_NAME_CHARS) + ")");
        mismatchLogs.get(id.mismatch()).record("'" + RateLimitedLog.escape(id.claimed(), LOGGED_NAME_CHARS) + "' from " + sender
                        + " over " + peer.transport().id() + ", attributed to " + RateLimitedLog.escape(id.node(), LOGGED_NAME_CHARS));
        if (spoofing != null && id.mismatch().violation()) {
            spoofing.violation(nodes.claimedNode(id.claimed()), sender, id.mismatch());
        }
    }
}
