package io.auditwatch.ingest.envelope;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditwatch.ingest.classify.Classification;
import io.auditwatch.ingest.envelope.JsonBytes.Name;
import io.auditwatch.ingest.syslog.Framing;
import io.auditwatch.ingest.syslog.ParseError;
import io.auditwatch.ingest.syslog.SyslogFormat;
import io.auditwatch.ingest.syslog.SyslogMessage;
import io.auditwatch.ingest.syslog.Utf8;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes an {@link Envelope} as the JSON value of ingest/README.md, "The envelope", member by
 * member with {@link JsonBytes}: the raw bytes are checked as UTF-8 once and copied with their
 * escapes, never decoded to a String and encoded again. The rules of what is written (the size
 * budget, {@code raw} or {@code raw_base64}) are {@link EnvelopeCodec}'s.
 */
final class EnvelopeWriter {

    /** Only for a parsed field of a type {@link #fieldValue} does not know; the classifier sends none. */
    private static final ObjectMapper MAPPER = new ObjectMapper();

    // The member names of ingest/README.md, "The envelope", encoded once.
    private static final Name V = new Name("v");
    private static final Name ID = new Name("id");
    private static final Name RECEIVED_AT = new Name("received_at");
    private static final Name NODE = new Name("node");
    private static final Name NODE_SOURCE = new Name("node_source");
    private static final Name STREAM = new Name("stream");
    private static final Name SOURCE = new Name("source");
    private static final Name TRANSPORT = new Name("transport");
    private static final Name LISTENER = new Name("listener");
    private static final Name ADDRESS = new Name("address");
    private static final Name PORT = new Name("port");
    private static final Name CERTIFICATE_IDENTITY = new Name("certificate_identity");
    private static final Name FRAMING = new Name("framing");
    private static final Name TRUNCATED = new Name("truncated");
    private static final Name ORIGINAL_LENGTH = new Name("original_length");
    private static final Name EVENT_TIME = new Name("event_time");
    private static final Name FLAGS = new Name("flags");
    private static final Name CLAIMED_NODE = new Name("claimed_node");
    private static final Name RAW = new Name("raw");
    private static final Name RAW_BASE64 = new Name("raw_base64");
    private static final Name PIECES = new Name("pieces");
    private static final Name LENGTH = new Name("length");
    private static final Name MESSAGE_OFFSET = new Name("message_offset");
    private static final Name FORMAT = new Name("format");
    private static final Name PARSE_ERROR = new Name("parse_error");
    private static final Name SYSLOG = new Name("syslog");
    private static final Name FACILITY = new Name("facility");
    private static final Name SEVERITY = new Name("severity");
    private static final Name VERSION = new Name("version");
    private static final Name TIMESTAMP = new Name("timestamp");
    private static final Name HOSTNAME = new Name("hostname");
    private static final Name APP_NAME = new Name("app_name");
    private static final Name PROC_ID = new Name("proc_id");
    private static final Name MSG_ID = new Name("msg_id");
    private static final Name STRUCTURED_DATA = new Name("structured_data");
    private static final Name PARAMS = new Name("params");
    private static final Name BOM = new Name("bom");
    private static final Name MESSAGE = new Name("message");
    private static final Name COMPONENT = new Name("component");
    private static final Name CONTAINER = new Name("container");
    private static final Name NAME = new Name("name");
    private static final Name PULSE = new Name("pulse");
    private static final Name FIELDS = new Name("fields");
    private static final Name CLASSIFY_NOTE = new Name("classify_note");
    private static final Name DOCKER = new Name("docker");
    private static final Name DRIVER = new Name("driver");
    private static final Name CONTAINER_ID = new Name("container_id");
    private static final Name CONTAINER_NAME = new Name("container_name");
    private static final Name IMAGE_NAME = new Name("image_name");
    private static final Name IMAGE_ID = new Name("image_id");
    private static final Name TAG = new Name("tag");
    private static final Name CHUNK = new Name("chunk");
    private static final Name PARTIAL = new Name("partial");
    private static final Name ORDINAL = new Name("ordinal");
    private static final Name LAST = new Name("last");
    private static final Name EXTRA = new Name("extra");

    private static final String[] FRAMINGS = lowerCase(Framing.values());
    private static final String[] FORMATS = lowerCase(SyslogFormat.values());
    private static final String[] PARSE_ERRORS = lowerCase(ParseError.values());

    private EnvelopeWriter() {
    }

    /** The envelope's JSON, reduced when the full one would pass {@link EnvelopeCodec#maxEncodedBytes}. */
    static byte[] encode(Envelope e) {
        byte[] raw = e.raw();
        long rawEscaped = Utf8.isValid(raw, 0, raw.length) ? JsonBytes.escapedLength(raw, 0, raw.length) : -1;
        boolean rawIsText = rawEscaped >= 0 && rawEscaped <= EnvelopeCodec.base64Length(raw.length);
        JsonBytes w = JsonBytes.start();
        write(w, e, false, rawIsText, rawEscaped);
        if (w.length() > EnvelopeCodec.maxEncodedBytes(raw.length)) {
            w = JsonBytes.start();
            write(w, e, true, rawIsText, rawEscaped);
        }
        return w.finish();
    }

    private static void write(JsonBytes w, Envelope e, boolean reduced, boolean rawIsText, long rawEscaped) {
        w.startObject();
        w.field(V, EnvelopeCodec.VERSION);
        w.name(ID).uuid(e.id());
        w.name(RECEIVED_AT).instant(e.receivedAt());
        w.field(NODE, e.node());
        w.field(NODE_SOURCE, e.nodeSource().id());
        w.field(STREAM, e.stream().id());
        w.startObject(SOURCE);
        w.field(TRANSPORT, e.transport().id());
        w.field(LISTENER, e.listener());
        w.field(ADDRESS, e.sourceAddress());
        w.field(PORT, e.sourcePort());
        w.optional(CERTIFICATE_IDENTITY, e.certificateIdentity());
        w.endObject();
        w.field(FRAMING, FRAMINGS[e.framing().ordinal()]);
        if (e.truncated()) {
            w.field(TRUNCATED, true);
            w.field(ORIGINAL_LENGTH, e.originalLength());
        }
        writeSyslog(w, e, reduced, !rawIsText);
        if (e.eventTime() != null) {
            w.name(EVENT_TIME).instant(e.eventTime());
        }
        boolean fieldsOmitted = e.classification() != null && writeClassification(w, e.classification(), reduced);
        List<String> flags = e.flags();
        if (!flags.isEmpty() || fieldsOmitted || reduced) {
            w.startArray(FLAGS);
            for (String f : flags) {
                w.string(f);
            }
            if (fieldsOmitted) {
                w.string("fields_omitted");
            }
            if (reduced) {
                w.string("envelope_reduced");
            }
            w.endArray();
        }
        w.optional(CLAIMED_NODE, e.claimedNode());
        if (e.docker() != null) {
            writeDocker(w, e.docker(), reduced);
        }
        if (rawIsText) {
            w.name(RAW).utf8String(e.raw(), 0, e.raw().length, rawEscaped);
        } else {
            w.name(RAW_BASE64).base64String(e.raw());
        }
        if (!e.pieces().isEmpty()) {
            w.startArray(PIECES);
            for (Envelope.Piece p : e.pieces()) {
                w.startObject();
                w.field(LENGTH, p.length());
                if (p.messageOffset() >= 0) {
                    w.field(MESSAGE_OFFSET, p.messageOffset());
                }
                w.endObject();
            }
            w.endArray();
        }
        w.endObject();
    }

    /**
     * @param rawIsBase64 when {@code raw} is stored as base64 the text is not readable in it, so a
     *     MSG of up to {@value EnvelopeCodec#INLINE_MESSAGE_MAX_BYTES} bytes is written as {@code message} too
     */
    private static void writeSyslog(JsonBytes w, Envelope e, boolean reduced, boolean rawIsBase64) {
        SyslogMessage m = e.syslog();
        w.field(FORMAT, FORMATS[m.format().ordinal()]);
        if (m.error() != null) {
            w.field(PARSE_ERROR, PARSE_ERRORS[m.error().ordinal()]);
        }
        w.startObject(SYSLOG);
        if (m.facility() >= 0) {
            w.field(FACILITY, m.facility());
            w.field(SEVERITY, m.severity());
        }
        if (m.version() > 0) {
            w.field(VERSION, m.version());
        }
        if (reduced) {
            w.endObject();
            return;
        }
        w.optional(TIMESTAMP, m.timestamp());
        w.optional(HOSTNAME, m.hostname());
        w.optional(APP_NAME, m.appName());
        w.optional(PROC_ID, m.procId());
        w.optional(MSG_ID, m.msgId());
        if (!m.structuredData().isEmpty()) {
            w.startArray(STRUCTURED_DATA);
            for (var el : m.structuredData()) {
                w.startObject();
                w.field(ID, el.id());
                w.startArray(PARAMS);
                for (var p : el.params()) {
                    w.startArray().string(p.name()).string(p.value()).endArray();
                }
                w.endArray();
                w.endObject();
            }
            w.endArray();
        }
        if (m.bom()) {
            w.field(BOM, true);
        }
        if (e.docker() == null && e.pieces().isEmpty()) {
            // The MSG is raw from this offset on (per piece for a reassembled message).
            w.field(MESSAGE_OFFSET, Math.min(m.msgOffset(), e.raw().length));
        }
        if ((e.docker() != null || rawIsBase64) && utf8Length(m.msg()) <= EnvelopeCodec.INLINE_MESSAGE_MAX_BYTES) {
            w.field(MESSAGE, m.msg());
        }
        w.endObject();
    }

    /** @return whether the parsed fields were left out for passing {@value EnvelopeCodec#FIELDS_MAX_BYTES} bytes */
    private static boolean writeClassification(JsonBytes w, Classification c, boolean reduced) {
        w.optional(COMPONENT, c.component());
        if (c.containerName() != null || c.containerId() != null) {
            w.startObject(CONTAINER);
            w.optional(NAME, c.containerName());
            w.optional(ID, c.containerId());
            w.endObject();
        }
        if (c.pulse()) {
            w.field(PULSE, true);
        }
        boolean omitted = false;
        if (!reduced && !c.fields().isEmpty()) {
            long mark = w.mark();
            w.name(FIELDS);
            int from = w.length();
            fieldValue(w, c.fields());
            if (w.length() - from > EnvelopeCodec.FIELDS_MAX_BYTES) {
                w.reset(mark);
                omitted = true;
            }
        }
        if (!reduced) {
            w.optional(CLASSIFY_NOTE, c.parseNote());
        }
        return omitted;
    }

    /** A parsed field's value: String, Integer, Long, Boolean, List, Map with String keys, or null (see {@link Classification}). */
    private static void fieldValue(JsonBytes w, Object v) {
        if (v == null) {
            w.nullValue();
        } else if (v instanceof String s) {
            w.string(s);
        } else if (v instanceof Long || v instanceof Integer) {
            w.number(((Number) v).longValue());
        } else if (v instanceof Boolean b) {
            w.bool(b);
        } else if (v instanceof List<?> list) {
            w.startArray();
            for (Object x : list) {
                fieldValue(w, x);
            }
            w.endArray();
        } else if (v instanceof Map<?, ?> map && stringKeys(map)) {
            w.startObject();
            // forEach, not entrySet(): an unmodifiable map wraps each entry it iterates in a new object.
            map.forEach((k, x) -> fieldValue(w.name((String) k), x));
            w.endObject();
        } else {
            try {
                w.rawValue(MAPPER.writeValueAsBytes(v));
            } catch (JsonProcessingException ex) {
                throw new UncheckedIOException("encoding a parsed field into memory cannot fail", ex);
            }
        }
    }

    private static boolean stringKeys(Map<?, ?> map) {
        for (Object k : map.keySet()) {
            if (!(k instanceof String)) {
                return false;
            }
        }
        return true;
    }

    private static void writeDocker(JsonBytes w, DockerLog d, boolean reduced) {
        w.startObject(DOCKER);
        w.field(DRIVER, d.driver());
        w.optional(SOURCE, d.source());
        w.optional(CONTAINER_ID, d.containerId());
        w.optional(CONTAINER_NAME, d.containerName());
        w.optional(IMAGE_NAME, d.imageName());
        w.optional(IMAGE_ID, d.imageId());
        w.optional(TAG, d.tag());
        w.optional(CHUNK, d.chunk());
        if (d.partial() != null) {
            w.startObject(PARTIAL);
            w.field(ID, d.partial().id());
            w.field(ORDINAL, d.partial().ordinal());
            w.field(LAST, d.partial().last());
            w.endObject();
        }
        if (!reduced && !d.extra().isEmpty()) {
            w.startObject(EXTRA);
            for (Map.Entry<String, String> x : d.extra().entrySet()) {
                if (x.getValue() != null) {
                    w.name(x.getKey()).string(x.getValue());
                }
            }
            w.endObject();
        }
        w.endObject();
    }

    /** UTF-8 bytes of {@code s}, a lone surrogate counted as the three bytes of its replacement. */
    private static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
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

    private static String[] lowerCase(Enum<?>[] values) {
        String[] names = new String[values.length];
        for (Enum<?> v : values) {
            names[v.ordinal()] = v.name().toLowerCase(Locale.ROOT);
        }
        return names;
    }
}
