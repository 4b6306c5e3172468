package io.auditwatch.service;

import io.auditwatch.ingest.fluentd.ForwardLimits;
import io.auditwatch.ingest.kafka.EventPublisher;
import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.auditwatch.ingest.pipeline.Ingestor;
import io.auditwatch.ingest.transport.ConnectionGuard;
import io.auditwatch.ingest.transport.EventLoops;
import io.auditwatch.ingest.transport.FluentdListener;
import io.auditwatch.ingest.transport.GelfListener;
import io.auditwatch.ingest.transport.ReadGate;
import io.auditwatch.ingest.transport.SourceFilter;
import io.auditwatch.ingest.transport.TlsContextSource;
import io.auditwatch.service.config.Config;
import io.auditwatch.service.config.Keys;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The listeners for Docker's fluentd and gelf drivers ({@code listeners.fluentd.*},
 * {@code listeners.gelf.*}), both off by default. Each has its own source filter and a connection
 * guard with the same limits as the syslog stream listeners ({@code listeners.max-connections*},
 * {@code listeners.frame-deadline}).
 */
final class DockerInputs implements AutoCloseable {
    /** The bound listeners by name ({@code fluentd}, {@code gelf-udp}, {@code gelf-tcp}), for readiness and alerts. */
    private final Map<String, Bound> listeners = new LinkedHashMap<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    /** A started listener: its port and whether it is still bound. */
    record Bound(int port, Supplier<Boolean> isBound) {
    }

    /**
     * @param sourceFilter reads a list of CIDR blocks, failing with the key's name
     * @param tls the shared TLS context source of {@code listeners.tls.*}, made on first use
     */
    static DockerInputs start(Config config, Clock clock, EventLoops loops, Ingestor ingestor, ReadGate gate,
            EventPublisher publisher, IngestMetrics metrics, int maxMessage,
            Function<io.auditwatch.service.config.ConfigKey<List<String>>, SourceFilter> sourceFilter,
            Supplier<TlsContextSource> tls) {
        DockerInputs inputs = new DockerInputs();
        try {
            if (config.get(Keys.FLUENTD_ENABLED)) {
                ForwardLimits limits = new ForwardLimits(
                        (int) Math.min(Integer.MAX_VALUE - 64, config.get(Keys.FLUENTD_MAX_REQUEST)),
                        ForwardLimits.DEFAULT_MAX_ENTRIES, ForwardLimits.DEFAULT_MAX_INFLATED_BYTES,
                        ForwardLimits.DEFAULT_MAX_FIELDS, ForwardLimits.DEFAULT_MAX_DEPTH);
                FluentdListener l = FluentdListener.start("fluentd", config.get(Keys.FLUENTD_HOST),
                        config.get(Keys.FLUENTD_PORT), limits, loops, ingestor, gate, metrics,
                        guard(config, sourceFilter.apply(Keys.FLUENTD_ALLOWED), metrics),
                        config.get(Keys.FLUENTD_TLS) ? tls.get() : null);
                inputs.add("fluentd", l, l.port(), l::isBound);
            }
            if (config.get(Keys.GELF_ENABLED)) {
                ConnectionGuard guard = guard(config, sourceFilter.apply(Keys.GELF_ALLOWED), metrics);
                GelfListener udp = GelfListener.startUdp("gelf", config.get(Keys.GELF_HOST), config.get(Keys.GELF_PORT),
                        maxMessage, config.get(Keys.UDP_SOCKETS), loops, ingestor, publisher, metrics, guard, clock);
                inputs.add("gelf-udp", udp, udp.port(), udp::isBound);
                GelfListener tcp = GelfListener.startStream("gelf", config.get(Keys.GELF_HOST), udp.port(), maxMessage,
                        loops, ingestor, gate, metrics, guard, config.get(Keys.GELF_TLS) ? tls.get() : null);
                inputs.add("gelf-tcp", tcp, tcp.port(), tcp::isBound);
            }
        } catch (RuntimeException e) {
            inputs.close();
            throw e;
        }
        return inputs;
    }

    private static ConnectionGuard guard(Config config, SourceFilter sources, IngestMetrics metrics) {
        return new ConnectionGuard(sources, config.get(Keys.MAX_CONNECTIONS), config.get(Keys.MAX_CONNECTIONS_PER_SOURCE),
                config.get(Keys.IPV6_SOURCE_PREFIX), config.get(Keys.FRAME_DEADLINE), metrics);
    }

    private void add(String name, AutoCloseable listener, int port, Supplier<Boolean> isBound) {
        listeners.put(name, new Bound(port, isBound));
        toClose.add(listener);
    }

    Map<String, Bound> listeners() {
        return listeners;
    }

    @Override
    public void close() {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception ignored) {
                // closing a listener socket cannot fail in a way that matters at shutdown
            }
        }
    }
}
