package io.auditwatch.ingest.classify;

import static io.auditwatch.ingest.classify.FragmentReassembler.DOCKER_PIECE_BYTES;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.ingest.classify.FragmentReassembler.Outcome;
import io.auditwatch.ingest.classify.FragmentReassembler.Reassembled;
import io.auditwatch.testing.ManualClock;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pieces are built the way Docker's copier cuts a line (moby daemon/logger/copier.go: full
 * 16384-byte buffers, then the rest of the line, empty when the length is a multiple of 16384).
 */
class FragmentReassemblerTest {
    private static final String TAG = "ucp-controller";
    private final ManualClock clock = ManualClock.at("2026-11-23T18:00:00Z");
    private final FragmentReassembler r = new FragmentReassembler();

    /** Docker's cut of one line into MSG pieces. */
    static List<byte[]> cut(byte[] line) {
        List<byte[]> pieces = new ArrayList<>();
        int at = 0;
        while (line.length - at >= DOCKER_PIECE_BYTES) {
            pieces.add(Arrays.copyOfRange(line, at, at + DOCKER_PIECE_BYTES));
            at += DOCKER_PIECE_BYTES;
        }
        pieces.add(Arrays.copyOfRange(line, at, line.length));
        return pieces;
    }

    /** A raw syslog message around a piece, as the envelope would keep it. */
    static byte[] raw(byte[] msg) {
        byte[] header = "<30>Nov 23 18:00:00 ucp-controller[1]: ".getBytes(StandardCharsets.US_ASCII);
        byte[] raw = Arrays.copyOf(header, header.length + msg.length);
        System.arraycopy(msg, 0, raw, header.length, msg.length);
        return raw;
    }

    private static byte[] bytes(int n, char fill) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) fill);
        return b;
    }

    private List<Reassembled> offerAll(long conn, String tag, List<byte[]> pieces) {
        List<Reassembled> out = new ArrayList<>();
        for (byte[] p : pieces) {
            out.addAll(r.offer(conn, tag, raw(p), p, clock.instant()));
        }
        return out;
    }

    @Test
    void shortMessagePassesStraightThrough() {
        byte[] msg = "hello".getBytes(StandardCharsets.UTF_8);
        List<Reassembled> out = r.offer(1, TAG, raw(msg), msg, clock.instant());
        assertEquals(1, out.size());
        assertEquals(Outcome.SINGLE, out.get(0).outcome());
        assertSame(msg, out.get(0).msg());
        assertEquals(0, r.pendingGroups());
    }

    @Test
    void fullPieceIsHeld() {
        byte[] piece = bytes(DOCKER_PIECE_BYTES, 'a');
        assertEquals(List.of(), r.offer(1, TAG, raw(piece), piece, clock.instant()));
        assertEquals(1, r.pendingGroups());
        assertEquals(DOCKER_PIECE_BYTES, r.pendingBytes());
    }

    @Test
    void twoPiecesJoinAndKeepBothRaws() {
        byte[] line = bytes(DOCKER_PIECE_BYTES + 100, 'b');
        List<byte[]> pieces = cut(line);
        List<Reassembled> out = offerAll(1, TAG, pieces);
        assertEquals(1, out.size());
        assertEquals(Outcome.REASSEMBLED, out.get(0).outcome());
        assertArrayEquals(line, out.get(0).msg());
        assertEquals(2, out.get(0).pieces());
        assertArrayEquals(raw(pieces.get(1)), out.get(0).rawPieces().get(1));
        assertEquals(0, r.pendingBytes());
    }

    @Test
    void threePiecesJoin() {
        byte[] line = bytes(2 * DOCKER_PIECE_BYTES + 1, 'c');
        List<Reassembled> out = offerAll(1, TAG, cut(line));
        assertEquals(1, out.size());
        assertEquals(3, out.get(0).pieces());
        assertArrayEquals(line, out.get(0).msg());
    }

    @Test
    void lineOfExactlyTwoPiecesEndsWithTheEmptyRemainder() {
        byte[] line = bytes(2 * DOCKER_PIECE_BYTES, 'd');
        List<byte[]> pieces = cut(line);
        assertEquals(0, pieces.get(2).length);
        List<Reassembled> out = offerAll(1, TAG, pieces);
        assertEquals(1, out.size());
        assertEquals(Outcome.REASSEMBLED, out.get(0).outcome());
        assertArrayEquals(line, out.get(0).msg());
    }

    @Test
    void incompleteGroupIsEmittedAfterTheTimeout() {
        byte[] piece = bytes(DOCKER_PIECE_BYTES, 'e');
        r.offer(1, TAG, raw(piece), piece, clock.instant());
        clock.advance(Duration.ofMillis(1999));
        assertEquals(List.of(), r.expire(clock.instant()));
        clock.advance(Duration.ofMillis(1));
        List<Reassembled> out = r.expire(clock.instant());
        assertEquals(1, out.size());
        assertEquals(Outcome.TIMEOUT, out.get(0).outcome());
        assertArrayEquals(piece, out.get(0).msg());
        assertEquals(0, r.pendingGroups());
    }

    @Test
    void timeoutCountsFromTheLastPiece() {
        byte[] piece = bytes(DOCKER_PIECE_BYTES, 'f');
        r.offer(1, TAG, raw(piece), piece, clock.instant());
        clock.advance(Duration.ofMillis(1500));
        r.offer(1, TAG, raw(piece), piece, clock.instant());
        clock.advance(Duration.ofMillis(1500));
        assertEquals(List.of(), r.expire(clock.instant()));
    }

    @Test
    void interleavedTagsAndConnectionsDoNotMix() {
        byte[] a = bytes(DOCKER_PIECE_BYTES + 10, 'a');
        byte[] b = bytes(DOCKER_PIECE_BYTES + 20, 'b');
        byte[] c = bytes(DOCKER_PIECE_BYTES + 30, 'c');
        List<byte[]> pa = cut(a);
        List<byte[]> pb = cut(b);
        List<byte[]> pc = cut(c);
        List<Reassembled> out = new ArrayList<>();
        out.addAll(r.offer(1, "web", raw(pa.get(0)), pa.get(0), clock.instant()));
        out.addAll(r.offer(1, "db", raw(pb.get(0)), pb.get(0), clock.instant()));
        out.addAll(r.offer(2, "web", raw(pc.get(0)), pc.get(0), clock.instant()));
        assertEquals(3, r.pendingGroups());
        out.addAll(r.offer(2, "web", raw(pc.get(1)), pc.get(1), clock.instant()));
        out.addAll(r.offer(1, "db", raw(pb.get(1)), pb.get(1), clock.instant()));
        out.addAll(r.offer(1, "web", raw(pa.get(1)), pa.get(1), clock.instant()));
        assertEquals(3, out.size());
        assertArrayEquals(c, out.get(0).msg());
        assertArrayEquals(b, out.get(1).msg());
        assertArrayEquals(a, out.get(2).msg());
    }

    @Test
    void groupThatWouldPassTheSizeCapIsEmittedAndTheNextPieceStartsAfresh() {
        FragmentReassembler small = new FragmentReassembler(Duration.ofSeconds(2), 2 * DOCKER_PIECE_BYTES, 16,
                4L * DOCKER_PIECE_BYTES);
        byte[] piece = bytes(DOCKER_PIECE_BYTES, 'g');
        List<Reassembled> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            out.addAll(small.offer(1, TAG, raw(piece), piece, clock.instant()));
        }
        assertEquals(1, out.size());
        assertEquals(Outcome.SIZE_CAP, out.get(0).outcome());
        assertEquals(2, out.get(0).pieces());
        assertEquals(1, small.pendingGroups());
    }

    @Test
    void oldestGroupIsEvictedAtTheGroupCap() {
        FragmentReassembler two = new FragmentReassembler(Duration.ofSeconds(2), DOCKER_PIECE_BYTES * 4, 2,
                DOCKER_PIECE_BYTES * 64L);
        byte[] piece = bytes(DOCKER_PIECE_BYTES, 'h');
        two.offer(1, "a", raw(piece), piece, clock.instant());
        two.offer(2, "b", raw(piece), piece, clock.instant());
        List<Reassembled> out = two.offer(3, "c", raw(piece), piece, clock.instant());
        assertEquals(1, out.size());
        assertEquals(Outcome.EVICTED, out.get(0).outcome());
        assertEquals("a", out.get(0).tag());
        assertEquals(2, two.pendingGroups());
    }

    @Test
    void oldestGroupIsEvictedAtThePendingByteCap() {
        FragmentReassembler tight = new FragmentReassembler(Duration.ofSeconds(2), DOCKER_PIECE_BYTES * 2, 100,
                DOCKER_PIECE_BYTES * 2L);
        byte[] piece = bytes(DOCKER_PIECE_BYTES, 'i');
        tight.offer(1, "a", raw(piece), piece, clock.instant());
        tight.offer(1, "b", raw(piece), piece, clock.instant());
        List<Reassembled> out = tight.offer(1, "c", raw(piece), piece, clock.instant());
        assertEquals(Outcome.EVICTED, out.get(0).outcome());
        assertTrue(tight.pendingBytes() <= DOCKER_PIECE_BYTES * 2L);
    }

    @Test
    void closedJsonAtAPieceBoundaryDoesNotSwallowTheNextLine() {
        byte[] json = jsonOfLength(DOCKER_PIECE_BYTES);
        byte[] next = "{\"level\":\"info\",\"msg\":\"next\"}".getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of(), r.offer(1, TAG, raw(json), json, clock.instant()));
        List<Reassembled> out = r.offer(1, TAG, raw(next), next, clock.instant());
        assertEquals(2, out.size());
        assertArrayEquals(json, out.get(0).msg());
        assertEquals(Outcome.REASSEMBLED, out.get(0).outcome());
        assertEquals(Outcome.SINGLE, out.get(1).outcome());
        assertArrayEquals(next, out.get(1).msg());
    }

    @Test
    void closedJsonAtAPieceBoundaryTakesItsEmptyRemainder() {
        byte[] json = jsonOfLength(DOCKER_PIECE_BYTES);
        r.offer(1, TAG, raw(json), json, clock.instant());
        List<Reassembled> out = r.offer(1, TAG, raw(new byte[0]), new byte[0], clock.instant());
        assertEquals(1, out.size());
        assertEquals(2, out.get(0).pieces());
        assertArrayEquals(json, out.get(0).msg());
    }

    @Test
    void closedJsonWhoseRemainderWasLostExpiresAsComplete() {
        byte[] json = jsonOfLength(DOCKER_PIECE_BYTES);
        r.offer(1, TAG, raw(json), json, clock.instant());
        clock.advance(FragmentReassembler.DEFAULT_TIMEOUT);
        assertEquals(Outcome.REASSEMBLED, r.expire(clock.instant()).get(0).outcome());
    }

    @Test
    void multiByteCharacterCutAtTheBoundaryIsWholeAfterJoining() {
        byte[] line = ("x".repeat(DOCKER_PIECE_BYTES - 1) + "\u00e9 done").getBytes(StandardCharsets.UTF_8);
        List<Reassembled> out = offerAll(1, TAG, cut(line));
        assertTrue(new String(out.get(0).msg(), StandardCharsets.UTF_8).endsWith("\u00e9 done"));
    }

    @Test
    void closingAConnectionEmitsItsGroupsOnly() {
        byte[] piece = bytes(DOCKER_PIECE_BYTES, 'j');
        r.offer(1, "a", raw(piece), piece, clock.instant());
        r.offer(2, "a", raw(piece), piece, clock.instant());
        List<Reassembled> out = r.closeConnection(1);
        assertEquals(1, out.size());
        assertEquals(Outcome.CONNECTION_CLOSED, out.get(0).outcome());
        assertEquals(1, r.pendingGroups());
    }

    @Test
    void datagramsAreKeyedBySender() {
        InetSocketAddress s1 = new InetSocketAddress("127.0.0.1", 40001);
        InetSocketAddress s2 = new InetSocketAddress("127.0.0.1", 40002);
        byte[] piece = bytes(DOCKER_PIECE_BYTES, 'k');
        byte[] tail = bytes(5, 'k');
        r.offerDatagram(s1, TAG, raw(piece), piece, clock.instant());
        assertEquals(Outcome.SINGLE, r.offerDatagram(s2, TAG, raw(tail), tail, clock.instant()).get(0).outcome());
        Reassembled joined = r.offerDatagram(s1, TAG, raw(tail), tail, clock.instant()).get(0);
        assertEquals(Outcome.REASSEMBLED, joined.outcome());
        assertEquals(s1, joined.sender());
        assertEquals(0, r.closeConnection(0).size());
    }

    @Test
    void reassembledUcpEntryClassifiesAsAudit() {
        String ucp = Fixtures.line("ucp-controller-audit-real.json");
        String big = ucp.replace("\"verb\":\"GET\"}", "\"verb\":\"POST\",\"requestObject\":{\"data\":\""
                + "z".repeat(40_000) + "\"}}");
        List<Reassembled> out = offerAll(1, TAG, cut(big.getBytes(StandardCharsets.UTF_8)));
        assertEquals(1, out.size());
        Classification c = new Classifier().classify(TAG, null, new String(out.get(0).msg(), StandardCharsets.UTF_8));
        assertEquals(io.auditwatch.heartbeat.Stream.UCP_AUDIT, c.stream());
        assertEquals("POST", c.fields().get("verb"));
    }

    @Test
    void messageLongerThanAPieceInterruptsTheGroupAndPassesThrough() {
        byte[] piece = bytes(DOCKER_PIECE_BYTES, 'l');
        byte[] big = bytes(DOCKER_PIECE_BYTES + 1, 'm');
        r.offer(1, TAG, raw(piece), piece, clock.instant());
        List<Reassembled> out = r.offer(1, TAG, raw(big), big, clock.instant());
        assertEquals(2, out.size());
        assertEquals(Outcome.INTERRUPTED, out.get(0).outcome());
        assertArrayEquals(piece, out.get(0).msg());
        assertEquals(Outcome.SINGLE, out.get(1).outcome());
        assertArrayEquals(big, out.get(1).msg());
    }

    @Test
    void invalidLimitsAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> new FragmentReassembler(Duration.ZERO, DOCKER_PIECE_BYTES, 1, DOCKER_PIECE_BYTES));
        assertThrows(IllegalArgumentException.class,
                () -> new FragmentReassembler(Duration.ofSeconds(1), 100, 1, DOCKER_PIECE_BYTES));
    }

    /** A JSON object of exactly {@code n} bytes. */
    static byte[] jsonOfLength(int n) {
        String head = "{\"audit\":{\"requestURI\":\"";
        String tail = "\"},\"msg\":\"audit\"}";
        return (head + "q".repeat(n - head.length() - tail.length()) + tail).getBytes(StandardCharsets.UTF_8);
    }
}
