package io.auditwatch.ingest.docker;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.service.TestService;
import io.auditwatch.service.TopicReader;
import io.auditwatch.service.BrokerExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a Docker host sees when the replica its syslog connection lands on goes away: two services
 * (replicas) on one broker behind an L4 forwarder that, like a Kubernetes Service, sends each new
 * connection to a live replica. A container writes {@value #LINES} lines through Docker's syslog
 * driver over TCP, 200 a second; once a third arrived the replica holding the connection stops
 * gracefully (its close drains to Kafka). The driver's next writes meet the closed connection and
 * are lost (one or two lines, measured), it reconnects, and the rest goes to the other replica. The figure is printed for
 * deploy/README.md, "Replicas and what a sender sees"; asserted: the loss is at the switch only.
 */
class DockerReplicaGoneIT {
    static final int LINES = 3_000;

    @TempDir
    static Path dir;
    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();
    static DockerEngine docker;

    @BeforeAll
    static void startDocker() throws Exception {
        docker = DockerEngine.start(Files.createDirectories(dir.resolve("e")));
    }

    @AfterAll
    static void stopDocker() {
        docker.close();
    }

    @Test
    void aGracefulStopOfTheReceivingReplicaCostsTheSyslogDriverOnlyTheLinesAtTheSwitch() throws Exception {
        Map<String, String> env = Map.of("AUDITWATCH_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        TestService first = TestService.start(dir.resolve("a"), env);
        try (TestService second = TestService.start(dir.resolve("b"), env);
                Forwarder lb = new Forwarder(List.of(first.tcpPort(), second.tcpPort()));
                TopicReader reader = new TopicReader(broker.bootstrapServers(), "audit.events")) {
            String marker = "gone-";
            String id = docker.docker("run", "-d", "--network", "none", "--log-driver", "syslog",
                    "--log-opt", "syslog-address=tcp://127.0.0.1:" + lb.port(), "--log-opt", "syslog-format=rfc5424micro",
                    DockerEngine.IMAGE, "/bin/sh", "-c", "i=1; while [ $i -le " + LINES + " ]; do echo " + marker
                            + "$i; i=$((i+1)); usleep 5000; done").strip();
            TreeSet<Integer> seen = new TreeSet<>();
            Pattern p = Pattern.compile(Pattern.quote(marker) + "(\\d+)\"");
            int[] read = {0};
            Runnable collect = () -> {
                var all = reader.poll();
                for (; read[0] < all.size(); read[0]++) {
                    Matcher m = p.matcher(new String(all.get(read[0]).value(), StandardCharsets.UTF_8));
                    if (m.find()) {
                        seen.add(Integer.parseInt(m.group(1)));
                    }
                }
            };
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                collect.run();
                return seen.size() >= LINES / 3;
            });
            long t0 = System.nanoTime();
            first.close(); // SIGTERM's path: listeners close, what was accepted drains to Kafka
            long stopMillis = (System.nanoTime() - t0) / 1_000_000;
            DockerEngine.exec(List.of(DockerEngine.DOCKER.toString(), "-H", docker.host(), "wait", id), Duration.ofMinutes(2));
            try {
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                    collect.run();
                    return seen.size() >= LINES;
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                // What did not arrive 30 s after the container ended is lost; counted below.
            }
            List<Integer> missing = new ArrayList<>();
            for (int n = 1; n <= LINES; n++) {
                if (!seen.contains(n)) {
                    missing.add(n);
                }
            }
            System.out.printf("replica gone: %d of %d lines arrived, %d lost %s; the stop took %d ms; %d connections"
                    + " through the forwarder%n", seen.size(), LINES, missing.size(),
                    missing.subList(0, Math.min(20, missing.size())), stopMillis, lb.connections());
            assertTrue(lb.connections() >= 2, "the driver never reconnected");
            assertTrue(missing.isEmpty() || missing.get(missing.size() - 1) - missing.get(0) < 200,
                    "lines lost away from the switch: " + missing);
        } finally {
            first.close();
        }
    }

    /** A plain L4 forwarder: each accepted connection is piped to the first backend that accepts it. */
    static final class Forwarder implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Integer> backends;
        private final List<Socket> open = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();

        Forwarder(List<Integer> backends) throws IOException {
            this.backends = backends;
            Thread t = new Thread(this::accept, "forwarder");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    open.add(client);
                    Socket backend = connect();
                    if (backend == null) {
                        client.close();
                        continue;
                    }
                    open.add(backend);
                    connections.incrementAndGet();
                    pipe(client, backend);
                    pipe(backend, client);
                } catch (IOException e) {
                    return;
                }
            }
        }

        private Socket connect() {
            for (int port : backends) {
                try {
                    return new Socket(InetAddress.getLoopbackAddress(), port);
                } catch (IOException e) {
                    // stopped replica: the next one
                }
            }
            return null;
        }

        /** Copies until either side ends, then closes both: what a sender sees when its replica goes. */
        private static void pipe(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        out.write(buf, 0, n);
                    }
                } catch (IOException e) {
                    // either side closed
                } finally {
                    closeQuietly(from);
                    closeQuietly(to);
                }
            }, "forwarder-pipe");
            t.setDaemon(true);
            t.start();
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException e) {
                // closing
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            open.forEach(Forwarder::closeQuietly);
        }
    }
}
