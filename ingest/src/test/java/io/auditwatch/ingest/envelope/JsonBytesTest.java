package io.auditwatch.ingest.envelope;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Each value {@link JsonBytes} writes without the JDK's or Jackson's help, against theirs. */
class JsonBytesTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Property(tries = 3000)
    void instantsAreWhatInstantToStringWrites(@ForAll("instants") Instant t) {
        assertEquals('"' + t.toString() + '"', written(JsonBytes.start().instant(t)));
    }

    @Provide
    Arbitrary<Instant> instants() {
        return EnvelopeWriterPropertiesTest.instants();
    }

    @Property(tries = 2000)
    void numbersAreWhatLongToStringWrites(@ForAll long n) {
        assertEquals(Long.toString(n), written(JsonBytes.start().number(n)));
    }

    @Test
    void theExtremeLongsAreWritten() {
        assertEquals("[-9223372036854775808,9223372036854775807,0]", written(JsonBytes.start().startArray()
                .number(Long.MIN_VALUE).number(Long.MAX_VALUE).number(0).endArray()));
    }

    @Property(tries = 1000)
    void uuidsAreWhatUuidToStringWrites(@ForAll long msb, @ForAll long lsb) {
        UUID id = new UUID(msb, lsb);
        assertEquals('"' + id.toString() + '"', written(JsonBytes.start().uuid(id)));
    }

    @Property(tries = 2000)
    void base64IsWhatTheJdkEncoderWrites(@ForAll byte[] bytes) {
        assertEquals('"' + Base64.getEncoder().encodeToString(bytes) + '"', written(JsonBytes.start().base64String(bytes)));
    }

    /** Valid UTF-8 copied with its escapes reads back as the same text, and is as long as {@link JsonBytes#escapedLength} said. */
    @Property(tries = 3000)
    void utf8BytesReadBackAsTheirText(@ForAll("texts") String text) throws Exception {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        long length = JsonBytes.escapedLength(utf8, 0, utf8.length);
        String json = written(JsonBytes.start().utf8String(utf8, 0, utf8.length, length));
        assertEquals(length + 2, json.getBytes(StandardCharsets.UTF_8).length);
        assertEquals(new String(utf8, StandardCharsets.UTF_8), MAPPER.readValue(json, String.class));
    }

    /** Strings, lone surrogates too, read back as themselves (a lone surrogate through its escape). */
    @Property(tries = 3000)
    void stringsReadBackAsThemselves(@ForAll("texts") String text) throws Exception {
        assertEquals(text, MAPPER.readValue(written(JsonBytes.start().string(text)), String.class));
    }

    @Provide
    Arbitrary<String> texts() {
        return EnvelopeWriterPropertiesTest.text().list().ofMaxSize(6).map(l -> String.join("", l));
    }

    @Test
    void controlCharactersTakeTheShortEscapeWhereJsonHasOne() {
        assertEquals("\"\\b\\t\\n\\f\\r\\u0000\\u001F\\\"\\\\/\u007f\"", written(JsonBytes.start().string("\b\t\n\f\r\0\u001f\"\\/\u007f")));
    }

    @Test
    void aCharacterOutsideTheBmpIsItsFourUtf8Bytes() {
        assertEquals("\"\uD83D\uDE00\"", written(JsonBytes.start().string("\uD83D\uDE00")));
    }

    private static String written(JsonBytes w) {
        return new String(w.finish(), StandardCharsets.UTF_8);
    }
}
