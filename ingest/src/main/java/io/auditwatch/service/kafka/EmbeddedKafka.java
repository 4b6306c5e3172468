package io.auditwatch.service.kafka;

import io.auditwatch.alerting.PrivateFiles;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) running inside this
 * process: the default when {@code kafka.bootstrap-servers} is empty (ingest/DESIGN.md, "Embedded defaults").
 *
 * <p>All data (partition logs and the KRaft metadata log) lives in the one directory given to
 * {@link #start}; the service passes {@code <data-dir>/kafka}. The directory is formatted only when
 * it holds no {@code meta.properties} yet, so stopping and starting on the same directory keeps the
 * events and the cluster id. Every internal topic has replication factor 1 because there is one
 * node: otherwise consumer groups and transactions hang (ingest/README.md, "The embedded broker").
 *
 * <p>The client listener binds {@code host:port}; the controller listener binds 127.0.0.1 on a free
 * port picked at each start (the quorum is static and single-voter, so its address is not part of
 * the stored state and may change between starts).
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

    /** The only node: broker and controller in one process. */
    static final int NODE_ID = 1;

    static final String BROKER_LISTENER = "PLAINTEXT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";

    /** Written by the formatter; its presence means "formatted, keep the data". */
    static final String META_PROPERTIES = "meta.properties";

    /**
     * Partitions of {@code __consumer_offsets}. Kafka's default of 50 exists to spread group
     * coordinators across brokers; one node gains nothing from it and pays in start-up time and file
     * handles when the first consumer group (heartbeat) appears.
     */
    static final int OFFSETS_TOPIC_PARTITIONS = 5;

    /**
     * Default bound of each partition's log ({@code log.retention.bytes}, per partition): 2 GiB. The
     * broker shares the data directory with the spool; Kafka's own default is no size bound at all.
     * Six partitions of {@code audit.events} then hold at most 6 x (2 GiB + one segment), about 13.5
     * GiB, days of a busy estate (5,000 events/s of 600-byte envelopes is 2.6 GB/day); time retention
     * (Kafka's 7 days) still applies first when it is shorter. Compacted topics (alert history,
     * heartbeat state) are kept small by compaction instead.
     */
    public static final long DEFAULT_RETENTION_BYTES = 2L << 30;

    /**
     * Segment size of the embedded broker: 256 MiB instead of Kafka's 1 GiB, because size retention
     * deletes whole closed segments only, so a partition may exceed its bound by up to one segment.
     */
    static final long SEGMENT_BYTES = 256L << 20;

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final String advertisedHost;
    private final int port;
    private boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, Path dataDir, String advertisedHost, int port) {
        this.server = server;
        this.dataDir = dataDir;
        this.advertisedHost = advertisedHost;
        this.port = port;
    }

    /**
     * Formats {@code dataDir} if it was never formatted, then starts the broker and returns once it
     * accepts clients.
     *
     * @param dataDir the broker's only directory (created if missing); keeps the data across restarts
     * @param host address the client listener binds; a wildcard ({@code 0.0.0.0}, {@code ::}) binds
     *     every interface and advertises this machine's host name
     * @param port client port; 0 picks a free port (tests), read it back with {@link #port()}
     * @throws UncheckedIOException when the directory cannot be created or formatted
     * @throws IllegalStateException when the port is taken or the broker fails to start (foreign data, ...)
     */
    public static EmbeddedKafka start(Path dataDir, String host, int port) {
        return start(dataDir, host, port, DEFAULT_RETENTION_BYTES);
    }

    /**
     * As {@link #start(Path, String, int)}, with each partition's log bounded to {@code retentionBytes}
     * (plus one {@link #SEGMENT_BYTES} segment): older segments are deleted.
     */
    public static EmbeddedKafka start(Path dataDir, String host, int port, long retentionBytes) {
        Objects.requireNonNull(dataDir, "dataDir");
        if (retentionBytes < 1) {
            throw new IllegalArgumentException("retentionBytes must be positive: " + retentionBytes);
        }
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        long started = System.nanoTime();
        Path dir = dataDir.toAbsolutePath().normalize();
        int clientPort = port == 0 ? freePort(host) : requireFree(host, port);
        // Two successive picks can return the same port (CI saw it: the broker refused two listeners
        // on one port), and the client port is only free until the broker binds it.
        int controllerPort = freePort("127.0.0.1");
        while (controllerPort == clientPort) {
            controllerPort = freePort("127.0.0.1");
        }
        String advertised = advertisedHost(host);
        KafkaConfig config = new KafkaConfig(brokerProperties(dir, host, clientPort, advertised, controllerPort,
                retentionBytes), false);

        boolean formattedNow = formatIfNeeded(dir);
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            shutdownQuietly(server);
            throw new IllegalStateException("embedded Kafka broker failed to start on " + host + ":" + clientPort
                    + " with data in " + dir, e);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        log.info("Embedded Kafka {} broker (single-node KRaft, cluster {}) listening on {}:{} (advertised {}:{}),"
                        + " data in {} ({}), started in {} ms",
                AppInfoParser.getVersion(), clusterId(dir), host, clientPort, advertised, clientPort, dir,
                formattedNow ? "formatted now" : "existing data kept", millis);
        return new EmbeddedKafka(server, dir, advertised, clientPort);
    }

    /** {@code host:port} for clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return advertisedHost + ":" + port;
    }

    /** The client port actually bound (the picked one when started with port 0). */
    public int port() {
        return port;
    }

    /** The cluster id written when the directory was formatted; the same after every restart. */
    public String clusterId() {
        return clusterId(dataDir);
    }

    /** The directory holding the broker's data. */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Shuts the broker down cleanly (flushes logs, writes a clean-shutdown marker) and waits until it
     * stopped, so the same directory and port can be started again at once. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long started = System.nanoTime();
        server.shutdown();
        server.awaitShutdown();
        log.info("Embedded Kafka broker on port {} stopped in {} ms, data kept in {}",
                port, (System.nanoTime() - started) / 1_000_000, dataDir);
    }

    static Properties brokerProperties(Path dir, String host, int clientPort, String advertised, int controllerPort,
            long retentionBytes) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", Integer.toString(NODE_ID));
        p.setProperty("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.setProperty("controller.listener.names", CONTROLLER_LISTENER);
        p.setProperty("inter.broker.listener.name", BROKER_LISTENER);
        p.setProperty("listeners", BROKER_LISTENER + "://" + bracketed(host) + ":" + clientPort + ","
                + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", BROKER_LISTENER + "://" + bracketed(advertised) + ":" + clientPort);
        p.setProperty("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.setProperty("log.dirs", dir.toString());
        p.setProperty("metadata.log.dir", dir.toString());
        // One node: every internal topic must have replication factor 1 and min ISR 1, or consumer
        // groups, transactions and share groups wait forever for replicas that do not exist.
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", Integer.toString(OFFSETS_TOPIC_PARTITIONS));
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("default.replication.factor", "1");
        p.setProperty("min.insync.replicas", "1");
        // The 3 s default delays the first consumer group join for members that will never come.
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("log.retention.bytes", Long.toString(retentionBytes));
        p.setProperty("log.segment.bytes", Long.toString(Math.min(SEGMENT_BYTES, Math.max(1L << 20, retentionBytes))));
        return p;
    }

    /** @return true when the directory was formatted by this call, false when it already was */
    static boolean formatIfNeeded(Path dir) {
        try {
            PrivateFiles.createDirectories(dir);
            if (Files.exists(dir.resolve(META_PROPERTIES))) {
                return false;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new Formatter()
                    .setPrintStream(new PrintStream(out, true, StandardCharsets.UTF_8))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(dir.toString()))
                    .setMetadataLogDirectory(dir.toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setIgnoreFormatted(false)
                    .run();
            log.debug("Kafka storage formatter: {}", out.toString(StandardCharsets.UTF_8).strip());
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the embedded Kafka directory " + dir, e);
        } catch (Exception e) {
            throw new UncheckedIOException(new IOException("cannot format the embedded Kafka directory " + dir, e));
        }
    }

    private static String clusterId(Path dir) {
        Properties meta = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve(META_PROPERTIES))) {
            meta.load(in);
            return meta.getProperty("cluster.id", "?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String advertisedHost(String host) {
        try {
            InetAddress address = InetAddress.getByName(host);
            if (address.isAnyLocalAddress()) {
                return InetAddress.getLocalHost().getHostName();
            }
        } catch (IOException e) {
            // An unresolvable host fails at bind time with Kafka's own message; advertise it as given.
        }
        return host;
    }

    private static String bracketed(String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /**
     * A port free right now. The broker binds it a moment later; another process could take it in
     * between, which a test would see as a start failure, never as a wrong broker.
     */
    private static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + host, e);
        }
    }

    /** Fails before formatting anything, with one line instead of the broker's fatal-error stack traces. */
    private static int requireFree(String host, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return port;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the embedded Kafka broker: " + host + ":" + port
                    + " is not available (" + e.getMessage() + "); is another Kafka running? Point"
                    + " kafka.bootstrap-servers at it or choose another kafka.embedded-port", e);
        }
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            log.warn("Embedded Kafka broker did not shut down cleanly after a failed start", e);
        }
    }
}
