package io.auditwatch.ingest.gelf;

import static io.auditwatch.ingest.docker.DockerCaptures.datagrams;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class GelfChunkAssemblerTest {
    private static final InetSocketAddress DOCKER = new InetSocketAddress("127.0.0.1", 40000);
    private static final InetSocketAddress OTHER = new InetSocketAddress("127.0.0.2", 40000);
    private static final Instant T0 = Instant.parse("2026-12-03T19:00:00Z");

    private final List<GelfError> drops = new ArrayList<>();
    private GelfChunkAssembler assembler = new GelfChunkAssembler(GelfChunkAssembler.DEFAULT_TIMEOUT, 1 << 20,
            16, 4L << 20, (reason, held) -> drops.add(reason));

    @Test
    void dockersChunkedFortyThousandByteLineComesOutAsItsThreePieces() throws GelfException {
        List<String> lines = assembleAll(datagrams("gelf-udp-none-40000-byte-line.bin"));
        assertEquals(List.of(16384, 16384, 7232), lines.stream().map(String::length).toList(),
                "Docker's 16 KiB pieces, each its own GELF message");
        assertEquals(40_000, String.join("", lines).length());
        assertEquals(0, assembler.pendingMessages());
    }

    @Test
    void dockersGzipChunksOfAnIncompressibleLineComeOutWhole() throws GelfException {
        List<byte[]> datagrams = datagrams("gelf-udp-gzip-40000-byte-noise-line.bin");
        assertTrue(datagrams.stream().allMatch(GelfChunkAssembler::isChunk), "gzip could not fit a datagram");
        assertEquals(40_000, String.join("", assembleAll(datagrams)).length());
    }

    @Test
    void chunksInReverseOrderAndDuplicatesStillMakeOneMessage() throws GelfException {
        List<byte[]> chunks = firstMessage(datagrams("gelf-udp-none-40000-byte-line.bin"));
        List<byte[]> reversed = new ArrayList<>(chunks);
        Collections.reverse(reversed);
        byte[] whole = null;
        for (byte[] c : reversed) {
            assertNull(whole);
            whole = assembler.offer(DOCKER, c, T0);
            if (whole == null) {
                assertNull(assembler.offer(DOCKER, reversed.get(0), T0), "a duplicate completes nothing");
            }
        }
        assertNotNull(whole);
        assertEquals(16384, GelfCodec.decode(whole, 1 << 20).shortMessage().length());
    }

    @Test
    void anotherSendersChunkWithTheSameIdIsAnotherMessage() throws GelfException {
        List<byte[]> chunks = firstMessage(datagrams("gelf-udp-none-40000-byte-line.bin"));
        for (byte[] c : chunks.subList(0, chunks.size() - 1)) {
            assertNull(assembler.offer(DOCKER, c, T0));
        }
        assertNull(assembler.offer(OTHER, chunks.get(chunks.size() - 1), T0));
        assertNotNull(assembler.offer(DOCKER, chunks.get(chunks.size() - 1), T0));
    }

    @Test
    void incompleteMessagesAreDroppedAfterTheTimeout() throws GelfException {
        List<byte[]> chunks = firstMessage(datagrams("gelf-udp-none-40000-byte-line.bin"));
        assembler.offer(DOCKER, chunks.get(0), T0);
        assembler.expire(T0.plus(Duration.ofMillis(4999)));
        assertEquals(1, assembler.pendingMessages());
        assembler.expire(T0.plus(GelfChunkAssembler.DEFAULT_TIMEOUT));
        assertEquals(0, assembler.pendingMessages());
        assertEquals(0, assembler.pendingBytes());
        assertEquals(List.of(GelfError.CHUNKS_TIMED_OUT), drops);
    }

    @Test
    void aFloodOfFirstChunksStaysWithinTheBoundsByDroppingTheOldest() throws GelfException {
        for (long id = 0; id < 10_000; id++) {
            assertNull(assembler.offer(DOCKER, chunk(id, 0, 2, 1000), T0));
            assertTrue(assembler.pendingMessages() <= 16);
        }
        assertEquals(10_000 - 16, drops.size());
        assertTrue(drops.stream().allMatch(d -> d == GelfError.CHUNKS_EVICTED));
    }

    @Test
    void aMessagePastTheSizeBoundIsDropped() {
        assembler = new GelfChunkAssembler(GelfChunkAssembler.DEFAULT_TIMEOUT, 1500, 16, 4L << 20,
                (reason, held) -> drops.add(reason));
        assertThrows(GelfException.class, () -> {
            assembler.offer(DOCKER, chunk(7, 0, 3, 1000), T0);
            assembler.offer(DOCKER, chunk(7, 1, 3, 1000), T0);
        });
        assertEquals(0, assembler.pendingMessages());
        assertEquals(0, assembler.pendingBytes());
    }

    @Test
    void badChunkHeadersAreTyped() {
        assertEquals(GelfError.BAD_CHUNK, assertThrows(GelfException.class,
                () -> assembler.offer(DOCKER, chunk(1, 0, 129, 10), T0)).error(), "more than 128 chunks");
        assertEquals(GelfError.BAD_CHUNK, assertThrows(GelfException.class,
                () -> assembler.offer(DOCKER, chunk(1, 3, 3, 10), T0)).error(), "number at its count");
        assertEquals(GelfError.BAD_CHUNK, assertThrows(GelfException.class,
                () -> assembler.offer(DOCKER, new byte[] {0x1e, 0x0f, 1}, T0)).error(), "short header");
        assertEquals(GelfError.CHUNK_COUNT_CHANGED, assertThrows(GelfException.class, () -> {
            assembler.offer(DOCKER, chunk(2, 0, 3, 10), T0);
            assembler.offer(DOCKER, chunk(2, 1, 4, 10), T0);
        }).error());
    }

    @Test
    void aSingleChunkMessageIsItsPayload() throws GelfException {
        byte[] c = chunk(9, 0, 1, 5);
        assertArrayEquals(java.util.Arrays.copyOfRange(c, 12, c.length), assembler.offer(DOCKER, c, T0));
    }

    private List<String> assembleAll(List<byte[]> datagrams) throws GelfException {
        List<String> lines = new ArrayList<>();
        for (byte[] d : datagrams) {
            byte[] whole = GelfChunkAssembler.isChunk(d) ? assembler.offer(DOCKER, d, T0) : d;
            if (whole != null) {
                lines.add(GelfCodec.decode(whole, 1 << 20).shortMessage());
            }
        }
        return lines;
    }

    /** The chunks of the message of the first datagram. */
    private static List<byte[]> firstMessage(List<byte[]> datagrams) {
        byte[] first = datagrams.get(0);
        List<byte[]> out = new ArrayList<>();
        for (byte[] d : datagrams) {
            if (java.util.Arrays.equals(d, 2, 10, first, 2, 10)) {
                out.add(d);
            }
        }
        assertTrue(out.size() > 2, "a chunked message");
        return out;
    }

    private static byte[] chunk(long id, int seq, int count, int payload) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(12 + payload);
        b.put((byte) 0x1e).put((byte) 0x0f).putLong(id).put((byte) seq).put((byte) count);
        return b.array();
    }
}
