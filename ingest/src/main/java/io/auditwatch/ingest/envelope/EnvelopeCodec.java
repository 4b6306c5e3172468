package io.auditwatch.ingest.envelope;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditwatch.ingest.classify.Classification;
import io.auditwatch.ingest.syslog.SyslogMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

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
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    private EnvelopeCodec() {
    }

    /**
     * The longest envelope of a message of {@code rawBytes} bytes: its base64 length plus
     * {@value #OVERHEAD_MAX_BYTES}. {@link #encode} never returns more.
     */
    public static long maxEncodedBytes(long rawBytes) {
        return base64Length(rawBytes) + OVERHEAD_MAX_BYTES;
    }

    /** Encodes an envelope as UTF-8 JSON, at most {@link #maxEncodedBytes} of its raw length. */
    public static byte[] encode(Envelope e) {
        byte[] full = encode(e, false);
        if (full.length <= maxEncodedBytes(e.raw().length)) {
            return full;
        }
        return encode(e, true);
    }

    private static byte[] encode(Envelope e, boolean reduced) {
        String rawText = rawText(e.raw());
        byte[] fields = reduced ? null : fieldsJson(e.classification());
        boolean fieldsOmitted = !reduced && fields != null && fields.length > FIELDS_MAX_BYTES;
        ByteArrayOutputStream out = new ByteArrayOutputStream(e.raw().length + 1024);
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeNumberField("v", VERSION);
            g.writeStringField("id", e.id().toString());
            g.writeStringField("received_at", e.receivedAt().toString());
            g.writeStringField("node", e.node());
            g.writeStringField("node_source", e.nodeSource().id());
            g.writeStringField("stream", e.stream().id());
            g.writeObjectFieldStart("source");
            g.writeStringField("transport", e.transport().id());
            g.writeStringField("listener", e.listener());
            g.writeStringField("address", e.sourceAddress());
            g.writeNumberField("port", e.sourcePort());
            if (e.certificateIdentity() != null) {
                g.writeStringField("certificate_identity", e.certificateIdentity());
            }
            g.writeEndObject();
            g.writeStringField("framing", e.framing().name().toLowerCase(java.util.Locale.ROOT));
            if (e.truncated()) {
                g.writeBooleanField("truncated", true);
                g.writeNumberField("original_length", e.originalLength());
            }
            writeSyslog(g, e, reduced, rawText == null);
            if (e.eventTime() != null) {
                g.writeStringField("event_time", e.eventTime().toString());
            }
            if (e.classification() != null) {
                writeClassification(g, e.classification(), fieldsOmitted ? null : fields, reduced);
            }
            List<String> flags = new ArrayList<>(e.flags());
            if (fieldsOmitted) {
                flags.add("fields_omitted");
            }
            if (reduced) {
                flags.add("envelope_reduced");
            }
            if (!flags.isEmpty()) {
                g.writeArrayFieldStart("flags");
                for (String f : flags) {
                    g.writeString(f);
                }
                g.writeEndArray();
            }
            writeOptional(g, "claimed_node", e.claimedNode());
            if (e.docker() != null) {
                writeDocker(g, e.docker(), reduced);
            }
            if (rawText != null) {
                g.writeStringField("raw", rawText);
            } else {
                g.writeStringField("raw_base64", Base64.getEncoder().encodeToString(e.raw()));
            }
            if (!e.pieces().isEmpty()) {
                g.writeArrayFieldStart("pieces");
                for (Envelope.Piece p : e.pieces()) {
                    g.writeStartObject();
                    g.writeNumberField("length", p.length());
                    if (p.messageOffset() >= 0) {
                        g.writeNumberField("message_offset", p.messageOffset());
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException("encoding an envelope into memory cannot fail", ex);
        }
        return out.toByteArray();
    }

    private static byte[] fieldsJson(Classification c) {
        if (c == null || c.fields() == null || c.fields().isEmpty()) {
            return null;
        }
        try {
            return MAPPER.writeValueAsBytes(c.fields());
        } catch (IOException ex) {
            throw new UncheckedIOException("encoding parsed fields into memory cannot fail", ex);
        }
    }

    /**
     * @param rawIsBase64 when {@code raw} is stored as base64 the text is not readable in it, so a
     *     MSG of up to {@value #INLINE_MESSAGE_MAX_BYTES} bytes is written as {@code message} too
     */
    private static void writeSyslog(JsonGenerator g, Envelope e, boolean reduced, boolean rawIsBase64)
            throws IOException {
        SyslogMessage m = e.syslog();
        g.writeStringField("format", m.format().name().toLowerCase(java.util.Locale.ROOT));
        if (m.error() != null) {
            g.writeStringField("parse_error", m.error().name().toLowerCase(java.util.Locale.ROOT));
        }
        g.writeObjectFieldStart("syslog");
        if (m.facility() >= 0) {
            g.writeNumberField("facility", m.facility());
            g.writeNumberField("severity", m.severity());
        }
        if (m.version() > 0) {
            g.writeNumberField("version", m.version());
        }
        if (reduced) {
            g.writeEndObject();
            return;
        }
        writeOptional(g, "timestamp", m.timestamp());
        writeOptional(g, "hostname", m.hostname());
        writeOptional(g, "app_name", m.appName());
        writeOptional(g, "proc_id", m.procId());
        writeOptional(g, "msg_id", m.msgId());
        if (!m.structuredData().isEmpty()) {
            g.writeArrayFieldStart("structured_data");
            for (var el : m.structuredData()) {
                g.writeStartObject();
                g.writeStringField("id", el.id());
                g.writeArrayFieldStart("params");
                for (var p : el.params()) {
                    g.writeStartArray();
                    g.writeString(p.name());
                    g.writeString(p.value());
                    g.writeEndArray();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        if (m.bom()) {
            g.writeBooleanField("bom", true);
        }
        if (e.docker() == null && e.pieces().isEmpty()) {
            // The MSG is raw from this offset on (per piece for a reassembled message).
            g.writeNumberField("message_offset", Math.min(m.msgOffset(), e.raw().length));
        }
        if ((e.docker() != null || rawIsBase64) && utf8Length(m.msg()) <= INLINE_MESSAGE_MAX_BYTES) {
            g.writeStringField("message", m.msg());
        }
        g.writeEndObject();
    }

    private static void writeClassification(JsonGenerator g, Classification c, byte[] fields, boolean reduced)
            throws IOException {
        writeOptional(g, "component", c.component());
        if (c.containerName() != null || c.containerId() != null) {
            g.writeObjectFieldStart("container");
            writeOptional(g, "name", c.containerName());
            writeOptional(g, "id", c.containerId());
            g.writeEndObject();
        }
        if (c.pulse()) {
            g.writeBooleanField("pulse", true);
        }
        if (fields != null) {
            g.writeFieldName("fields");
            g.writeRawValue(new String(fields, StandardCharsets.UTF_8));
        }
        if (!reduced) {
            writeOptional(g, "classify_note", c.parseNote());
        }
    }

    private static void writeDocker(JsonGenerator g, DockerLog d, boolean reduced) throws IOException {
        g.writeObjectFieldStart("docker");
        g.writeStringField("driver", d.driver());
        writeOptional(g, "source", d.source());
        writeOptional(g, "container_id", d.containerId());
        writeOptional(g, "container_name", d.containerName());
        writeOptional(g, "image_name", d.imageName());
        writeOptional(g, "image_id", d.imageId());
        writeOptional(g, "tag", d.tag());
        writeOptional(g, "chunk", d.chunk());
        if (d.partial() != null) {
            g.writeObjectFieldStart("partial");
            g.writeStringField("id", d.partial().id());
            g.writeNumberField("ordinal", d.partial().ordinal());
            g.writeBooleanField("last", d.partial().last());
            g.writeEndObject();
        }
        if (!reduced && !d.extra().isEmpty()) {
            g.writeObjectFieldStart("extra");
            for (Map.Entry<String, String> x : d.extra().entrySet()) {
                writeOptional(g, x.getKey(), x.getValue());
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void writeOptional(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }

    /** {@code raw} as the text to store, or null when it is stored as base64 (see the class comment). */
    private static String rawText(byte[] raw) {
        String text = strictUtf8(raw);
        return text != null && jsonStringLength(text) <= base64Length(raw.length) ? text : null;
    }

    private static long base64Length(long bytes) {
        return 4 * ((bytes + 2) / 3);
    }

    /**
     * Bytes of {@code s} as a JSON string body the way Jackson writes it: UTF-8, with the quote,
     * the backslash and the control characters escaped (newline, tab and the other short escapes
     * two bytes, the rest six as a backslash-u escape).
     */
    static long jsonStringLength(String s) {
        return encodedLength(s, true);
    }

    private static long utf8Length(String s) {
        return encodedLength(s, false);
    }

    private static long encodedLength(String s, boolean jsonEscapes) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (jsonEscapes && (c == '"' || c == '\\')) {
                n += 2;
            } else if (jsonEscapes && c < 0x20) {
                n += c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f' ? 2 : 6;
            } else if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** Whether {@code bytes} are well-formed UTF-8. */
    public static boolean isUtf8(byte[] bytes) {
        return strictUtf8(bytes) != null;
    }

    /** The text when {@code bytes} are valid UTF-8, else null. */
    static String strictUtf8(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                try {
                    return StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes))
                            .toString();
                } catch (CharacterCodingException e) {
                    return null;
                }
            }
        }
        return new String(bytes, StandardCharsets.US_ASCII);
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
