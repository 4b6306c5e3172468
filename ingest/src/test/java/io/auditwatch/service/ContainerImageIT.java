package io.auditwatch.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.auditwatch.ingest.docker.DockerEngine;
import io.auditwatch.ingest.docker.LocalImages;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The image of {@code deploy/Dockerfile}, built on the local JRE base ({@link LocalImages}) and run
 * as a user runs it, with a read-only root file system: the unprivileged user, /health, a
 * {@code logger} line through the published syslog port into the embedded broker, and
 * {@code send-test-alert} to a GreenMail on the host. Prints the image's size and start-up time.
 */
class ContainerImageIT {
    /** The JVM, the embedded broker and the listeners start in about 15 s here; 120 s covers a loaded CI machine. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(60);
    private static final String CONTAINER = "auditwatch-image-it";
    /** The Dockerfile's USER. */
    private static final String UNPRIVILEGED_UID = "10001";

    static final String ADMIN_USER = "operator";
    /** A password made for this run only. */
    static final String ADMIN_PASSWORD = java.util.UUID.randomUUID().toString();
    static DockerEngine docker;
    static GreenMail smtp;
    static int syslogPort;
    static int adminPort;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        docker = LocalImages.engine();
        String image = LocalImages.auditwatchImage();
        long bytes = Long.parseLong(docker.docker("image", "inspect", "--format", "{{.Size}}", image).strip());
        long base = Long.parseLong(docker.docker("image", "inspect", "--format", "{{.Size}}", LocalImages.JRE).strip());
        System.out.printf("image %s: %.0f MB (JRE base %.0f MB, auditwatch's layers %.0f MB)%n", image, bytes / 1e6,
                base / 1e6, (bytes - base) / 1e6);

        // The container reaches the host on the engine's bridge.
        smtp = new GreenMail(new ServerSetup(0, docker.hostAddress(), ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        syslogPort = LocalImages.freePublishPort();
        adminPort = LocalImages.freePublishPort();
        long started = System.nanoTime();
        docker.docker("run", "-d", "--name", CONTAINER,
                // Read-only root: the data volume the image declares, and /tmp as tmpfs (exec: Netty
                // unpacks its native epoll transport there).
                "--read-only", "--tmpfs", "/tmp:rw,exec,nosuid,size=64m",
                "-p", "127.0.0.1:" + syslogPort + ":5514/tcp", "-p", "127.0.0.1:" + adminPort + ":9464/tcp",
                // The image keeps the admin server on loopback; published, it gets credentials.
                "-e", "AUDITWATCH_ADMIN_HOST=0.0.0.0", "-e", "AUDITWATCH_ADMIN_USERNAME=" + ADMIN_USER,
                "-e", "AUDITWATCH_ADMIN_PASSWORD=" + ADMIN_PASSWORD,
                "-e", "AUDITWATCH_ALERTING_SMTP_HOST=" + docker.hostAddress(),
                "-e", "AUDITWATCH_ALERTING_SMTP_PORT=" + smtp.getSmtp().getPort(),
                "-e", "AUDITWATCH_ALERTING_SMTP_STARTTLS=none",
                "-e", "AUDITWATCH_ALERTING_RECIPIENTS_ISSO=isso@agency.example",
                "-e", "AUDITWATCH_ALERTING_RECIPIENTS_SA=sa@agency.example",
                image);
        await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> get("/health").statusCode() == 200);
        System.out.printf("container start to /health 200: %.1f s%n", (System.nanoTime() - started) / 1e9);
        // /ready also waits for heartbeat to be reading: its new consumer group starts at the end of
        // audit.events, so an event published before that would never reach /api/nodes.
        await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> get("/ready").statusCode() == 200);
    }

    @AfterAll
    static void stop() throws IOException {
        if (docker != null) {
            System.out.println("container log tail:\n" + tail(docker.docker("logs", CONTAINER), 15));
            docker.docker("rm", "-f", "-v", CONTAINER);
        }
        if (smtp != null) {
            smtp.stop();
        }
    }

    @Test
    void whatTheServiceCreatesIsPrivateToItsUser() throws IOException {
        // The entrypoint's umask 077: the data directory's new files and directories, whatever the runtime's umask.
        String modes = docker.docker("exec", CONTAINER, "bash", "-c",
                "find /var/lib/auditwatch -mindepth 1 -newer /opt/auditwatch/auditwatch.jar -printf '%m %p\\n'");
        assertTrue(modes.lines().count() > 0, "nothing created under /var/lib/auditwatch");
        for (String line : modes.lines().toList()) {
            assertTrue(line.startsWith("700 ") || line.startsWith("600 "), "not private: " + line);
        }
    }

    @Test
    void runsAsTheUnprivilegedUserOnAReadOnlyRootFileSystem() throws IOException {
        assertEquals(UNPRIVILEGED_UID, docker.docker("exec", CONTAINER, "id", "-u").strip());
        assertEquals("true", docker.docker("inspect", "--format", "{{.HostConfig.ReadonlyRootfs}}", CONTAINER).strip());
        String write = docker.docker("exec", CONTAINER, "bash", "-c", "touch /opt/auditwatch/x 2>&1 || true");
        assertTrue(write.contains("Read-only file system"), write);
        // The data directory is the volume the image declares, writable by the user.
        docker.docker("exec", CONTAINER, "touch", "/var/lib/auditwatch/.write-test");
    }

    @Test
    void aLoggerLineThroughThePublishedPortLandsInTheEmbeddedBroker() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/logger")), "util-linux logger is not installed (apt-get install bsdutils)");
        String text = "image-it-" + System.nanoTime();
        Process logger = new ProcessBuilder("/usr/bin/logger", "-n", "127.0.0.1", "-P", Integer.toString(syslogPort), "-T",
                "--octet-count", "--rfc5424", "-t", "imagetest", text).redirectErrorStream(true).start();
        assertEquals(0, logger.waitFor(), new String(logger.getInputStream().readAllBytes(), UTF_8));
        // logger's RFC 5424 HOSTNAME is the machine's host name, the node. The heartbeat role consumes
        // audit.events from the embedded broker: the node is listed only once the event was
        // published to it and read back.
        String host = Files.readString(Path.of("/proc/sys/kernel/hostname"), UTF_8).strip();
        await().atMost(DELIVERY_TIMEOUT).until(() -> get("/api/nodes").body().contains("\"" + host + "\""));
        String metrics = get("/metrics").body();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("auditwatch_kafka_publish") && l.contains("success")
                && !l.endsWith(" 0.0")), "no successful publish in /metrics");
    }

    @Test
    void sendTestAlertReachesTheRelayOnTheHost() throws Exception {
        String out = docker.docker("exec", CONTAINER, "java", "-jar", "/opt/auditwatch/auditwatch.jar",
                "send-test-alert", "--config", "config/auditwatch.yaml");
        assertTrue(out.contains("test alert"), out);
        await().atMost(DELIVERY_TIMEOUT).until(() -> smtp.getReceivedMessages().length >= 1);
        MimeMessage mail = smtp.getReceivedMessages()[0];
        assertTrue(mail.getSubject().contains("TEST"), mail.getSubject());
        assertTrue(out.contains(mail.getSubject()), out);
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        (ADMIN_USER + ":" + ADMIN_PASSWORD).getBytes(UTF_8)))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
