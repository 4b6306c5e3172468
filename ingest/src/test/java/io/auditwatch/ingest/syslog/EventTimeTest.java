package io.auditwatch.ingest.syslog;

import static io.auditwatch.ingest.syslog.Fixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Locale;

import org.junit.jupiter.api.Test;

/** {@link SyslogMessage#eventTime(Instant, ZoneId)}: the sender's clock, read leniently. */
class EventTimeTest {

    private static final Instant RECEIVED = Instant.parse("2026-11-23T17:00:02Z");

    @Test
    void rfc3339WithOffset() {
        assertEquals(Instant.parse("2017-04-01T09:41:05.616647Z"),
                time("<30>1 2017-04-01T17:41:05.616647+08:00 h a - - - x", RECEIVED, null));
    }

    @Test
    void rfc3339WithNegativeOffsetAndNoFraction() {
        assertEquals(Instant.parse("2026-11-23T22:30:01Z"), time("<30>1 2026-11-23T17:00:01-05:30 h a - - - x", RECEIVED, null));
    }

    @Test
    void rfc3339WithNineFractionDigits() {
        assertEquals(Instant.parse("2026-11-23T17:00:01.123456789Z"),
                time("<30>1 2026-11-23T17:00:01.123456789Z h a - - - x", RECEIVED, null));
    }

    @Test
    void rfc3339WithMoreThanNineFractionDigitsIsReadLeniently() {
        assertEquals(Instant.parse("2026-11-23T17:00:01.123456789Z"),
                time("<30>1 2026-11-23T17:00:01.123456789999Z h a - - - x", RECEIVED, null));
    }

    @Test
    void rfc3339LowerCaseTAndZ() {
        assertEquals(Instant.parse("2026-11-23T17:00:01Z"), time("<30>1 2026-11-23t17:00:01z h a - - - x", RECEIVED, null));
    }

    @Test
    void rfc3339ImpossibleDateHasNoInstant() {
        assertNull(time("<30>1 2026-02-30T17:00:01Z h a - - - x", RECEIVED, null));
    }

    @Test
    void rfc3164IsReadInTheGivenZoneAndTheReceiveYear() {
        assertEquals(Instant.parse("2026-11-23T16:00:01Z"),
                time("<30>Nov 23 17:00:01 app[1]: x", RECEIVED, ZoneId.of("Europe/Berlin")));
    }

    @Test
    void rfc3164WithoutZoneMeansUtc() {
        assertEquals(Instant.parse("2026-11-23T17:00:01Z"), time("<30>Nov 23 17:00:01 app[1]: x", RECEIVED, null));
    }

    @Test
    void rfc3164December31ReceivedOnJanuary1IsLastYear() {
        assertEquals(Instant.parse("2026-12-31T23:59:59Z"),
                time("<30>Dec 31 23:59:59 app[1]: x", Instant.parse("2027-01-01T00:00:05Z"), ZoneOffset.UTC));
    }

    @Test
    void rfc3164January1ReceivedOnDecember31IsNextYear() {
        // The sender's clock runs a few seconds ahead over New Year.
        assertEquals(Instant.parse("2027-01-01T00:00:01Z"),
                time("<30>Jan  1 00:00:01 app[1]: x", Instant.parse("2026-12-31T23:59:58Z"), ZoneOffset.UTC));
    }

    @Test
    void rfc3164MoreThanAWeekAheadIsLastYear() {
        assertEquals(Instant.parse("2025-12-15T10:00:00Z"),
                time("<30>Dec 15 10:00:00 app[1]: x", RECEIVED, ZoneOffset.UTC));
    }

    @Test
    void rfc3164February29FallsInTheLastLeapYearThatIsNotInTheFuture() {
        assertEquals(Instant.parse("2028-02-29T12:00:00Z"),
                time("<30>Feb 29 12:00:00 app[1]: x", Instant.parse("2028-03-01T00:00:00Z"), ZoneOffset.UTC));
    }

    @Test
    void rfc3164ImpossibleDayHasNoInstant() {
        assertNull(time("<30>Feb 30 12:00:00 app[1]: x", RECEIVED, ZoneOffset.UTC));
    }

    @Test
    void rfc3164MonthNamesAreEnglishWhateverTheDefaultLocale() {
        Locale saved = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);
        try {
            // German abbreviations are "Dez." and "Mär"; the wire format is English (RFC 3164 section 4.1.2).
            assertEquals(Instant.parse("2026-03-03T01:02:03Z"), time("<30>Mar  3 01:02:03 app[1]: x", RECEIVED, ZoneOffset.UTC));
            assertEquals(Instant.parse("2025-12-24T01:02:03Z"), time("<30>Dec 24 01:02:03 app[1]: x", RECEIVED, ZoneOffset.UTC));
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    void rfc3339InsideRfc3164() {
        assertEquals(Instant.parse("2026-08-19T10:58:05Z"),
                time("<14>2026-08-19T10:58:05+00:00 host tag: x", RECEIVED, ZoneId.of("Asia/Tokyo")));
    }

    @Test
    void nilTimestampHasNoEventTime() {
        assertNull(time("<13>1 - h a - - - x", RECEIVED, null));
    }

    @Test
    void unparsedHasNoEventTime() {
        assertNull(time("garbage", RECEIVED, null));
    }

    private static Instant time(String raw, Instant receivedAt, ZoneId zone) {
        return SyslogParser.parse(utf8(raw)).eventTime(receivedAt, zone);
    }
}
