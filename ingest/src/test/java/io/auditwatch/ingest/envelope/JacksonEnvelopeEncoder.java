package io.auditwatch.ingest.envelope;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
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
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The oracle for {@link EnvelopeCodec#encode}: the envelope encoder as it was written with Jackson's
 * {@link JsonGenerator} (layout version 2), kept verbatim for {@link EnvelopeWriterPropertiesTest}
 * to compare the hand-written writer with. Test code only: never on the data path.
 */
final class JacksonEnvelopeEncoder {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    private JacksonEnvelopeEncoder() {
    }

    /** The envelope as the Jackson encoder wrote it. */
    static byte[] encode(Envelope e) {
        byte[] full = encode(e, false);
        if (full.length <= EnvelopeCodec.maxEncodedBytes(e.raw().length)) {
            return full;
        }
        return encode(e, true);
    }

    private static byte[] encode(Envelope e, boolean reduced) {
        String rawText = rawText(e.raw());
        byte[] fields = reduced ? null : fieldsJson(e.classification());
        boolean fieldsOmitted = !reduced && fields != null && fields.length > EnvelopeCodec.FIELDS_MAX_BYTES;
        ByteArrayOutputStream out = new ByteArrayOutputStream(e.raw().length + 1024);
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeNumberField("v", EnvelopeCodec.VERSION);
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
     *     MSG of up to {@value EnvelopeCodec#INLINE_MESSAGE_MAX_BYTES} bytes is written as {@code message} too
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
        if ((e.docker() != null || rawIsBase64) && utf8Length(m.msg()) <= EnvelopeCodec.INLINE_MESSAGE_MAX_BYTES) {
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
}
