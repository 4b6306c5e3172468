package io.auditwatch.ingest.gelf;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditwatch.ingest.inflate.BoundedInflate;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One GELF payload (a whole UDP datagram, the reassembled chunks, or one NUL-delimited TCP frame) to a
 * {@link GelfMessage}: gzip or zlib decompressed when its magic bytes say so (Docker's UDP default is
 * gzip), never past the message size bound, then read as one JSON object. Pure and thread-safe.
 */
public final class GelfCodec {
    /**
     * Nested objects in an additional field: GELF's are flat ("must not contain nested objects"),
     * Docker's are strings; a few levels are kept as JSON text, deeper input is refused.
     */
    static final int MAX_NESTING = 16;

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build()).build());

    private GelfCodec() {
    }

    /**
     * @param maxBytes the largest payload after decompression
     * @throws GelfException TOO_LARGE, BAD_COMPRESSION or BAD_JSON
     */
    public static GelfMessage decode(byte[] payload, int maxBytes) throws GelfException {
        byte[] json = payload;
        try {
            if (BoundedInflate.isGzip(payload)) {
                json = BoundedInflate.gunzip(payload, maxBytes);
            } else if (BoundedInflate.isZlib(payload)) {
                json = BoundedInflate.inflate(payload, maxBytes);
            }
        } catch (BoundedInflate.InflateException e) {
            throw new GelfException(e.tooLarge() ? GelfError.TOO_LARGE : GelfError.BAD_COMPRESSION, e.getMessage(), e);
        }
        if (json.length > maxBytes) {
            throw new GelfException(GelfError.TOO_LARGE, json.length + " bytes, at most " + maxBytes);
        }
        return parse(json);
    }

    private static GelfMessage parse(byte[] json) throws GelfException {
        String host = null;
        String shortMessage = null;
        String fullMessage = null;
        Instant timestamp = null;
        int level = -1;
        Map<String, String> additional = new LinkedHashMap<>();
        try (JsonParser p = MAPPER.getFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new GelfException(GelfError.BAD_JSON, "not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "host" -> host = text(p, t);
                    case "short_message" -> shortMessage = text(p, t);
                    case "full_message" -> fullMessage = text(p, t);
                    case "timestamp" -> timestamp = t.isNumeric() ? instant(p.getDecimalValue()) : null;
                    case "level" -> level = t == JsonToken.VALUE_NUMBER_INT && p.getIntValue() >= 0
                            && p.getIntValue() <= 7 ? p.getIntValue() : -1;
                    default -> {
                        String value = text(p, t);
                        if (name.startsWith("_") && name.length() > 1) {
                            additional.put(name.substring(1), value);
                        }
                    }
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new GelfException(GelfError.BAD_JSON, "trailing content after the object");
            }
        } catch (IOException e) {
            throw new GelfException(GelfError.BAD_JSON, e.getMessage(), e);
        }
        if (shortMessage == null) {
            throw new GelfException(GelfError.BAD_JSON, "no short_message");
        }
        return new GelfMessage(host, shortMessage, fullMessage, timestamp, level, additional, true, json);
    }

    /** A scalar as its text, a nested object or array as compact JSON. */
    private static String text(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            return MAPPER.writeValueAsString(MAPPER.readTree(p));
        }
        return t == JsonToken.VALUE_NULL ? null : p.getText();
    }

    /** Seconds since the epoch with a decimal fraction, to the nanosecond; null when out of range. */
    private static Instant instant(BigDecimal seconds) {
        try {
            BigDecimal whole = seconds.setScale(0, java.math.RoundingMode.FLOOR);
            long nanos = seconds.subtract(whole).movePointRight(9).setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
            return Instant.ofEpochSecond(whole.longValueExact(), nanos);
        } catch (ArithmeticException | java.time.DateTimeException e) {
            return null;
        }
    }
}
