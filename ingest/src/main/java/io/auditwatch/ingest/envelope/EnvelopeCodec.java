package io.auditwatch.ingest.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditwatch.ingest.syslog.Utf8;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The one envelope codec: {@link Envelope} to the JSON value of an {@code audit.events} record and
 * back to the raw bytes. The JSON layout is documented in ingest/README.md ("The envelope").
 *
 * <p>The message is stored once: {@code raw} holds its bytes exactly as received, and nothing
 * derived from it copies a large part of it again. The MSG of a syslog message is not repeated (the
 * envelope gives its offset in {@code raw}), the pieces of a reassembled line are {@code raw} cut at
 * their lengths, the line of a fluentd or gelf event is repeated only up to
 * {@value #INLINE_MESSAGE_MAX_BYTES} bytes, and parsed {@code fields} only up to
 * {@value #FIELDS_MAX_BYTES} bytes of JSON (a MSG whose {@code raw} is stored as base64 is repeated as
 * text up to the same {@value #INLINE_MESSAGE_MAX_BYTES} bytes, so that it stays readable). Hence the size budget {@link #maxEncodedBytes}: no
 * envelope is longer than its raw bytes in base64 plus {@value #OVERHEAD_MAX_BYTES} bytes, which the
 * Kafka producer's {@code max.request.size} and the topic's {@code max.message.bytes} are set from.
 *
 * <p>{@code raw} is a JSON string when the bytes are valid UTF-8 and their JSON form is not longer
 * than base64 (JSON holds UTF-8 exactly, and {@code kcat} shows it readably), else
 * {@code raw_base64}: control bytes, which JSON escapes to six bytes each, never make an envelope
 * longer than base64's four bytes per three.
 */
public final class EnvelopeCodec {
    /**
     * Envelope layout version; bumped on incompatible changes. 2: the MSG and the pieces are no
     * longer stored beside {@code raw} ({@code syslog.message_offset}, {@code pieces[].length}).
     */
    public static final int VERSION = 2;

    /**
     * Longest line of a fluentd or gelf event, or MSG of a message whose {@code raw} is base64,
     * repeated as {@code syslog.message}, in UTF-8 bytes: one Docker piece (16 KiB); a longer one is
     * read from {@code raw} only.
     */
    public static final int INLINE_MESSAGE_MAX_BYTES = 16 * 1024;

    /**
     * Longest JSON of the parsed {@code fields} stored, in bytes: an auditd record's fields are a few
     * KiB (the kernel's records are at most 8970 bytes), a UCP audit entry's without its request and
     * response objects too; beyond it the fields are left out (flag {@code fields_omitted}) and the
     * entry is read from {@code raw}.
     */
    public static final int FIELDS_MAX_BYTES = 64 * 1024;

    /**
     * Bound on everything of an envelope but its {@code raw}, in bytes: identity, addresses, times
     * and flags (under 1 KiB), the syslog header fields and structured data, an inline message
     * ({@value #INLINE_MESSAGE_MAX_BYTES} bytes, six times that when every byte is escaped), the
     * fields ({@value #FIELDS_MAX_BYTES}), the Docker fields and the pieces' lengths. An envelope
     * that would pass it (a frame that is almost all structured data) is written reduced: without
     * the header strings, structured data, message, fields and Docker extras, all of which
     * {@code raw} holds, and flagged {@code envelope_reduced}.
     */
    public static final int OVERHEAD_MAX_BYTES = 256 * 1024;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private EnvelopeCodec() {
    }

    /**
     * The longest envelope of a message of {@code rawBytes} bytes: its base64 length plus
     * {@value #OVERHEAD_MAX_BYTES}. {@link #encode} never returns more.
     */
    public static long maxEncodedBytes(long rawBytes) {
        return base64Length(rawBytes) + OVERHEAD_MAX_BYTES;
    }

    /**
     * Encodes an envelope as UTF-8 JSON, at most {@link #maxEncodedBytes} of its raw length, without
     * a general-purpose JSON generator (ingest/README.md, "How the envelope is written").
     */
    public static byte[] encode(Envelope e) {
        return EnvelopeWriter.encode(e);
    }

    static long base64Length(long bytes) {
        return 4 * ((bytes + 2) / 3);
    }

    /** Whether {@code bytes} are well-formed UTF-8. */
    public static boolean isUtf8(byte[] bytes) {
        return Utf8.isValid(bytes, 0, bytes.length);
    }

    /** Parses an envelope's JSON for readers and tests. */
    public static JsonNode read(byte[] json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not an auditwatch envelope: " + e.getMessage(), e);
        }
    }

    /** The raw message bytes of a parsed envelope, exactly as received. */
    public static byte[] raw(JsonNode envelope) {
        JsonNode text = envelope.get("raw");
        if (text != null) {
            return text.asText().getBytes(StandardCharsets.UTF_8);
        }
        JsonNode b64 = envelope.get("raw_base64");
        if (b64 == null) {
            throw new IllegalArgumentException("envelope has neither raw nor raw_base64");
        }
        return Base64.getDecoder().decode(b64.asText());
    }

    /**
     * The pieces of a reassembled message as received, in order: {@code raw} cut at
     * {@code pieces[].length} (version 1 stored each piece's {@code raw} too); empty when the
     * message was not reassembled.
     */
    public static List<byte[]> pieces(JsonNode envelope) {
        JsonNode pieces = envelope.path("pieces");
        List<byte[]> out = new ArrayList<>(pieces.size());
        if (pieces.size() == 0) {
            return out;
        }
        if (!pieces.get(0).has("length")) {
            for (JsonNode p : pieces) {
                out.add(raw(p));
            }
            return out;
        }
        byte[] raw = raw(envelope);
        int at = 0;
        for (JsonNode p : pieces) {
            int length = p.get("length").asInt();
            out.add(Arrays.copyOfRange(raw, at, at + length));
            at += length;
        }
        return out;
    }

    /**
     * The message text ({@code MSG} of a syslog message, the line of a fluentd or gelf event)
     * decoded as UTF-8, invalid bytes replaced: {@code syslog.message} when stored, else read from
     * {@code raw} at {@code syslog.message_offset} (joined over the pieces' {@code message_offset}s
     * for a reassembled message). Null for a fluentd or gelf line longer than
     * {@value #INLINE_MESSAGE_MAX_BYTES} bytes, which only its driver's own format in {@code raw} holds.
     */
    public static String message(JsonNode envelope) {
        JsonNode syslog = envelope.path("syslog");
        if (syslog.has("message")) {
            return syslog.get("message").asText();
        }
        byte[] raw = raw(envelope);
        if (syslog.has("message_offset")) {
            int from = syslog.get("message_offset").asInt();
            return new String(raw, from, raw.length - from, StandardCharsets.UTF_8);
        }
        JsonNode pieces = envelope.path("pieces");
        if (pieces.size() == 0 || !pieces.get(0).has("message_offset")) {
            return null;
        }
        ByteArrayOutputStream msg = new ByteArrayOutputStream(raw.length);
        int at = 0;
        for (JsonNode p : pieces) {
            int length = p.get("length").asInt();
            int offset = p.get("message_offset").asInt();
            msg.write(raw, at + offset, length - offset);
            at += length;
        }
        return msg.toString(StandardCharsets.UTF_8);
    }
}
