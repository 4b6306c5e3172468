package io.auditwatch.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.auditwatch.ingest.docker.LocalImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The smoke run of the side-by-side benchmark ({@code deploy/bench/run --quick}): a real Kafka broker
 * process, rsyslog with omkafka and auditwatch's packaged jar as their own processes, loggen as the
 * sender. It keeps the benchmark working; it judges no speed (figures on a shared CI machine mean
 * nothing), only that every TCP message of both forwarders landed and the table and ratio were printed.
 */
class SideBySideBenchIT {
    /** Broker start, four forwarder starts, 20,000 messages each: about two minutes here. */
    static final long TIMEOUT_MINUTES = 10;
    static final Pattern ROW = Pattern.compile("(?m)^(rsyslog|auditwatch shipped)\\s+tcp-octet\\s+max\\s+[0-9,.]+\\s+([0-9,]+)\\s");

    @Test
    void quickRunLandsEveryTcpMessageOfBothForwardersAndPrintsTheRatio(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/rsyslogd")), "rsyslog is missing (.ci/run installs it)");
        assumeTrue(omkafka(), "rsyslog-kafka (omkafka) is missing (.ci/run installs it)");
        assumeTrue(Files.isExecutable(Path.of("/opt/syslog-ng-core/usr/bin/loggen")) || Files.isExecutable(Path.of("/usr/bin/loggen")),
                "loggen is missing (.ci/run unpacks syslog-ng-core)");
        Path root = LocalImages.repositoryRoot();
        assumeTrue(Files.isRegularFile(root.resolve("ingest/target/auditwatch.jar")), "the packaged jar is missing");
        Path log = tmp.resolve("bench.log");
        Process p = new ProcessBuilder("bash", root.resolve("deploy/bench/run").toString(), "--quick", "--no-build")
                .directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
        if (!ended) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(out);
        assertTrue(ended, "deploy/bench/run --quick did not end within " + TIMEOUT_MINUTES + " minutes");
        assertEquals(0, p.exitValue(), "deploy/bench/run --quick failed:\n" + out);
        Matcher m = ROW.matcher(out);
        int rows = 0;
        while (m.find()) {
            assertEquals("20,000", m.group(2), m.group());
            rows++;
        }
        assertEquals(2, rows, "one TCP row for each forwarder:\n" + out);
        assertTrue(out.contains("x rsyslog's msgs/s"), out);
        assertTrue(out.contains("receive -> LogAppendTime: p50"), out);
    }

    private static boolean omkafka() throws IOException {
        try (Stream<Path> s = Files.find(Path.of("/usr/lib"), 4, (path, a) -> path.endsWith("omkafka.so"))) {
            return s.findAny().isPresent();
        }
    }
}
