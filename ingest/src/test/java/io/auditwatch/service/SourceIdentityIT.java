package io.auditwatch.service;

import io.auditwatch.ingest.pipeline.IngestMetrics;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Source restrictions of the plain listeners and the inventory's address mapping as node identity.
 * Allowed: 127.0.0.1 only; 127.0.0.9 is another host on the loopback network.
 */
class SourceIdentityIT {
    static final InetAddress OTHER = loopback(9);

    @RegisterExtension
    static final TestService service = TestService.configuredBy(dir -> {
        Path inventory = dir.resolve("nodes.yaml");
        Files.writeString(inventory, """
                roles:
                  worker:
                    streams:
                      container: 15m
                nodes:
                  - name: wrk-mapped.example.org
                    role: worker
                    addresses: ["127.0.0.0/24"]
                """);
        return Map.of(
                "AUDITWATCH_HEARTBEAT_INVENTORY_FILE", inventory.toString(),
                "AUDITWATCH_LISTENERS_TCP_ALLOWED_SOURCES", "127.0.0.1/32",
                "AUDITWATCH_LISTENERS_UDP_ALLOWED_SOURCES", "127.0.0.1");
    });

    @Test
    void dockerDefaultFormatGetsItsNodeFromTheInventoryMapping() throws Exception {
        String marker = "mapped-" + System.nanoTime();
        try (Socket s = connect(InetAddress.getLoopbackAddress())) {
            s.getOutputStream().write(("<30>Nov 23 17:00:01 web/3f2a9c1d0b7e[1234]: " + marker + "\n").getBytes(UTF_8));
        }
        JsonNode env = service.events().awaitOne(marker);
        assertEquals("wrk-mapped.example.org", env.get("node").asText());
        assertEquals("inventory", env.get("node_source").asText());
    }

    @Test
    void tcpFromANotAllowedSourceIsRefusedAndCounted() throws Exception {
        double before = count(IngestMetrics.CONNECTIONS_REJECTED.name(), "reason", "source_not_allowed");
        String marker = "refused-" + System.nanoTime();
        try (Socket s = connect(OTHER)) {
            s.getOutputStream().write(("<30>1 2026-11-23T17:00:01Z x web 1 web - " + marker + "\n").getBytes(UTF_8));
            s.setSoTimeout(10_000);
            s.getInputStream().read();
        } catch (IOException e) {
            // reset by the refusal: expected
        }
        await().atMost(Duration.ofSeconds(30)).until(() ->
                count(IngestMetrics.CONNECTIONS_REJECTED.name(), "reason", "source_not_allowed") > before);
        // An allowed sender's next message lands; the refused one never did.
        String after = "allowed-" + System.nanoTime();
        try (Socket s = connect(InetAddress.getLoopbackAddress())) {
            s.getOutputStream().write(("<30>1 2026-11-23T17:00:01Z x web 1 web - " + after + "\n").getBytes(UTF_8));
        }
        service.events().awaitOne(after);
        assertEquals(0, service.events().records().stream().filter(r -> new String(r.value(), UTF_8).contains(marker)).count());
    }

    @Test
    void udpFromANotAllowedSourceIsDroppedAndCounted() throws Exception {
        double before = count(IngestMetrics.DROPPED.name(), "reason", "source_not_allowed");
        try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(OTHER, 0))) {
            for (int i = 0; i < 3; i++) {
                byte[] b = ("<30>1 2026-11-23T17:00:01Z x web 1 web - udp-refused " + i).getBytes(UTF_8);
                d.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), service.udpPort()));
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() ->
                count(IngestMetrics.DROPPED.name(), "reason", "source_not_allowed") - before == 3);
    }

    private static double count(String name, String tag, String value) {
        return service.service().registry().find(name).tag(tag, value).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private static Socket connect(InetAddress from) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), service.tcpPort()), 10_000);
        return s;
    }

    private static InetAddress loopback(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
