package io.auditwatch.ingest.fluentd;

import io.auditwatch.ingest.inflate.BoundedInflate;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.core.ExtensionTypeHeader;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessageInsufficientBufferException;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * The Fluentd Forward Protocol v1 as pure functions: where a request ends in a byte stream, one
 * request's bytes to a {@link ForwardRequest}, and the ack response. No Netty, no I/O.
 *
 * <p>Every length and count read from the wire is checked against what is left of the request or
 * against {@link ForwardLimits} before anything is allocated for it, and nesting is bounded, so no
 * request can make the receiver allocate more than its own size (or the inflation bound) or
 * overflow the stack.
 */
public final class ForwardCodec {
    /** EventTime: MessagePack ext type 0 with 4 bytes of seconds and 4 of nanoseconds, big-endian (spec "EventTime Ext Format"). */
    static final byte EVENT_TIME_TYPE = 0;
    static final int EVENT_TIME_BYTES = 8;
    /** The only compression the specification defines for CompressedPackedForward. */
    static final String GZIP = "gzip";

    private ForwardCodec() {
    }

    /**
     * The length of the first complete MessagePack value in {@code buf} (from its position up to its
     * limit), or -1 when it is not complete yet. Reads headers only, iteratively (no recursion, so
     * nesting costs no stack), and stops as soon as the value's announced lengths or element counts
     * cannot fit in what is there. Does not move {@code buf}'s position.
     *
     * @throws ForwardException MALFORMED for the byte MessagePack never uses ({@code 0xc1})
     */
    public static int completeValueLength(ByteBuffer in) {
        ByteBuffer buf = in.duplicate().order(java.nio.ByteOrder.BIG_ENDIAN);
        int start = buf.position();
        int limit = buf.limit();
        long pos = start;
        long values = 1;
        while (values > 0) {
            if (pos >= limit || values > limit - pos) {
                return -1; // every value needs at least one more byte
            }
            int b = buf.get((int) pos) & 0xff;
            values--;
            long header;
            long body = 0;
            if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
                header = 1;
            } else if (b <= 0x8f) {
                header = 1;
                values += 2L * (b & 0x0f);
            } else if (b <= 0x9f) {
                header = 1;
                values += b & 0x0f;
            } else if (b <= 0xbf) {
                header = 1;
                body = b & 0x1f;
            } else {
                switch (b) {
                    case 0xc1 -> throw new ForwardException(ForwardError.MALFORMED, "byte 0xc1 at " + (pos - start));
                    case 0xc4, 0xd9 -> header = 2;
                    case 0xc5, 0xda -> header = 3;
                    case 0xc6, 0xdb -> header = 5;
                    case 0xc7 -> header = 3;
                    case 0xc8 -> header = 4;
                    case 0xc9 -> header = 6;
                    case 0xca, 0xce, 0xd2 -> header = 5;
                    case 0xcb, 0xcf, 0xd3 -> header = 9;
                    case 0xcc, 0xd0 -> header = 2;
                    case 0xcd, 0xd1 -> header = 3;
                    case 0xd4 -> header = 3;
                    case 0xd5 -> header = 4;
                    case 0xd6 -> header = 6;
                    case 0xd7 -> header = 10;
                    case 0xd8 -> header = 18;
                    case 0xdc, 0xde -> header = 3;
                    case 0xdd, 0xdf -> header = 5;
                    default -> throw new IllegalStateException("unreachable: " + b);
                }
                if (pos + header > limit) {
                    return -1;
                }
                int at = (int) pos + 1;
                switch (b) {
                    case 0xc4, 0xd9, 0xc7 -> body = buf.get(at) & 0xff;
                    case 0xc5, 0xda, 0xc8 -> body = buf.getShort(at) & 0xffff;
                    case 0xc6, 0xdb, 0xc9 -> body = buf.getInt(at) & 0xffffffffL;
                    case 0xdc -> values += buf.getShort(at) & 0xffff;
                    case 0xdd -> values += buf.getInt(at) & 0xffffffffL;
                    case 0xde -> values += 2L * (buf.getShort(at) & 0xffff);
                    case 0xdf -> values += 2L * (buf.getInt(at) & 0xffffffffL);
                    default -> {
                    }
                }
            }
            pos += header + body;
        }
        return pos > limit ? -1 : (int) (pos - start);
    }

    /** Whether a complete value is MessagePack nil: the heartbeat a client MAY send on the connection. */
    public static boolean isNil(byte[] frame) {
        return frame.length == 1 && (frame[0] & 0xff) == 0xc0;
    }

    /** Whether a complete value is an array, the only request form the server must handle. */
    public static boolean isArray(byte[] frame) {
        int b = frame[0] & 0xff;
        return (b & 0xf0) == 0x90 || b == 0xdc || b == 0xdd;
    }

    /** The response to a request carrying {@code chunk}: {@code {"ack": chunk}} (spec "Response"). */
    public static byte[] ack(String chunk) {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            p.packMapHeader(1).packString("ack").packString(chunk);
            return p.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("packing into memory cannot fail", e);
        }
    }

    /**
     * Decodes one complete request (an array; see {@link #isArray}).
     *
     * @throws ForwardException for anything the specification does not allow or a bound refuses
     */
    public static ForwardRequest decode(byte[] frame, ForwardLimits limits) {
        Reader r = new Reader(frame, limits);
        try {
            int n = r.u.unpackArrayHeader();
            if (n < 2 || n > 4) {
                throw new ForwardException(ForwardError.BAD_SHAPE, "an array of " + n + " elements");
            }
            if (r.type() != ValueType.STRING) {
                throw new ForwardException(ForwardError.BAD_SHAPE, "the tag is a " + r.type());
            }
            String tag = r.name();
            ValueType second = r.type();
            if (second == ValueType.ARRAY) {
                int count = r.u.unpackArrayHeader();
                Option o = optionAt(r, n == 3, 2);
                checkCount(count, o, limits);
                List<ForwardEntry> entries = new ArrayList<>(Math.min(count, 1024));
                for (int i = 0; i < count; i++) {
                    entries.add(r.entry());
                }
                r.skipOption(n == 3);
                return new ForwardRequest(tag, ForwardMode.FORWARD, entries, o.chunk, frame.length);
            }
            if (second == ValueType.BINARY || second == ValueType.STRING) {
                int len = second == ValueType.BINARY ? r.u.unpackBinaryHeader() : r.u.unpackRawStringHeader();
                byte[] packed = r.payload(len);
                Option o = n == 3 ? r.option() : Option.NONE;
                if (n == 4) {
                    throw new ForwardException(ForwardError.BAD_SHAPE, "a packed request of 4 elements");
                }
                checkCount(0, o, limits);
                ForwardMode mode = ForwardMode.PACKED_FORWARD;
                if (o.compressed != null) {
                    if (!GZIP.equals(o.compressed)) {
                        throw new ForwardException(ForwardError.BAD_OPTION, "compressed is " + o.compressed);
                    }
                    mode = ForwardMode.COMPRESSED_PACKED_FORWARD;
                    try {
                        packed = BoundedInflate.gunzip(packed, limits.maxInflatedBytes());
                    } catch (BoundedInflate.InflateException e) {
                        throw new ForwardException(ForwardError.BAD_COMPRESSION, e.getMessage(), e);
                    }
                }
                Reader stream = new Reader(packed, limits);
                List<ForwardEntry> entries = new ArrayList<>();
                while (stream.u.hasNext()) {
                    if (entries.size() == limits.maxEntries()) {
                        throw new ForwardException(ForwardError.TOO_MANY_ENTRIES, "more than " + limits.maxEntries());
                    }
                    entries.add(stream.entry());
                }
                return new ForwardRequest(tag, mode, entries, o.chunk, frame.length);
            }
            if (n < 3) {
                throw new ForwardException(ForwardError.BAD_SHAPE, "a message without a record");
            }
            Instant time = r.time();
            Map<String, String> record = r.record();
            Option o = n == 4 ? r.option() : Option.NONE;
            return new ForwardRequest(tag, ForwardMode.MESSAGE, List.of(new ForwardEntry(time, record, r.utf8Valid,
                    frame)), o.chunk, frame.length);
        } catch (MessageInsufficientBufferException e) {
            throw new ForwardException(ForwardError.MALFORMED, "the request ends inside a value", e);
        } catch (IOException | MessagePackException e) {
            throw new ForwardException(ForwardError.MALFORMED, String.valueOf(e.getMessage()), e);
        }
    }

    /**
     * The option of a Forward-mode request, read ahead by a second reader so that its {@code size}
     * is checked before the entries are decoded.
     */
    private static Option optionAt(Reader r, boolean present, int index) throws IOException {
        if (!present) {
            return Option.NONE;
        }
        Reader ahead = new Reader(r.in, r.limits);
        ahead.u.unpackArrayHeader();
        ahead.u.skipValue(index);
        return ahead.option();
    }

    private static void checkCount(int count, Option o, ForwardLimits limits) {
        if (count > limits.maxEntries() || o.size > limits.maxEntries()) {
            throw new ForwardException(ForwardError.TOO_MANY_ENTRIES, Math.max(count, o.size) + " entries, at most "
                    + limits.maxEntries());
        }
    }

    private record Option(String chunk, long size, String compressed) {
        static final Option NONE = new Option(null, -1, null);
    }

    /** One pass over a request (or a packed entry stream), with the checks every read needs. */
    private static final class Reader {
        final byte[] in;
        final ForwardLimits limits;
        final MessageUnpacker u;
        boolean utf8Valid = true;

        Reader(byte[] in, ForwardLimits limits) {
            this.in = in;
            this.limits = limits;
            this.u = MessagePack.newDefaultUnpacker(in);
        }

        ValueType type() throws IOException {
            if (!u.hasNext()) {
                throw new MessageInsufficientBufferException();
            }
            MessageFormat f = u.getNextFormat();
            if (f == MessageFormat.NEVER_USED) {
                throw new ForwardException(ForwardError.MALFORMED, "byte 0xc1");
            }
            return f.getValueType();
        }

        /** {@code len} bytes, after checking that the request still holds them. */
        byte[] payload(int len) throws IOException {
            if (len < 0 || len > in.length - u.getTotalReadBytes()) {
                throw new ForwardException(ForwardError.MALFORMED, "a length of " + (len & 0xffffffffL)
                        + " bytes with " + (in.length - u.getTotalReadBytes()) + " left");
            }
            return u.readPayload(len);
        }

        String name() throws IOException {
            int len = u.unpackRawStringHeader();
            if (len > ForwardLimits.MAX_NAME_BYTES) {
                throw new ForwardException(ForwardError.TOO_LARGE, "a name of " + len + " bytes");
            }
            return text(payload(len));
        }

        String text(byte[] bytes) {
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                utf8Valid = false;
                return new String(bytes, StandardCharsets.UTF_8);
            }
        }

        Instant time() throws IOException {
            switch (type()) {
                case INTEGER:
                    return Instant.ofEpochSecond(u.unpackLong());
                case FLOAT:
                    double d = u.unpackDouble();
                    if (!Double.isFinite(d) || Math.abs(d) > Instant.MAX.getEpochSecond()) {
                        throw new ForwardException(ForwardError.BAD_TIME, "time " + d);
                    }
                    long s = (long) Math.floor(d);
                    return Instant.ofEpochSecond(s, (long) ((d - s) * 1e9));
                case EXTENSION:
                    ExtensionTypeHeader h = u.unpackExtensionTypeHeader();
                    if (h.getType() != EVENT_TIME_TYPE || h.getLength() != EVENT_TIME_BYTES) {
                        throw new ForwardException(ForwardError.BAD_TIME, "ext type " + h.getType() + " of "
                                + h.getLength() + " bytes");
                    }
                    ByteBuffer b = ByteBuffer.wrap(payload(EVENT_TIME_BYTES));
                    return Instant.ofEpochSecond(b.getInt() & 0xffffffffL, b.getInt() & 0xffffffffL);
                default:
                    throw new ForwardException(ForwardError.BAD_TIME, "a " + type() + " time");
            }
        }

        ForwardEntry entry() throws IOException {
            long start = u.getTotalReadBytes();
            if (type() != ValueType.ARRAY) {
                throw new ForwardException(ForwardError.BAD_SHAPE, "an entry is a " + type());
            }
            int n = u.unpackArrayHeader();
            if (n != 2) {
                throw new ForwardException(ForwardError.BAD_SHAPE, "an entry of " + n + " elements");
            }
            utf8Valid = true;
            Instant time = time();
            Map<String, String> record = record();
            byte[] raw = Arrays.copyOfRange(in, (int) start, (int) u.getTotalReadBytes());
            return new ForwardEntry(time, record, utf8Valid, raw);
        }

        Map<String, String> record() throws IOException {
            if (type() != ValueType.MAP) {
                throw new ForwardException(ForwardError.BAD_RECORD, "the record is a " + type());
            }
            int n = u.unpackMapHeader();
            if (n > limits.maxFields()) {
                throw new ForwardException(ForwardError.TOO_LARGE, n + " fields, at most " + limits.maxFields());
            }
            Map<String, String> fields = new LinkedHashMap<>(Math.min(n, 16) * 2);
            for (int i = 0; i < n; i++) {
                if (type() != ValueType.STRING) {
                    throw new ForwardException(ForwardError.BAD_RECORD, "a " + type() + " key");
                }
                String key = name();
                StringBuilder value = new StringBuilder();
                value(value, 0, false);
                fields.put(key, value.toString());
            }
            return fields;
        }

        /** Appends one value: as text at the top, as JSON inside a nested map or array. */
        void value(StringBuilder out, int depth, boolean json) throws IOException {
            ValueType t = type();
            switch (t) {
                case STRING, BINARY -> {
                    int len = t == ValueType.STRING ? u.unpackRawStringHeader() : u.unpackBinaryHeader();
                    String s = text(payload(len));
                    if (json) {
                        quote(out, s);
                    } else {
                        out.append(s);
                    }
                }
                case NIL -> {
                    u.unpackNil();
                    out.append(json ? "null" : "");
                }
                case BOOLEAN -> out.append(u.unpackBoolean());
                case INTEGER -> out.append(u.unpackBigInteger());
                case FLOAT -> out.append(u.unpackDouble());
                case EXTENSION -> {
                    ExtensionTypeHeader h = u.unpackExtensionTypeHeader();
                    payload(h.getLength());
                    out.append(json ? "null" : "");
                }
                case ARRAY, MAP -> {
                    if (depth >= limits.maxDepth()) {
                        throw new ForwardException(ForwardError.TOO_DEEP, "nesting deeper than " + limits.maxDepth());
                    }
                    boolean map = t == ValueType.MAP;
                    int n = map ? u.unpackMapHeader() : u.unpackArrayHeader();
                    if (n > in.length - u.getTotalReadBytes()) {
                        throw new ForwardException(ForwardError.MALFORMED, n + " elements with fewer bytes left");
                    }
                    out.append(map ? '{' : '[');
                    for (int i = 0; i < n; i++) {
                        if (i > 0) {
                            out.append(',');
                        }
                        if (map) {
                            StringBuilder key = new StringBuilder();
                            value(key, depth + 1, false);
                            quote(out, key.toString());
                            out.append(':');
                        }
                        value(out, depth + 1, true);
                    }
                    out.append(map ? '}' : ']');
                }
                default -> throw new ForwardException(ForwardError.MALFORMED, "a " + t + " value");
            }
        }

        Option option() throws IOException {
            if (type() != ValueType.MAP) {
                throw new ForwardException(ForwardError.BAD_OPTION, "the option is a " + type());
            }
            int n = u.unpackMapHeader();
            if (n > limits.maxFields()) {
                throw new ForwardException(ForwardError.TOO_LARGE, n + " options");
            }
            String chunk = null;
            String compressed = null;
            long size = -1;
            for (int i = 0; i < n; i++) {
                if (type() != ValueType.STRING) {
                    throw new ForwardException(ForwardError.BAD_OPTION, "a " + type() + " key");
                }
                String key = name();
                switch (key) {
                    case "chunk" -> {
                        if (type() != ValueType.STRING) {
                            throw new ForwardException(ForwardError.BAD_OPTION, "chunk is a " + type());
                        }
                        int len = u.unpackRawStringHeader();
                        if (len == 0 || len > ForwardLimits.MAX_CHUNK_BYTES) {
                            throw new ForwardException(ForwardError.BAD_OPTION, "a chunk id of " + len + " bytes");
                        }
                        chunk = text(payload(len));
                    }
                    case "size" -> {
                        if (type() != ValueType.INTEGER) {
                            throw new ForwardException(ForwardError.BAD_OPTION, "size is a " + type());
                        }
                        size = u.unpackBigInteger().min(java.math.BigInteger.valueOf(Long.MAX_VALUE)).longValue();
                    }
                    case "compressed" -> {
                        if (type() != ValueType.STRING) {
                            throw new ForwardException(ForwardError.BAD_OPTION, "compressed is a " + type());
                        }
                        compressed = name();
                    }
                    default -> u.skipValue();
                }
            }
            return new Option(chunk, size, compressed);
        }

        void skipOption(boolean present) throws IOException {
            if (present) {
                u.skipValue();
            }
        }

        private static void quote(StringBuilder out, String s) {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }
    }
}
