package io.auditwatch.ingest;

import io.auditwatch.ingest.classify.Classifier;
import io.auditwatch.ingest.config.Config;
import io.auditwatch.ingest.config.ConfigKey;
import io.auditwatch.ingest.config.Keys;
import io.auditwatch.ingest.config.Secrets;
import io.auditwatch.ingest.envelope.Transport;
import io.auditwatch.ingest.kafka.EmbeddedKafka;
import io.auditwatch.ingest.kafka.EventPublisher;
import io.auditwatch.ingest.kafka.PublisherSettings;
import io.auditwatch.ingest.kafka.TopicCreator;
import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.auditwatch.ingest.spool.FsyncPolicy;
import io.auditwatch.ingest.spool.Spool;
import io.auditwatch.ingest.spool.SpoolHealth;
import io.auditwatch.ingest.spool.SpoolSettings;
import io.auditwatch.ingest.pipeline.Ingestor;
import io.auditwatch.ingest.pipeline.NodeResolver;
import io.auditwatch.ingest.transport.EventLoops;
import io.auditwatch.ingest.transport.ReadGate;
import io.auditwatch.ingest.transport.ConnectionGuard;
import io.auditwatch.ingest.transport.SourceFilter;
import io.auditwatch.ingest.transport.StreamListener;
import io.auditwatch.ingest.transport.TlsContextSource;
import io.auditwatch.ingest.transport.UdpListener;
import io.netty.handler.ssl.ClientAuth;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The assembled service: embedded broker (when no cluster is configured), publisher, listeners,
 * heartbeat, alerting and the admin server, started in dependency order and stopped in reverse.
 */
public final class Auditwatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Auditwatch.class);

    /** How long start-up waits for Kafka to answer before giving up with exit code 1. */
    static final Duration KAFKA_STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private final PrometheusMeterRegistry registry;
    private EmbeddedKafka embeddedKafka;
    private EventPublisher publisher;
    private Spool spool;
    private StreamListener tcp;
    private StreamListener tls;
    private UdpListener udp;
    private String bootstrapServers;

    private Auditwatch() {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    /** Starts everything the configuration asks for; on failure closes what was started and rethrows. */
    public static Auditwatch start(Config config, Clock clock) {
        Auditwatch aw = new Auditwatch();
        try {
            aw.startAll(config, clock);
            return aw;
        } catch (RuntimeException e) {
            aw.close();
            throw e;
        }
    }

    private void startAll(Config config, Clock clock) {
        for (String line : config.describe()) {
            LOG.info("config: {}", line);
        }
        bindJvmMetrics();
        Path dataDir = Path.of(config.get(Keys.DATA_DIR));

        List<String> bootstrap = config.get(Keys.KAFKA_BOOTSTRAP);
        if (bootstrap.isEmpty()) {
            embeddedKafka = EmbeddedKafka.start(dataDir.resolve("kafka"), "127.0.0.1", config.get(Keys.KAFKA_EMBEDDED_PORT));
            toClose.push(embeddedKafka);
            bootstrapServers = embeddedKafka.bootstrapServers();
            LOG.info("No kafka.bootstrap-servers configured: embedded single-node KRaft broker on {}, data in {}",
                    bootstrapServers, dataDir.resolve("kafka").toAbsolutePath());
        } else {
            bootstrapServers = String.join(",", bootstrap);
            LOG.info("Kafka cluster: {}", bootstrapServers);
        }
        PublisherSettings ps = new PublisherSettings(bootstrapServers, config.get(Keys.KAFKA_TOPIC),
                config.get(Keys.KAFKA_PARTITIONS), config.get(Keys.KAFKA_REPLICATION).shortValue(),
                config.get(Keys.KAFKA_QUEUE_BYTES), config.get(Keys.KAFKA_MAX_BLOCK),
                config.get(Keys.SPOOL_DRAIN_DEADLINE), null, PublisherSettings.DEFAULT_HEALTH_CHECK_INTERVAL);
        TopicCreator.ensureTopic(ps, KAFKA_STARTUP_TIMEOUT);
        if (config.get(Keys.SPOOL_ENABLED)) {
            SpoolSettings ss;
            try {
                ss = new SpoolSettings(dataDir.resolve("spool"), config.get(Keys.SPOOL_MAX_BYTES),
                        FsyncPolicy.of(config.get(Keys.SPOOL_FSYNC)), config.get(Keys.SPOOL_FSYNC_INTERVAL),
                        config.get(Keys.SPOOL_ALERT_FILL) / 100.0);
            } catch (IllegalArgumentException e) {
                throw config.invalid(Keys.SPOOL_MAX_BYTES, e.getMessage());
            }
            // Alerts: the lead wires the alerting pipeline's sink here; until then the spool logs them.
            spool = new Spool(ss, ps.queueBytes(), registry, clock, System::nanoTime, null);
            // Closed after the publisher: the publisher's last appends and acknowledgements land first.
            toClose.push(spool);
        }
        publisher = new EventPublisher(ps, registry, clock, spool);
        toClose.push(publisher);

        IngestMetrics metrics = new IngestMetrics(registry);
        Ingestor ingestor = new Ingestor(clock, new Classifier(), new NodeResolver(NodeResolver.AddressMap.NONE),
                metrics, ZoneOffset.UTC);
        ReadGate gate = new ReadGate(publisher, registry);
        publisher.addPressureListener(gate);
        toClose.push(gate::close);
        // Closed before the gate: connections stop delivering before the gate hands over what it holds.
        EventLoops loops = new EventLoops(0, true);
        toClose.push(loops);

        int maxMessage = (int) Math.min(Integer.MAX_VALUE - 64, config.get(Keys.MAX_MESSAGE_SIZE));
        ConnectionGuard guard = new ConnectionGuard(sourceFilter(config, Keys.TCP_ALLOWED),
                config.get(Keys.MAX_CONNECTIONS), config.get(Keys.MAX_CONNECTIONS_PER_SOURCE),
                config.get(Keys.FRAME_DEADLINE), metrics);
        if (config.get(Keys.TCP_PORT) > 0) {
            tcp = StreamListener.start("tcp", Transport.TCP, config.get(Keys.TCP_HOST), config.get(Keys.TCP_PORT),
                    maxMessage, loops, ingestor, gate, metrics, guard, null);
            toClose.push(tcp);
        }
        if (config.get(Keys.TLS_PORT) > 0) {
            TlsContextSource tlsSource = tlsSource(config, metrics);
            toClose.push(tlsSource);
            tls = StreamListener.start("tls", Transport.TLS, config.get(Keys.TLS_HOST), config.get(Keys.TLS_PORT),
                    maxMessage, loops, ingestor, gate, metrics, guard, tlsSource);
            toClose.push(tls);
        }
        if (config.get(Keys.UDP_PORT) > 0) {
            udp = UdpListener.start("udp", config.get(Keys.UDP_HOST), config.get(Keys.UDP_PORT), maxMessage, loops,
                    ingestor, publisher, metrics, sourceFilter(config, Keys.UDP_ALLOWED));
            toClose.push(udp);
        }
        LOG.info("auditwatch started");
    }

    private static SourceFilter sourceFilter(Config config, ConfigKey<List<String>> key) {
        try {
            return SourceFilter.of(config.get(key));
        } catch (IllegalArgumentException e) {
            throw config.invalid(key, e.getMessage());
        }
    }

    private static TlsContextSource tlsSource(Config config, IngestMetrics metrics) {
        String cert = config.get(Keys.TLS_CERT);
        String key = config.get(Keys.TLS_KEY);
        String keystore = config.get(Keys.TLS_KEYSTORE);
        String ca = config.get(Keys.TLS_CLIENT_CA);
        if (keystore.isEmpty() && (cert.isEmpty() || key.isEmpty())) {
            throw config.invalid(Keys.TLS_PORT, "a TLS listener needs listeners.tls.cert-file and listeners.tls.key-file,"
                    + " or listeners.tls.keystore-file");
        }
        ClientAuth auth = switch (config.get(Keys.TLS_CLIENT_AUTH)) {
            case "required" -> ClientAuth.REQUIRE;
            case "optional" -> ClientAuth.OPTIONAL;
            default -> ClientAuth.NONE;
        };
        if (auth != ClientAuth.NONE && ca.isEmpty()) {
            throw config.invalid(Keys.TLS_CLIENT_AUTH, "client-auth " + config.get(Keys.TLS_CLIENT_AUTH)
                    + " needs listeners.tls.client-ca-file");
        }
        char[] password = keystore.isEmpty() ? null
                : Secrets.read(config, Keys.TLS_KEYSTORE_PASSWORD, Keys.TLS_KEYSTORE_PASSWORD_FILE);
        TlsContextSource.Material m = new TlsContextSource.Material(path(cert), path(key), path(keystore),
                password == null ? new char[0] : password, path(ca), auth);
        try {
            return new TlsContextSource(m, config.get(Keys.TLS_RELOAD), metrics::tlsReloadFailed);
        } catch (IllegalArgumentException e) {
            throw config.invalid(keystore.isEmpty() ? Keys.TLS_CERT : Keys.TLS_KEYSTORE, e.getMessage());
        }
    }

    private static Path path(String s) {
        return s.isEmpty() ? null : Path.of(s);
    }

    private void bindJvmMetrics() {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The Kafka cluster in use (the embedded broker's address when none is configured). */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The disk spool's state, or null when {@code spool.enabled} is false. */
    public SpoolHealth spoolHealth() {
        return spool == null ? null : spool.health();
    }

    /** The bound TCP port, or -1 when the listener is disabled. */
    public int tcpPort() {
        return tcp == null ? -1 : tcp.port();
    }

    public int tlsPort() {
        return tls == null ? -1 : tls.port();
    }

    public int udpPort() {
        return udp == null ? -1 : udp.port();
    }

    /**
     * Graceful stop: listeners stop accepting first, then what was accepted drains to Kafka within
     * the publisher's close deadline, then the broker (if embedded) stops. Idempotent.
     */
    @Override
    public synchronized void close() {
        while (!toClose.isEmpty()) {
            AutoCloseable c = toClose.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("Error while stopping {}", c, e);
            }
        }
    }
}
