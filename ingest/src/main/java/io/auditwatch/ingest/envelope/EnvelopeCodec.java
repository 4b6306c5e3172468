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
import java.util.Base64;
import java.util.Map;

/**
 * The one envelope codec: {@link Envelope} to the JSON value of an {@code audit.events} record and
 * back to the raw bytes. The JSON layout is documented in ingest/README.md ("The envelope").
 *
 * <p>The raw message is stored as {@code raw} (a JSON string) when it is valid UTF-8, which JSON
 * represents exactly, and as {@code raw_base64} otherwise, so that the original bytes are always
 * recoverable, byte for byte, and still readable with {@code kcat} in the common case.
 */
public final class EnvelopeCodec {
    /** Envelope layout version; bumped on incompatible changes. */
    public static final int VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    private EnvelopeCodec() {
    }

    /** Encodes an envelope as UTF-8 JSON. */
    public static byte[] encode(Envelope e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(e.raw().length * 2 + 512);
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
            writeSyslog(g, e.syslog());
            if (e.eventTime() != null) {
                g.writeStringField("event_time", e.eventTime().toString());
            }
            if (e.classification() != null) {
                writeClassification(g, e.classification());
            }
            if (!e.flags().isEmpty()) {
                g.writeArrayFieldStart("flags");
                for (String f : e.flags()) {
                    g.writeString(f);
                }
                g.writeEndArray();
            }
            writeOptional(g, "claimed_node", e.claimedNode());
            if (e.docker() != null) {
                writeDocker(g, e.docker());
            }
            writeRaw(g, "raw", "raw_base64", e.raw());
            if (!e.pieces().isEmpty()) {
                g.writeArrayFieldStart("pieces");
                for (byte[] p : e.pieces()) {
                    g.writeStartObject();
                    writeRaw(g, "raw", "raw_base64", p);
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

    private static void writeSyslog(JsonGenerator g, SyslogMessage m) throws IOException {
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
        g.writeStringField("message", m.msg());
        g.writeEndObject();
    }

    private static void writeClassification(JsonGenerator g, Classification c) throws IOException {
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
        Map<String, Object> fields = c.fields();
        if (fields != null && !fields.isEmpty()) {
            g.writeFieldName("fields");
            MAPPER.writeValue(g, fields);
        }
        writeOptional(g, "classify_note", c.parseNote());
    }

    private static void writeDocker(JsonGenerator g, DockerLog d) throws IOException {
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
        if (!d.extra().isEmpty()) {
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

    private static void writeRaw(JsonGenerator g, String textField, String base64Field, byte[] raw) throws IOException {
        String text = strictUtf8(raw);
        if (text != null) {
            g.writeStringField(textField, text);
        } else {
            g.writeStringField(base64Field, Base64.getEncoder().encodeToString(raw));
        }
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
}
