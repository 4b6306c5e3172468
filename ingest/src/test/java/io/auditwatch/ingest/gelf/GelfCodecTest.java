package io.auditwatch.ingest.gelf;

import static io.auditwatch.ingest.docker.DockerCaptures.datagrams;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class GelfCodecTest {
    static final int MAX = 1 << 20;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gelf-udp-gzip.bin", "gelf-udp-zlib.bin", "gelf-udp-none.bin"})
    void dockersDatagramsDecodeWithEveryContainerField(String file) throws GelfException {
        List<byte[]> datagrams = datagrams(file);
        GelfMessage m = GelfCodec.decode(datagrams.get(0), MAX);
        if (!m.shortMessage().equals("Hello from Docker.")) {
            m = GelfCodec.decode(datagrams.get(1), MAX); // stdout and stderr race
        }
        assertEquals("Hello from Docker.", m.shortMessage());
        assertEquals("vm", m.host(), "the Docker host's name");
        assertEquals(6, m.level(), "stdout is LOG_INFO");
        assertNull(m.fullMessage());
        assertTrue(m.timestamp().getEpochSecond() > 1_700_000_000L);
        assertTrue(m.additional().get("container_id").matches("[0-9a-f]{64}"));
        assertTrue(m.additional().get("container_name").matches("[a-z]+_[a-z]+"), m.additional().get("container_name"));
        assertEquals("auditwatch-it/busybox:static", m.additional().get("image_name"));
        assertEquals(m.additional().get("container_id").substring(0, 12), m.additional().get("tag"));
        assertTrue(m.raw()[0] == '{', "raw is the JSON after decompression");
    }

    @Test
    void stderrIsLevelThree() throws GelfException {
        List<byte[]> datagrams = datagrams("gelf-udp-gzip.bin");
        assertEquals(2, datagrams.size());
        int levels = GelfCodec.decode(datagrams.get(0), MAX).level() + GelfCodec.decode(datagrams.get(1), MAX).level();
        assertEquals(6 + 3, levels);
    }

    @Test
    void aBombIsRefusedAtTheBound() throws IOException {
        byte[] zeros = new byte[10 << 20];
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(zeros);
        }
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (DeflaterOutputStream out = new DeflaterOutputStream(z)) {
            out.write(zeros);
        }
        assertEquals(GelfError.TOO_LARGE, assertThrows(GelfException.class, () -> GelfCodec.decode(gz.toByteArray(), MAX)).error());
        assertEquals(GelfError.TOO_LARGE, assertThrows(GelfException.class, () -> GelfCodec.decode(z.toByteArray(), MAX)).error());
    }

    @Test
    void corruptCompressionAndBadJsonAreTyped() {
        byte[] corrupt = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3};
        assertEquals(GelfError.BAD_COMPRESSION, assertThrows(GelfException.class, () -> GelfCodec.decode(corrupt, MAX)).error());
        for (String json : new String[] {"[1]", "{\"host\":\"h\"}", "{\"short_message\":\"x\"} trailing", "{\"short_message\":"}) {
            assertEquals(GelfError.BAD_JSON, assertThrows(GelfException.class,
                    () -> GelfCodec.decode(json.getBytes(StandardCharsets.UTF_8), MAX)).error(), json);
        }
    }

    @Test
    void nestedAdditionalFieldsAreKeptAsJsonUpToTheNestingBound() throws GelfException {
        GelfMessage m = GelfCodec.decode("{\"short_message\":\"x\",\"_o\":{\"a\":[1,2]},\"_n\":3.5,\"_\":1}"
                .getBytes(StandardCharsets.UTF_8), MAX);
        assertEquals("{\"a\":[1,2]}", m.additional().get("o"));
        assertEquals("3.5", m.additional().get("n"));
        String deep = "{\"short_message\":\"x\",\"_d\":" + "[".repeat(100) + "]".repeat(100) + "}";
        assertEquals(GelfError.BAD_JSON, assertThrows(GelfException.class,
                () -> GelfCodec.decode(deep.getBytes(StandardCharsets.UTF_8), MAX)).error());
    }
}
