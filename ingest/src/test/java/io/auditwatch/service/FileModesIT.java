package io.auditwatch.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service (a child JVM, {@code Main run}) started under {@code umask 000}, the loosest a shell
 * can give it, writes everything it keeps owner-only: directories 0700, files 0600 (data
 * directory, embedded broker directory, spool, outbox, .eml copies). A file someone left readable
 * in the outbox beforehand is reported at start-up by the log and {@code auditwatch_files_loose}.
 */
class FileModesIT {
    @TempDir
    Path tmp;

    @Test
    void everythingTheServiceCreatesUnderUmask000IsOwnerOnly() throws Exception {
        Path data = tmp.resolve("data");
        Path outbox = Files.createDirectories(tmp.resolve("outbox"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path loose = Files.writeString(outbox.resolve("notes.txt"), "left here by hand\n");
        Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-r--r--"));
        int tcpPort = TestService.freeTcpPort();
        int adminPort = TestService.freeTcpPort();
        Path log = tmp.resolve("service.log");

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", "umask 000; exec \"$0\" -Xmx512m -cp \"$1\" "
                + "io.auditwatch.service.Main run", java, System.getProperty("java.class.path"));
        Map<String, String> env = pb.environment();
        env.putAll(ServiceProcess.environment(data, null, tcpPort, adminPort));
        env.put("AUDITWATCH_ALERTING_OUTBOX_DIR", outbox.toString());
        pb.directory(tmp.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> !p.isAlive()
                    || Files.readString(log).contains("auditwatch started"));
            assertTrue(p.isAlive(), () -> "the service did not start: " + read(log));

            // An event reaches the spool; a test alert goes through the outbox to an .eml copy.
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), tcpPort)) {
                s.getOutputStream().write(("<30>1 " + Instant.now() + " modes-node web 1 web - hello\n").getBytes(UTF_8));
            }
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> alert = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + adminPort + "/api/test-alert"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, alert.statusCode(), alert.body());
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(outbox.resolve("sent-eml"))
                    && countFiles(outbox.resolve("sent-eml")) > 0 && countFiles(data.resolve("spool")) > 0);

            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("auditwatch_files_loose 1.0"), metrics);
            String all = Files.readString(log);
            assertTrue(all.contains("1 directories and files of auditwatch are readable or writable by group"
                    + " or others") && all.contains(loose + " rw-r--r--"), all);
        } finally {
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }

        Map<String, String> modes = new TreeMap<>();
        collect(data, data.resolve("kafka"), modes);
        collect(outbox, null, modes);
        modes.remove(loose.toString());
        modes.remove(outbox.toString());
        List<String> wrong = new ArrayList<>();
        modes.forEach((path, mode) -> {
            boolean dir = Files.isDirectory(Path.of(path), LinkOption.NOFOLLOW_LINKS);
            if (!mode.equals(dir ? "rwx------" : "rw-------")) {
                wrong.add(path + " " + mode);
            }
        });
        assertTrue(modes.size() >= 8, "data dir, broker dir, spool dir and segment, outbox files: " + modes);
        assertTrue(modes.containsKey(data.resolve("kafka").toString()), modes.toString());
        assertTrue(modes.keySet().stream().anyMatch(k -> k.startsWith(outbox.resolve("sent-eml").toString() + "/")),
                modes.toString());
        assertEquals(List.of(), wrong, "under umask 000; all modes: " + modes);
    }

    /** Every directory and file under {@code root} with its mode; {@code opaque}'s content (Kafka's) is left out. */
    private static void collect(Path root, Path opaque, Map<String, String> out) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                if (opaque != null && p.startsWith(opaque) && !p.equals(opaque)) {
                    continue;
                }
                out.put(p.toString(), PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)));
            }
        }
    }

    private static long countFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    private static String read(Path log) {
        try {
            String s = Files.readString(log);
            return s.substring(Math.max(0, s.length() - 4_000));
        } catch (IOException e) {
            return e.toString();
        }
    }
}
