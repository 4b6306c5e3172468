package io.auditwatch.ingest.classify;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads JSON from a message under hard limits (huge or deeply nested JSON in MSG),
 * into plain {@code Map}/{@code List}/scalar values that are JSON-serialisable as they are. Keys
 * named in {@code skip} are passed over without building their values: UCP {@code request}-level
 * entries carry whole request and response payloads that the envelope keeps in the raw bytes only.
 */
final class JsonLimits {

    /**
     * Largest JSON text handed to the parser, in chars: the cap of a reassembled Docker message
     * ({@link FragmentReassembler#DEFAULT_MAX_REASSEMBLED_BYTES}, 1 MiB), since a UCP
     * {@code request}-level entry exceeds one 16 KiB piece. Longer text is not parsed at all.
     */
    static final int MAX_DOCUMENT_CHARS = 1 << 20;
    /**
     * Kubernetes objects in audit events nest about 15 deep, CRDs in {@code requestObject} rarely
     * past 30; 64 leaves room and stops {@code [[[[...} (10,000 deep) at its 65th bracket.
     */
    static final int MAX_NESTING_DEPTH = 64;
    /** A string value longer than half the document is not an audit field we read. */
    static final int MAX_STRING_CHARS = 512 * 1024;
    /** Longest JSON number: int64 has 19 digits, a float64's shortest form at most 24 chars. */
    static final int MAX_NUMBER_CHARS = 64;
    /** Longest key: Kubernetes annotation keys are at most 253 + 1 + 63 chars. */
    static final int MAX_NAME_CHARS = 1024;
    /**
     * Tokens per document, skipped ones included: bounds the maps built from a 1 MiB array of tiny
     * values ({@code [1,1,1,...]} is 500k tokens); real UCP entries of 1 MiB stay below it.
     */
    static final long MAX_TOKEN_COUNT = 250_000;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxDocumentLength(MAX_DOCUMENT_CHARS)
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxStringLength(MAX_STRING_CHARS)
                    .maxNumberLength(MAX_NUMBER_CHARS)
                    .maxNameLength(MAX_NAME_CHARS)
                    .maxTokenCount(MAX_TOKEN_COUNT)
                    .build())
            .build();

    private JsonLimits() {
    }

    /** Why a JSON text was not read; carries no message content. */
    static final class JsonShortfall extends Exception {
        private final ParseShortfall shortfall;

        JsonShortfall(ParseShortfall shortfall) {
            super(shortfall.description(), null, false, false);
            this.shortfall = shortfall;
        }

        ParseShortfall shortfall() {
            return shortfall;
        }
    }

    /**
     * Parses the first JSON value of {@code text}, which must be an object.
     *
     * @param skip keys whose values are skipped at any depth
     * @throws JsonShortfall with the limit or defect that stopped it; never anything else
     */
    static Map<String, Object> readObject(String text, Set<String> skip) throws JsonShortfall {
        if (text.length() > MAX_DOCUMENT_CHARS) {
            throw new JsonShortfall(ParseShortfall.JSON_TOO_LARGE);
        }
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new JsonShortfall(ParseShortfall.JSON_MALFORMED);
            }
            return readMap(p, skip);
        } catch (JsonShortfall e) {
            throw e;
        } catch (StreamConstraintsException e) {
            throw new JsonShortfall(classify(e));
        } catch (JsonEOFException e) {
            throw new JsonShortfall(ParseShortfall.JSON_TRUNCATED);
        } catch (IOException | RuntimeException e) {
            throw new JsonShortfall(ParseShortfall.JSON_MALFORMED);
        }
    }

    private static ParseShortfall classify(StreamConstraintsException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("nesting depth")) {
            return ParseShortfall.JSON_TOO_DEEP;
        }
        if (m.contains("Number value length")) {
            return ParseShortfall.JSON_NUMBER_TOO_LONG;
        }
        if (m.contains("String value length") || m.contains("Name length")) {
            return ParseShortfall.JSON_STRING_TOO_LONG;
        }
        return ParseShortfall.JSON_TOO_LARGE;
    }

    private static Map<String, Object> readMap(JsonParser p, Set<String> skip) throws IOException {
        Map<String, Object> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            if (skip.contains(name)) {
                p.skipChildren();
                continue;
            }
            map.putIfAbsent(name, readValue(p, t, skip));
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw new JsonEOFException(p, p.currentToken(), "object not closed");
        }
        return map;
    }

    private static Object readValue(JsonParser p, JsonToken t, Set<String> skip) throws IOException {
        if (t == null) {
            throw new JsonEOFException(p, null, "value missing");
        }
        switch (t) {
            case START_OBJECT:
                return readMap(p, skip);
            case START_ARRAY: {
                List<Object> list = new ArrayList<>();
                JsonToken e;
                while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
                    list.add(readValue(p, e, skip));
                }
                return list;
            }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                return p.getNumberValue();
            case VALUE_NUMBER_FLOAT:
                return p.getDoubleValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw new JsonEOFException(p, t, "unexpected token");
        }
    }
}
