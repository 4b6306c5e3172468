package io.auditwatch.ingest.syslog;

import static io.auditwatch.ingest.syslog.Fixtures.ascii;
import static io.auditwatch.ingest.syslog.Fixtures.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The header rules of RFC 5424 section 6 (ABNF): HOSTNAME 1*255, APP-NAME 1*48, PROCID 1*128, MSGID
 * 1*32 PRINTUSASCII ({@code %d33-126}). [built] Each vector is the RFC's own grammar with one field
 * varied: exactly at the bound, one byte over it, a control byte, a line feed, a byte above 126.
 * The parser keeps every field as sent; {@link HeaderField#invalid} names the ones that break the rule.
 */
class HeaderFieldTest {

    /** {@code <14>1 TIMESTAMP host-1 app 1234 ID47 - message} with {@code field} set to {@code value}. */
    static byte[] rfc5424With(HeaderField field, byte[] value) {
        return rfc5424With(field, value, "message");
    }

    /** {@code <14>1 TIMESTAMP host-1 app 1234 ID47 - MSG} with {@code field} set to {@code value}. */
    static byte[] rfc5424With(HeaderField field, byte[] value, String msg) {
        byte[][] fields = {ascii("host-1"), ascii("app"), ascii("1234"), ascii("ID47")};
        fields[field.ordinal()] = value;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(ascii("<14>1 2026-11-23T17:00:01Z "));
        for (byte[] f : fields) {
            b.writeBytes(f);
            b.write(' ');
        }
        b.writeBytes(ascii("- " + msg));
        return b.toByteArray();
    }

    /** {@code n} printable bytes, all of PRINTUSASCII in turn (so {@code !}, {@code ~} and {@code -} are among them). */
    static byte[] printable(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (33 + i % 94);
        }
        return b;
    }

    @ParameterizedTest
    @EnumSource(HeaderField.class)
    void exactlyAtTheBoundIsValid(HeaderField field) {
        byte[] value = printable(field.maxBytes);
        SyslogMessage m = SyslogParser.parse(rfc5424With(field, value));
        assertEquals(SyslogFormat.RFC5424, m.format());
        assertEquals(new String(value, StandardCharsets.US_ASCII), field.of(m));
        assertEquals(Set.of(), HeaderField.invalid(m));
    }

    @ParameterizedTest
    @EnumSource(HeaderField.class)
    void oneByteOverTheBoundIsKeptAndNamed(HeaderField field) {
        byte[] value = printable(field.maxBytes + 1);
        byte[] raw = rfc5424With(field, value);
        SyslogMessage m = SyslogParser.parse(raw);
        assertEquals(SyslogFormat.RFC5424, m.format(), "still parsed: nothing is rejected");
        assertEquals(new String(value, StandardCharsets.US_ASCII), field.of(m), "kept as sent");
        assertEquals(Set.of(field), HeaderField.invalid(m));
        assertEquals("message", m.msg());
    }

    @ParameterizedTest
    @EnumSource(HeaderField.class)
    void aLineFeedInsideTheFieldIsNamed(HeaderField field) {
        // Octet counting and UDP do not split on LF, so it reaches the parser inside the field.
        SyslogMessage m = SyslogParser.parse(rfc5424With(field, ascii("ab\ncd")));
        assertEquals("ab\ncd", field.of(m));
        assertEquals(Set.of(field), HeaderField.invalid(m));
    }

    @ParameterizedTest
    @EnumSource(HeaderField.class)
    void everyControlByteAndDeleteIsNamed(HeaderField field) {
        for (int c = 0; c < 33; c++) {
            if (c == ' ') {
                continue; // SP ends the field
            }
            SyslogMessage m = SyslogParser.parse(rfc5424With(field, new byte[] {'a', (byte) c, 'b'}));
            assertEquals(Set.of(field), HeaderField.invalid(m), "byte " + c);
        }
        assertEquals(Set.of(field), HeaderField.invalid(SyslogParser.parse(rfc5424With(field, new byte[] {'a', 127}))));
    }

    @ParameterizedTest
    @EnumSource(HeaderField.class)
    void aByteAbove126IsNamed(HeaderField field) {
        // U+00E9 as UTF-8: two bytes outside PRINTUSASCII, even though the field is short.
        SyslogMessage m = SyslogParser.parse(rfc5424With(field, "h\u00e9".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Set.of(field), HeaderField.invalid(m));
    }

    @Test
    void nilFieldsAreValid() {
        SyslogMessage m = SyslogParser.parse(ascii("<14>1 2026-11-23T17:00:01Z - - - - - x"));
        assertEquals(Set.of(), HeaderField.invalid(m));
    }

    @Test
    void everyBrokenFieldIsNamedAtOnce() {
        SyslogMessage m = SyslogParser.parse(ascii("<14>1 2026-11-23T17:00:01Z h\u0001 a\u0001 p\u0001 m\u0001 - x"));
        assertEquals(Set.of(HeaderField.values()), HeaderField.invalid(m));
    }

    @Test
    void rfc3164HostnameTagAndPidAreHeldToTheSameRules() {
        // [built] logger --rfc3164 layout "<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG".
        byte[] host = printable(HeaderField.HOSTNAME.maxBytes);
        host[0] = 'h'; // not ending like a TAG
        byte[] ok = concat(ascii("<13>Nov 23 17:00:01 "), host, ascii(" tag[123]: msg"));
        SyslogMessage m = SyslogParser.parse(ok);
        assertEquals(SyslogFormat.RFC3164, m.format());
        assertEquals(Set.of(), HeaderField.invalid(m));

        byte[] longHost = concat(ascii("x"), host);
        SyslogMessage over = SyslogParser.parse(concat(ascii("<13>Nov 23 17:00:01 "), longHost, ascii(" tag[123]: msg")));
        assertEquals(new String(longHost, StandardCharsets.US_ASCII), over.hostname());
        assertEquals(Set.of(HeaderField.HOSTNAME), HeaderField.invalid(over));

        SyslogMessage lf = SyslogParser.parse(ascii("<13>Nov 23 17:00:01 ho\nst tag[123]: msg"));
        assertEquals("ho\nst", lf.hostname());
        assertEquals(Set.of(HeaderField.HOSTNAME), HeaderField.invalid(lf));

        String tag49 = "t".repeat(49);
        SyslogMessage longTag = SyslogParser.parse(ascii("<13>Nov 23 17:00:01 host " + tag49 + "[123]: msg"));
        assertEquals(tag49, longTag.appName());
        assertEquals(Set.of(HeaderField.APP_NAME), HeaderField.invalid(longTag));

        SyslogMessage pid = SyslogParser.parse(ascii("<13>Nov 23 17:00:01 host tag[1\u00012]: msg"));
        assertEquals(Set.of(HeaderField.PROCID), HeaderField.invalid(pid));
    }

    @Test
    void theRawBytesAreNeverTouched() {
        byte[] raw = rfc5424With(HeaderField.HOSTNAME, ascii("a\nb\u0000c"));
        byte[] copy = raw.clone();
        SyslogParser.parse(raw);
        assertArrayEquals(copy, raw);
    }

    @Test
    void dockerTagsLongerThanAppNameAllowsAreNamedButStillRead() {
        // [built] Docker rfc5424 with tag {{.ImageName}}/{{.Name}}/{{.ID}}: Docker does not enforce 48 or 32.
        String tag = "registry.example.org/team/nginx:1.25-alpine/web-frontend/3f2a9c1d0b7e";
        SyslogMessage m = SyslogParser.parse(ascii("<30>1 2026-11-23T17:00:01Z dockerhost " + tag + " 1787791 " + tag + " - hi"));
        assertEquals(tag, m.appName());
        assertEquals(Set.of(HeaderField.APP_NAME, HeaderField.MSGID), HeaderField.invalid(m));
        assertTrue(HeaderField.HOSTNAME.accepts(m.hostname()));
    }
}
