package io.auditwatch.ingest.syslog;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The UTF-8 check behind {@link SyslogMessage#utf8Valid()}, against the JDK's strict decoder. */
class Utf8Test {

    @Test
    void asciiLongerThanAWordIsValid() {
        byte[] b = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
        assertTrue(Utf8.isValid(b, 0, b.length));
    }

    @Test
    void highByteAfterAWordOfAsciiIsSeen() {
        byte[] b = "01234567\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        assertFalse(Utf8.isValid(b, 0, b.length));
    }

    @Test
    void overlongEncodingIsInvalid() {
        assertFalse(Utf8.isValid(new byte[] {(byte) 0xC0, (byte) 0xAF}, 0, 2));
        assertFalse(Utf8.isValid(new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, 0, 3));
    }

    @Test
    void surrogateIsInvalid() {
        assertFalse(Utf8.isValid(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, 0, 3));
    }

    @Test
    void aboveU10ffffIsInvalid() {
        assertFalse(Utf8.isValid(new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, 0, 4));
    }

    @Test
    void sequenceCutAtTheEndIsInvalid() {
        byte[] b = "x\u00e9".getBytes(StandardCharsets.UTF_8);
        assertFalse(Utf8.isValid(b, 0, b.length - 1));
    }

    @Property(tries = 2000)
    boolean agreesWithTheJdkStrictDecoder(@ForAll @Size(max = 40) byte[] bytes) {
        return Utf8.isValid(bytes, 0, bytes.length) == jdkValid(bytes);
    }

    @Property(tries = 500)
    boolean encodedStringsAreValid(@ForAll String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Utf8.isValid(b, 0, b.length) == jdkValid(b);
    }

    private static boolean jdkValid(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
