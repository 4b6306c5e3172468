package io.auditwatch.ingest.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.auditwatch.ingest.classify.FragmentReassembler.Outcome;
import io.auditwatch.ingest.classify.FragmentReassembler.Reassembled;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class FragmentReassemblerPropertiesTest {
    private static final Instant NOW = Instant.parse("2026-11-23T18:00:00Z");

    @Property(tries = 300)
    void cuttingAnyLineAsDockerDoesAndOfferingThePiecesGivesTheLineBack(
            @ForAll @IntRange(min = 0, max = 200_000) int length, @ForAll byte fill, @ForAll boolean json) {
        byte[] line = json && length >= 41
                ? FragmentReassemblerTest.jsonOfLength(length) : filled(length, fill == '\n' ? 0 : fill);
        FragmentReassembler r = new FragmentReassembler();
        List<Reassembled> out = new ArrayList<>();
        List<byte[]> pieces = FragmentReassemblerTest.cut(line);
        for (byte[] p : pieces) {
            out.addAll(r.offer(7, "t", FragmentReassemblerTest.raw(p), p, NOW));
        }
        out.addAll(r.expire(NOW.plus(FragmentReassembler.DEFAULT_TIMEOUT)));
        assertEquals(1, out.size());
        assertArrayEquals(line, out.get(0).msg());
        assertEquals(pieces.size(), out.get(0).pieces());
        assertEquals(pieces.size() == 1 ? Outcome.SINGLE : Outcome.REASSEMBLED, out.get(0).outcome());
    }

    private static byte[] filled(int n, byte fill) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, fill);
        return b;
    }
}
