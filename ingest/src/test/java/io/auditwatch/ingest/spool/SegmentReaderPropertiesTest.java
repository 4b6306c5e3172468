package io.auditwatch.ingest.spool;

import io.auditwatch.ingest.kafka.OutboundEvent;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whatever happens to a segment file (cut anywhere, bytes flipped anywhere), reading it never throws,
 * every record it yields is one that was written, byte for byte, in the written order, and the
 * frames and gaps it reports tile the file without holes or overlaps.
 */
class SegmentReaderPropertiesTest {

    @Property(tries = 200)
    void damagedSegmentsYieldOnlyIntactRecordsInOrder(@ForAll @IntRange(min = 1, max = 40) int count,
                                                      @ForAll @IntRange(min = 0, max = 1_000) int valueBytes,
                                                      @ForAll("cuts") double cut,
                                                      @ForAll @Size(max = 6) List<@IntRange(min = 0, max = Integer.MAX_VALUE) Integer> flips)
            throws IOException {
        List<OutboundEvent> written = SpoolEvents.events(0, count, valueBytes);
        ByteBuffer file = ByteBuffer.allocate(written.stream().mapToInt(RecordCodec::framedSize).sum());
        for (OutboundEvent e : written) {
            RecordCodec.encode(e, 1_763_900_000_000L, file);
        }
        byte[] bytes = file.array();
        int length = (int) Math.round(bytes.length * cut);
        for (int f : flips) {
            if (length > 0) {
                bytes[f % length] ^= (byte) (1 + f % 255);
            }
        }
        Path tmp = Files.createTempFile("segment", ".seg");
        try {
            Files.write(tmp, java.util.Arrays.copyOf(bytes, length));
            Set<String> originals = new HashSet<>();
            for (OutboundEvent e : written) {
                originals.add(new String(e.value(), java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            int lastSeq = -1;
            long expectedStart = 0;
            try (SegmentReader r = new SegmentReader(tmp, 0)) {
                SegmentReader.Item item;
                while ((item = r.next(length)) != null) {
                    assertEquals(expectedStart, item.start(), "items tile the file");
                    assertTrue(item.end() > item.start());
                    expectedStart = item.end();
                    if (item instanceof SegmentReader.Frame frame) {
                        OutboundEvent e = RecordCodec.decode(frame.payload(), 0).event();
                        assertTrue(originals.contains(new String(e.value(), java.nio.charset.StandardCharsets.ISO_8859_1)));
                        int seq = SpoolEvents.seq(e);
                        assertTrue(seq > lastSeq, "order kept");
                        lastSeq = seq;
                    }
                }
            }
            assertEquals(length, expectedStart, "read to the end");
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Provide
    Arbitrary<Double> cuts() {
        return Arbitraries.oneOf(Arbitraries.just(1.0), Arbitraries.doubles().between(0, 1));
    }
}
