package io.auditwatch.ingest.syslog;

import static io.auditwatch.ingest.syslog.Fixtures.ascii;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import org.junit.jupiter.api.Test;

/** UDP / unixgram framing: one datagram, one message (RFC 5426 section 3.1). */
class SyslogFrameTest {

    @Test
    void dockerDatagramLosesItsTrailingLf() {
        // Docker's writer appends LF to every message, UDP included (ingest/README.md, "Docker's syslog log driver").
        SyslogFrame f = SyslogFrame.datagram(ascii("<30>Apr  1 17:41:05 5790672ab6a0[1787791]: Hello\n"), 1024);
        assertArrayEquals(ascii("<30>Apr  1 17:41:05 5790672ab6a0[1787791]: Hello"), f.raw());
        assertEquals(Framing.DATAGRAM, f.framing());
        assertFalse(f.truncated());
    }

    @Test
    void realLoggerDatagramHasNoTrailer() {
        byte[] datagram = Fixtures.resource("logger/rfc3164-udp.bin");
        assertArrayEquals(datagram, SyslogFrame.datagram(datagram, 1024).raw());
    }

    @Test
    void crlfAndNulTrailersAreStripped() {
        assertArrayEquals(ascii("<13>a"), SyslogFrame.datagram(ascii("<13>a\r\n"), 1024).raw());
        assertArrayEquals(ascii("<13>a"), SyslogFrame.datagram(ascii("<13>a\0"), 1024).raw());
    }

    @Test
    void onlyOneTrailerIsStripped() {
        assertArrayEquals(ascii("<13>a\n"), SyslogFrame.datagram(ascii("<13>a\n\n"), 1024).raw());
    }

    @Test
    void octetCountPrefixInADatagramIsKept() {
        // loggen -P over UDP prefixes a count; a datagram is a message, so it stays (and then fails to parse as syslog).
        assertArrayEquals(ascii("5 <13>a"), SyslogFrame.datagram(ascii("5 <13>a"), 1024).raw());
    }

    @Test
    void oversizedDatagramIsTruncatedAndFlagged() {
        SyslogFrame f = SyslogFrame.datagram(ascii("<13>0123456789\n"), 8);
        assertArrayEquals(ascii("<13>0123"), f.raw());
        assertTrue(f.truncated());
        assertEquals(14, f.originalLength());
    }

    @Test
    void byteBufDatagramIsCopiedWithoutTouchingTheBuffer() {
        ByteBuf content = Unpooled.copiedBuffer(ascii("xx<13>0123456789\r\n")).skipBytes(2);
        SyslogFrame f = SyslogFrame.datagram(content, 8);
        assertEquals(new SyslogFrame(ascii("<13>0123"), Framing.DATAGRAM, true, 14), f);
        assertEquals(2, content.readerIndex());
        assertEquals(1, content.refCnt());
        content.release();
    }

    @Test
    void framesCompareByContent() {
        assertEquals(new SyslogFrame(ascii("a"), Framing.LF, false, 1), new SyslogFrame(ascii("a"), Framing.LF, false, 1));
        assertNotEquals(new SyslogFrame(ascii("a"), Framing.LF, false, 1), new SyslogFrame(ascii("b"), Framing.LF, false, 1));
    }
}
