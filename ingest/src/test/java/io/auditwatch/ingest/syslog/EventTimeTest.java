package io.auditwatch.ingest.syslog;

import static io.auditwatch.ingest.syslog.Fixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    /** [built] RFC 5424 section 6.5 example 1 with its day made impossible: September has 30 days. */
    @ParameterizedTest
    @ValueSource(strings = {
        "2003-09-31T22:14:16Z", // September 31
        "2026-02-30T17:00:01Z", // February 30
        "2026-02-29T17:00:01Z", // February 29 outside a leap year
        "2026-04-00T17:00:01Z", // day 0
        "2026-00-10T17:00:01Z", // month 0
        "2026-11-23T24:00:00Z", // hour 24 (RFC 3339 section 5.6: time-hour 00-23)
        "2026-11-23T17:60:00Z", // minute 60
        "2026-11-23T17:00:61Z", // second 61 (60 is a leap second)
        "2026-11-23T17:00:01+24:00", // offset hour 24
        "2026-11-23T17:00:01-05:60", // offset minute 60
    })
    void impossibleRfc3339IsParsedWithTheTimestampKeptButNoInstant(String timestamp) {
        SyslogMessage m = SyslogParser.parse(utf8("<165>1 " + timestamp + " mymachine.example.com evntslog - ID47 - x"));
        assertEquals(SyslogFormat.RFC5424, m.format(), "the header is still read");
        assertEquals(timestamp, m.timestamp(), "kept as sent");
        assertEquals("mymachine.example.com", m.hostname());
        assertNull(m.eventTime(RECEIVED, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Sep 31 22:14:16", "Feb 30 12:00:00", "Nov  0 12:00:00", "Nov 23 24:00:00", "Nov 23 17:60:00"})
    void impossibleRfc3164IsParsedWithTheTimestampKeptButNoInstant(String timestamp) {
        SyslogMessage m = SyslogParser.parse(utf8("<13>" + timestamp + " host tag[1]: x"));
        assertEquals(SyslogFormat.RFC3164, m.format());
        assertEquals(timestamp, m.timestamp());
        assertEquals("host", m.hostname());
        assertNull(m.eventTime(RECEIVED, ZoneOffset.UTC));
    }

    @Test
    void leapSecondIsStillATime() {
        assertEquals(Instant.parse("2016-12-31T23:59:59Z").plusSeconds(1),
                time("<30>1 2016-12-31T23:59:60Z h a - - - x", RECEIVED, null));
    }

    @Test
    void rfc3164IsReadInAZoneWestOfUtc() {
        // Docker's rfc3164 format writes the Docker host's local time: 12:00:01 in New York in November is 17:00:01 UTC.
        assertEquals(Instant.parse("2026-11-23T17:00:01Z"),
                time("<30>Nov 23 12:00:01 dockerhost 5790672ab6a0[1787791]: x", RECEIVED, ZoneId.of("America/New_York")));
        assertEquals(Instant.parse("2026-11-23T20:00:01Z"),
                time("<30>Nov 23 12:00:01 5790672ab6a0[1787791]: x", RECEIVED, ZoneId.of("America/Los_Angeles")));
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
