package io.auditwatch.ingest.fluentd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.auditwatch.ingest.docker.DockerCaptures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ForwardDecoderTest {
    private int heartbeats;
    private int ignoredBytes;
    private final List<ByteBuf> written = new ArrayList<>();
    private EmbeddedChannel channel = channel(ForwardLimits.DEFAULTS);

    @BeforeAll
    static void paranoidLeakDetection() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @AfterEach
    void everyInputBufferWasReleased() {
        channel.finishAndReleaseAll();
        for (ByteBuf buf : written) {
            assertEquals(0, buf.refCnt(), "input buffer leaked");
        }
    }

    @Test
    void dockersCaptureDecodesToOneRequestPerLine() {
        write(DockerCaptures.bytes("fluentd-default.bin"));
        assertEquals("Hello from Docker.", request().entries().get(0).record().get("log"));
        assertEquals("to stderr", request().entries().get(0).record().get("log"));
        assertFalse(channel.finish());
    }

    @Test
    void aRequestArrivingByteByByteComesOutWhole() {
        byte[] all = DockerCaptures.bytes("fluentd-request-ack-40000-byte-line.bin");
        for (int i = 0; i < all.length; i += 997) {
            write(java.util.Arrays.copyOfRange(all, i, Math.min(all.length, i + 997)));
        }
        for (int i = 1; i <= 3; i++) {
            assertEquals(String.valueOf(i), request().entries().get(0).record().get("partial_ordinal"));
        }
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
    }

    @Test
    void aNilHeartbeatAndNonArrayValuesAreSkippedAndCounted() {
        byte[] docker = DockerCaptures.bytes("fluentd-request-ack.bin");
        byte[] ordered = new byte[docker.length + 4];
        ordered[0] = (byte) 0xc0;
        ordered[1] = (byte) 0x81;
        ordered[2] = 0x01;
        ordered[3] = 0x02;
        System.arraycopy(docker, 0, ordered, 4, docker.length);
        write(ordered);
        assertEquals(1, heartbeats);
        assertEquals(3, ignoredBytes);
        assertEquals(java.util.Set.of("Hello from Docker.", "to stderr"), java.util.Set.of(
                request().entries().get(0).record().get("log"), request().entries().get(0).record().get("log")));
        assertFalse(channel.finish());
    }

    @Test
    void aRequestPastTheFrameBoundFailsWithoutBufferingIt() {
        channel.finishAndReleaseAll();
        channel = channel(new ForwardLimits(1024, 10, 1024, 10, 4));
        byte[] head = {(byte) 0x93, (byte) 0xa1, 'a', (byte) 0xc6, 0x00, 0x10, 0x00, 0x00}; // bin32 of 1 MiB
        write(head);
        ForwardException e = assertThrows(ForwardException.class, () -> write(new byte[2048]));
        assertEquals(ForwardError.FRAME_TOO_LONG, e.error());
        write(DockerCaptures.bytes("fluentd-default.bin"));
        assertNull(channel.readInbound(), "after a refused request the rest of the stream is discarded");
        assertFalse(channel.finish());
    }

    @Test
    void aByteMessagePackNeverUsesIsMalformed() {
        ForwardException e = assertThrows(ForwardException.class, () -> write(new byte[] {(byte) 0xc1, 0x00}));
        assertEquals(ForwardError.MALFORMED, e.error());
        assertInstanceOf(io.netty.handler.codec.DecoderException.class, e);
        assertFalse(channel.finish());
    }

    private EmbeddedChannel channel(ForwardLimits limits) {
        return new EmbeddedChannel(new ForwardDecoder(limits, new ForwardDecoder.Listener() {
            @Override
            public void heartbeat() {
                heartbeats++;
            }

            @Override
            public void ignored(int bytes) {
                ignoredBytes += bytes;
            }
        }));
    }

    private void write(byte[] bytes) {
        ByteBuf buf = Unpooled.copiedBuffer(bytes);
        written.add(buf);
        channel.writeInbound(buf);
    }

    private ForwardRequest request() {
        Object o = channel.readInbound();
        return assertInstanceOf(ForwardRequest.class, o);
    }
}
