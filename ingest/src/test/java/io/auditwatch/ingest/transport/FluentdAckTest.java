package io.auditwatch.ingest.transport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.auditwatch.ingest.classify.Classifier;
import io.auditwatch.ingest.classify.FragmentReassembler;
import io.auditwatch.ingest.docker.DockerCaptures;
import io.auditwatch.ingest.fluentd.ForwardCodec;
import io.auditwatch.ingest.fluentd.ForwardLimits;
import io.auditwatch.ingest.kafka.OutboundEvent;
import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.auditwatch.ingest.pipeline.Ingestor;
import io.auditwatch.ingest.pipeline.NodeResolver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Forward listener on a loopback socket, fed the real driver's request bytes: the ack for a
 * chunk goes out only once every event of it is durable, never on receipt, and a lost event
 * closes the connection instead (the driver then sends the chunk again).
 */
class FluentdAckTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final IngestMetrics metrics = new IngestMetrics(registry);
    private final List<OutboundEvent> published = new CopyOnWriteArrayList<>();
    private EventLoops loops;
    private FluentdListener listener;

    @BeforeEach
    void start() {
        loops = new EventLoops(1, false);
        Ingestor ingestor = new Ingestor(Clock.systemUTC(), new Classifier(), new NodeResolver(NodeResolver.AddressMap.NONE),
                metrics, ZoneOffset.UTC, new FragmentReassembler());
        ReadGate gate = new ReadGate(e -> published.add(e));
        ConnectionGuard guard = new ConnectionGuard(SourceFilter.ALLOW_ALL, 100, 100, Duration.ofSeconds(30), metrics);
        listener = FluentdListener.start("fluentd", "127.0.0.1", 0, ForwardLimits.DEFAULTS, loops, ingestor, gate,
                metrics, guard, null);
    }

    @AfterEach
    void stop() {
        listener.close();
        loops.close();
    }

    @Test
    void theAckWaitsUntilTheEventIsDurable() throws Exception {
        byte[] request = DockerCaptures.forwardRequests("fluentd-request-ack.bin").get(0);
        String chunk = ForwardCodec.decode(request, ForwardLimits.DEFAULTS).chunk();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), listener.port())) {
            s.setSoTimeout(500);
            s.getOutputStream().write(request);
            await().until(() -> published.size() == 1);
            InputStream in = s.getInputStream();
            assertEquals(0, readAvailable(in, 300).length, "no ack while the event is not durable");
            published.get(0).durability().durable();
            published.get(0).durability().durable(); // the spool, then Kafka: one ack all the same
            s.setSoTimeout(5000);
            assertArrayEquals(ForwardCodec.ack(chunk), in.readNBytes(ForwardCodec.ack(chunk).length));
            assertEquals(0, readAvailable(in, 300).length, "exactly one ack");
        }
    }

    @Test
    void aLostEventClosesTheConnectionWithoutAnAck() throws Exception {
        byte[] request = DockerCaptures.forwardRequests("fluentd-request-ack.bin").get(0);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), listener.port())) {
            s.getOutputStream().write(request);
            await().until(() -> published.size() == 1);
            published.get(0).durability().lost();
            s.setSoTimeout(5000);
            assertEquals(-1, s.getInputStream().read(), "closed, no ack: the driver sends the chunk again");
        }
    }

    @Test
    void requestsWithoutAChunkAreStoredAndNeverAnswered() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), listener.port())) {
            OutputStream out = s.getOutputStream();
            out.write(DockerCaptures.bytes("fluentd-default.bin"));
            await().until(() -> published.size() == 2);
            published.forEach(e -> e.durability().durable());
            assertEquals(0, readAvailable(s.getInputStream(), 300).length);
        }
    }

    @Test
    void aMalformedRequestClosesTheConnectionAndIsCounted() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), listener.port())) {
            s.getOutputStream().write(new byte[] {(byte) 0xc1});
            s.setSoTimeout(5000);
            assertEquals(-1, s.getInputStream().read());
        }
        await().until(() -> registry.find(IngestMetrics.FRAMES_DISCARDED.name()).tag("reason", "fluentd_malformed").counter() != null);
    }

    @Test
    void theUdpHeartbeatIsAnswered() throws Exception {
        try (DatagramSocket udp = new DatagramSocket()) {
            udp.setSoTimeout(5000);
            udp.send(new DatagramPacket(new byte[] {0}, 1, InetAddress.getLoopbackAddress(), listener.port()));
            DatagramPacket reply = new DatagramPacket(new byte[8], 8);
            udp.receive(reply);
            assertEquals(1, reply.getLength());
            assertEquals(0, reply.getData()[0]);
        }
    }

    /** What arrives within {@code millis}, without blocking past it. */
    private static byte[] readAvailable(InputStream in, long millis) throws Exception {
        long end = System.nanoTime() + millis * 1_000_000;
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        while (System.nanoTime() < end) {
            if (in.available() > 0) {
                got.write(in.read());
            } else {
                Thread.onSpinWait();
            }
        }
        return got.toByteArray();
    }
}
