package io.auditwatch.ingest.fluentd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * The request framer's header scan agrees with msgpack-core on where a value ends, for values of
 * every MessagePack type and nesting, and never claims a value complete before its last byte.
 */
class ForwardFramingPropertiesTest {

    @Property(tries = 300)
    void aCompleteValueIsMeasuredExactlyAndNoPrefixIsComplete(@ForAll long seed, @ForAll @IntRange(min = 0, max = 4) int depth)
            throws IOException {
        MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
        pack(p, new Random(seed), depth);
        byte[] value = p.toByteArray();
        byte[] withTrailer = java.util.Arrays.copyOf(value, value.length + 3);
        assertEquals(value.length, ForwardCodec.completeValueLength(ByteBuffer.wrap(withTrailer)));
        for (int cut = 0; cut < value.length; cut += Math.max(1, value.length / 40)) {
            assertEquals(-1, ForwardCodec.completeValueLength(ByteBuffer.wrap(value, 0, cut)), "prefix of " + cut);
        }
    }

    private static void pack(MessageBufferPacker p, Random r, int depth) throws IOException {
        int kind = r.nextInt(depth > 0 ? 12 : 10);
        switch (kind) {
            case 0 -> p.packNil();
            case 1 -> p.packBoolean(r.nextBoolean());
            case 2 -> p.packLong(r.nextLong() >> r.nextInt(64));
            case 3 -> p.packInt(-r.nextInt(40));
            case 4 -> p.packDouble(r.nextDouble());
            case 5 -> p.packFloat(r.nextFloat());
            case 6 -> p.packString("x".repeat(sizeOf(r)));
            case 7 -> {
                int n = sizeOf(r);
                p.packBinaryHeader(n).writePayload(new byte[n]);
            }
            case 8 -> {
                int n = new int[] {1, 2, 4, 8, 16, 3, 300}[r.nextInt(7)];
                p.packExtensionTypeHeader((byte) r.nextInt(100), n).writePayload(new byte[n]);
            }
            case 9 -> p.packString("");
            case 10 -> {
                int n = r.nextInt(r.nextBoolean() ? 5 : 20);
                p.packArrayHeader(n);
                for (int i = 0; i < n; i++) {
                    pack(p, r, depth - 1);
                }
            }
            default -> {
                int n = r.nextInt(r.nextBoolean() ? 5 : 20);
                p.packMapHeader(n);
                for (int i = 0; i < 2 * n; i++) {
                    pack(p, r, depth - 1);
                }
            }
        }
    }

    /** Lengths around every header size boundary (fix, 8, 16 and 32 bits). */
    private static int sizeOf(Random r) {
        return new int[] {0, 1, 31, 32, 255, 256, 65_535, 65_536, r.nextInt(100)}[r.nextInt(9)];
    }
}
