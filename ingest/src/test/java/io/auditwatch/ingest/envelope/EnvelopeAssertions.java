package io.auditwatch.ingest.envelope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;

/** What tests of several packages check on a stored envelope. */
public final class EnvelopeAssertions {
    private EnvelopeAssertions() {
    }

    /**
     * A fluentd or gelf line longer than one Docker piece is stored once, in {@code raw} (the
     * driver's own bytes of every piece): the envelope does not repeat it as {@code syslog.message}.
     */
    public static void assertDriverLineFromRawOnly(JsonNode e, int lineBytes) {
        assertNull(EnvelopeCodec.message(e), e.path("syslog").toString());
        assertTrue(EnvelopeCodec.raw(e).length > lineBytes, "raw holds every piece");
        assertEquals(EnvelopeCodec.raw(e).length, EnvelopeCodec.pieces(e).stream().mapToInt(p -> p.length).sum(),
                "pieces are raw cut at their lengths");
    }
}
