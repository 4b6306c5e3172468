package io.auditwatch.ingest.transport;

import io.auditwatch.ingest.envelope.Transport;
import io.auditwatch.ingest.kafka.EventPublisher;
import io.auditwatch.ingest.kafka.OutboundEvent;
import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.auditwatch.ingest.pipeline.Ingestor;
import io.auditwatch.ingest.pipeline.Peer;
import io.auditwatch.ingest.syslog.SyslogFrame;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Syslog over UDP (RFC 5426): one datagram is one message. Receiving threads only hand datagrams
 * over ({@link DatagramReceiver}, {@link DatagramHandoff}); parsing and the way to Kafka run on
 * processing threads. UDP has no back-pressure: a datagram that finds the hand-off full, or the
 * way to Kafka full, is dropped and counted ({@code auditwatch_messages_dropped_total}, reasons
 * {@code udp_handoff_full} and {@code udp_queue_full}).
 */
public final class UdpListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UdpListener.class);

    private final DatagramReceiver receiver;

    private UdpListener(DatagramReceiver receiver) {
        this.receiver = receiver;
    }

    /**
     * @param sockets receiving sockets (each with its own thread; NIO binds one) and processing
     *     threads; 0: one per available processor
     */
    public static UdpListener start(String name, String host, int port, int maxMessageSize, int sockets,
            EventLoops loops, Ingestor ingestor, EventPublisher publisher, IngestMetrics metrics, SourceFilter sources) {
        int threads = threads(sockets);
        Consumer<OutboundEvent> publish = publishOrDrop(publisher, metrics);
        DatagramHandoff handoff = new DatagramHandoff(name, threads, DatagramHandoff.DEFAULT_MAX_DATAGRAMS,
                DatagramHandoff.DEFAULT_MAX_BYTES, (sender, bytes) -> {
                    SyslogFrame frame = SyslogFrame.datagram(bytes, maxMessageSize);
                    if (frame != null) { // null: only a trailer, nothing to store
                        ingestor.ingest(frame, new Peer(Transport.UDP, name, sender, null, 0), publish);
                    }
                }, metrics);
        DatagramReceiver r = DatagramReceiver.bind(name, host, port, threads, loops, sources::allows, handoff, metrics);
        LOG.info("Syslog UDP listener '{}' on {} ({}, {} socket(s), {} processing thread(s))", name, r.localAddress(),
                loops.name(), r.sockets(), threads);
        return new UdpListener(r);
    }

    /**
     * The sockets (and processing threads) of a UDP listener: {@code configured}, or when 0 one per
     * available processor; at most {@link DatagramReceiver#MAX_SOCKETS}.
     */
    static int threads(int configured) {
        return configured > 0 ? Math.min(configured, DatagramReceiver.MAX_SOCKETS)
                : Math.min(Runtime.getRuntime().availableProcessors(), DatagramReceiver.MAX_SOCKETS);
    }

    /**
     * Offers an event to the publisher without waiting: UDP cannot hold a sender back, so what the
     * publisher refuses (full, or applying back-pressure) is dropped and counted.
     */
    static Consumer<OutboundEvent> publishOrDrop(EventPublisher publisher, IngestMetrics metrics) {
        return event -> {
            if (!publisher.offer(event)) {
                metrics.dropped("udp_queue_full");
            }
        };
    }

    public int port() {
        return receiver.port();
    }

    public boolean isBound() {
        return receiver.isBound();
    }

    @Override
    public void close() {
        receiver.close();
    }
}
