package io.auditwatch.ingest.envelope;

import io.auditwatch.heartbeat.Stream;
import io.auditwatch.ingest.classify.Classification;
import io.auditwatch.ingest.syslog.Framing;
import io.auditwatch.ingest.syslog.SyslogMessage;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One received event as stored in {@code audit.events}: the raw bytes exactly as received, and
 * what auditwatch learnt about them. Parsing adds fields and never replaces the original; a message
 * that did not parse is still stored, with {@code syslog.format() == UNPARSED}.
 *
 * @param id unique event id (UUIDv7), lets consumers drop the rare duplicate
 * @param receivedAt the collector's clock when the message was read; drives liveness
 * @param node resolved node identity (the Kafka record key)
 * @param nodeSource which rule decided {@code node}
 * @param stream the audit stream heartbeat tracks
 * @param transport udp, tcp or tls
 * @param listener the listener's name in the configuration ({@code udp}, {@code tcp}, {@code tls})
 * @param sourceAddress the sender's IP address as text
 * @param sourcePort the sender's port
 * @param certificateIdentity identity from the TLS client certificate, or null
 * @param framing how the frame was delimited
 * @param truncated whether the message was cut to the maximum message size
 * @param originalLength the message's length before truncation, -1 if unknown
 * @param syslog the parsed header fields (format UNPARSED with a reason when parsing failed)
 * @param eventTime the sender's timestamp as an instant, or null; never trusted for liveness
 * @param classification what the payload was recognised as, with its fields; null when not classified
 * @param flags notable conditions, e.g. {@code truncated}, {@code invalid_utf8}, {@code identity_mismatch}
 * @param raw the message bytes exactly as received (for reassembled messages: the pieces joined)
 * @param pieces for a message reassembled from Docker's 16 KiB pieces, where each piece lies in
 *     {@code raw} (their lengths add up to {@code raw.length}); else empty
 * @param docker the container fields of an event from Docker's fluentd or gelf driver; null for syslog
 * @param claimedNode with the {@code identity_mismatch} flag: the node the event named (HOSTNAME, or
 *     the certificate or address mapping) that is not {@code node}, kept for forensics; else null
 */
public record Envelope(
        UUID id,
        Instant receivedAt,
        String node,
        NodeSource nodeSource,
        Stream stream,
        Transport transport,
        String listener,
        String sourceAddress,
        int sourcePort,
        String certificateIdentity,
        Framing framing,
        boolean truncated,
        int originalLength,
        SyslogMessage syslog,
        Instant eventTime,
        Classification classification,
        List<String> flags,
        byte[] raw,
        List<Piece> pieces,
        DockerLog docker,
        String claimedNode) {

    /**
     * One piece of a reassembled message: the next {@code length} bytes of {@code raw}. The pieces
     * are not stored again: they are {@code raw} cut at these lengths.
     *
     * @param length the piece's bytes, at least 1
     * @param messageOffset where the piece's MSG starts within the piece (after its syslog header),
     *     or -1 when the piece is not a syslog message (Docker's fluentd and gelf drivers)
     */
    public record Piece(int length, int messageOffset) {
        public Piece {
            if (length < 1 || messageOffset < -1 || messageOffset > length) {
                throw new IllegalArgumentException("piece of " + length + " bytes with message at " + messageOffset);
            }
        }
    }

    public Envelope {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(raw, "raw");
        flags = flags == null ? List.of() : List.copyOf(flags);
        pieces = pieces == null ? List.of() : List.copyOf(pieces);
        long total = 0;
        for (Piece p : pieces) {
            total += p.length();
        }
        if (!pieces.isEmpty() && total != raw.length) {
            throw new IllegalArgumentException("pieces add up to " + total + " bytes, raw has " + raw.length);
        }
    }
}
