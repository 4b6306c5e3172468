package io.auditwatch.service;

import io.auditwatch.ingest.envelope.EnvelopeCodec;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * util-linux {@code logger} as a real sender (the README's "Quick start": {@code logger -n 127.0.0.1
 * -P 5514 -T --rfc5424 hello} appears in {@code audit.events}). Skipped when logger is absent;
 * {@code .ci/run} installs it.
 */
class LoggerSenderIT {
    @RegisterExtension
    static final TestService service = TestService.configuredBy(dir -> {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/logger")), "util-linux logger is not installed (apt-get install bsdutils)");
        return Map.of();
    });

    @Test
    void tcpOctetCountingRfc5424() throws Exception {
        String text = "logger-5424-" + System.nanoTime();
        logger("-T", "--octet-count", "--rfc5424", "-P", Integer.toString(service.tcpPort()), "-t", "lgtest", text);
        JsonNode env = service.events().awaitOne(text);
        assertEquals("octet_counting", env.get("framing").asText());
        assertEquals("rfc5424", env.get("format").asText());
        assertEquals("lgtest", env.at("/syslog/app_name").asText());
        assertEquals(text, EnvelopeCodec.message(env));
        assertEquals(InetAddress.getLocalHost().getHostName().split("\\.")[0],
                env.get("node").asText().split("\\.")[0]);
    }

    @Test
    void tcpLfRfc3164() throws Exception {
        String text = "logger-3164-" + System.nanoTime();
        logger("-T", "--rfc3164", "-P", Integer.toString(service.tcpPort()), "-t", "lgtest", text);
        JsonNode env = service.events().awaitOne(text);
        assertEquals("lf", env.get("framing").asText());
        assertEquals("rfc3164", env.get("format").asText());
        assertEquals("lgtest", env.at("/syslog/app_name").asText());
        assertEquals(text, EnvelopeCodec.message(env));
    }

    @Test
    void udpDefaultFormat() throws Exception {
        String text = "logger-udp-" + System.nanoTime();
        logger("-d", "-P", Integer.toString(service.udpPort()), "-t", "lgtest", text);
        JsonNode env = service.events().awaitOne(text);
        assertEquals("udp", env.at("/source/transport").asText());
        assertEquals("rfc5424", env.get("format").asText()); // logger's network default is RFC 5424
        assertEquals(text, EnvelopeCodec.message(env));
    }

    @Test
    void readmeDoneWhenCommand() throws Exception {
        String text = "hello-" + System.nanoTime();
        logger("-T", "--rfc5424", "-P", Integer.toString(service.tcpPort()), text);
        JsonNode env = service.events().awaitOne(text);
        assertEquals(text, EnvelopeCodec.message(env));
    }

    private static void logger(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/logger", "-n", "127.0.0.1"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            assumeTrue(p.waitFor(30, TimeUnit.SECONDS), "logger did not finish");
            String out = new String(p.getInputStream().readAllBytes(), UTF_8);
            assertEquals(0, p.exitValue(), "logger failed: " + out);
        } finally {
            p.destroyForcibly();
        }
    }

}
