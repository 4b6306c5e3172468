package io.auditwatch.service;

import io.auditwatch.alerting.AlertKind;
import io.auditwatch.alerting.AlertingMetrics;
import io.auditwatch.alerting.AlertingSettings;
import io.auditwatch.alerting.engine.Alerting;
import io.auditwatch.heartbeat.HeartbeatMetrics;
import io.auditwatch.heartbeat.HeartbeatSettings;
import io.auditwatch.heartbeat.HeartbeatTracker;
import io.auditwatch.heartbeat.Inventory;
import io.auditwatch.heartbeat.kafka.HeartbeatConsumer;
import io.auditwatch.heartbeat.kafka.KafkaAlertStore;
import io.auditwatch.heartbeat.kafka.HeartbeatConsumerMetrics;
import io.auditwatch.heartbeat.kafka.RestartPolicy;
import io.auditwatch.service.admin.AdminRoutes;
import io.auditwatch.service.admin.AdminServer;
import io.auditwatch.service.admin.AdminSettings;
import io.auditwatch.service.admin.ReadinessCheck;
import io.auditwatch.service.config.ModuleSettings;
import io.auditwatch.service.kafka.KafkaAlertHistory;
import io.auditwatch.service.kafka.OperatorAuditLog;
import io.auditwatch.service.kafka.WholeEventJoin;
import io.auditwatch.service.report.ReportEndpoint;
import io.auditwatch.service.report.Reports;
import io.auditwatch.ingest.classify.AuditEventJoiner;
import io.auditwatch.ingest.pipeline.IdentityRules;
import io.auditwatch.ingest.pipeline.InventoryAddresses;
import io.auditwatch.ingest.pipeline.SpoofingWatch;
import io.auditwatch.heartbeat.NodeSpec;
import java.util.stream.Collectors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import io.auditwatch.ingest.classify.Classifier;
import io.auditwatch.ingest.classify.FragmentReassembler;
import io.auditwatch.service.config.Config;
import io.auditwatch.service.config.ConfigKey;
import io.auditwatch.service.config.KafkaClientProperties;
import io.auditwatch.service.config.Keys;
import io.auditwatch.service.config.Secrets;
import io.auditwatch.ingest.envelope.Transport;
import io.auditwatch.service.kafka.EmbeddedKafka;
import io.auditwatch.ingest.kafka.EventPublisher;
import io.auditwatch.ingest.kafka.LivenessSettings;
import io.auditwatch.ingest.kafka.PublisherSettings;
import io.auditwatch.ingest.kafka.TopicCreator;
import io.auditwatch.ingest.kafka.TopicTooSmallException;
import io.auditwatch.ingest.pipeline.IngestMetrics;
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
import io.auditwatch.alerting.PrivateFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The assembled service: embedded broker (when no cluster is configured), publisher, listeners,
 * heartbeat, alerting and the admin server, started in dependency order and stopped in reverse.
 */
public final class Auditwatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Auditwatch.class);

    /** Kafka unreachable this long raises KAFKA_UNREACHABLE: rides out a leader election or a broker restart. */
    static final Duration KAFKA_UNREACHABLE_GRACE = Duration.ofSeconds(30);
    /** Publishing failing this long raises PUBLISH_FAILING (the producer retries for 2 minutes itself). */
    static final Duration PUBLISH_FAILING_GRACE = Duration.ofSeconds(60);
    /** A dead letter keeps EVENTS_DEAD_LETTERED firing this long: one mail per burst, not per event. */
    static final Duration DEAD_LETTER_ALERT_WINDOW = Duration.ofMinutes(15);
    /** Disk nearly full this long raises DISK_NEARLY_FULL (ignores a short burst of temporary files). */
    static final Duration DISK_GRACE = Duration.ofSeconds(60);

    /** How long start-up waits for Kafka to answer before giving up with exit code 1. */
    static final Duration KAFKA_STARTUP_TIMEOUT = Duration.ofSeconds(60);
    /**
     * A heartbeat consumer down this long raises HEARTBEAT_CONSUMER_DOWN: its first restarts (1 s,
     * 2 s, 4 s back-off) ride out a leader election without a mail.
     */
    static final Duration HEARTBEAT_DOWN_GRACE = Duration.ofSeconds(15);
    /**
     * What a stop needs beside the drain: the alert history and operator audit producers close
     * within 5 s each (a broker that does not answer), the rest takes milliseconds.
     */
    static final Duration STOP_RESERVE = Duration.ofSeconds(12);

    private final StopSequence toClose = new StopSequence();
    private final PrometheusMeterRegistry registry;
    /** shutdown.timeout; the default until the configuration is read. */
    private Duration shutdownTimeout = Keys.SHUTDOWN_TIMEOUT.parsedDefault();
    /** The name pipeline alerts give this instance ({@link #instanceName()}). */
    private final String instance = instanceName();
    private Path outboxDir;
    private Path spoolDir;
    /** The spool as the publisher left it at the stop. */
    private volatile SpoolHealth spoolAtStop;
    private boolean stopped;
    private EmbeddedKafka embeddedKafka;
    private EventPublisher publisher;
    private Spool spool;
    private StreamListener tcp;
    private UdpListener udp;
    private DockerInputs dockerInputs;
    /** The certificates of listeners.tls.*, shared by every TLS listener; made on first use. */
    private TlsContextSource tlsSource;
    private String bootstrapServers;
    private StreamListener tls;
    private Alerting alerting;
    private HeartbeatTracker tracker;
    private HeartbeatConsumer heartbeat;
    private WholeEventJoin wholeEvents;
    private IngestMetrics metrics;
    private PipelineMonitor monitor;
    private AdminServer admin;
    private OperatorAuditLog operatorAudit;
    /** The admin server answers everyone on a non-loopback address (admin.allow-unauthenticated). */
    private volatile boolean adminOpen;

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
        // Settings of every part first: a configuration error stops start-up before anything runs.
        AlertingSettings alertingSettings = ModuleSettings.alerting(config);
        HeartbeatSettings heartbeatSettings = ModuleSettings.heartbeat(config);
        AdminSettings adminSettings = config.get(Keys.ADMIN_PORT) > 0 ? ModuleSettings.admin(config) : null;
        Inventory inventory = ModuleSettings.inventory(config);
        InventoryAddresses addresses;
        try {
            addresses = InventoryAddresses.of(inventory);
        } catch (IllegalArgumentException e) {
            throw config.invalid(Keys.HB_INVENTORY, e.getMessage());
        }
        bindJvmMetrics();
        shutdownTimeout = stopBudget(config);
        outboxDir = alertingSettings.outboxDir();
        Path dataDir = Path.of(config.get(Keys.DATA_DIR));
        try {
            PrivateFiles.createDirectories(dataDir);
        } catch (IOException e) {
            throw config.invalid(Keys.DATA_DIR, "cannot create " + dataDir.toAbsolutePath() + ": " + e);
        }
        FileModeMetrics.register(registry,
                FileModeCheck.check(dataDir, alertingSettings.outboxDir(), dataDir.resolve("kafka")).size());

        List<String> bootstrap = config.get(Keys.KAFKA_BOOTSTRAP);
        if (bootstrap.isEmpty()) {
            embeddedKafka = EmbeddedKafka.start(dataDir.resolve("kafka"), "127.0.0.1", config.get(Keys.KAFKA_EMBEDDED_PORT),
                    config.get(Keys.KAFKA_EMBEDDED_RETENTION));
            toClose.push(embeddedKafka);
            bootstrapServers = embeddedKafka.bootstrapServers();
            LOG.info("No kafka.bootstrap-servers configured: embedded single-node KRaft broker on {}, data in {}",
                    bootstrapServers, dataDir.resolve("kafka").toAbsolutePath());
        } else {
            bootstrapServers = String.join(",", bootstrap);
            LOG.info("Kafka cluster: {}", bootstrapServers);
        }
        Map<String, String> clientProperties = KafkaClientProperties.read(config);
        PublisherSettings ps = ModuleSettings.publisher(config, bootstrapServers, clientProperties);
        try {
            TopicCreator.ensureTopic(ps, KAFKA_STARTUP_TIMEOUT);
        } catch (TopicTooSmallException e) {
            throw config.invalid(Keys.KAFKA_TOPIC, e.getMessage());
        }
        LivenessSettings liveness = ModuleSettings.liveness(config);
        if (liveness != null) {
            TopicCreator.ensureLivenessTopic(ps, liveness.topic(), KAFKA_STARTUP_TIMEOUT);
        }

        KafkaAlertHistory history = new KafkaAlertHistory(bootstrapServers, clientProperties, KafkaAlertHistory.TOPIC,
                config.get(Keys.KAFKA_REPLICATION).shortValue(), new AlertingMetrics(registry));
        toClose.push(history);
        operatorAudit = new OperatorAuditLog(bootstrapServers, clientProperties, config.get(Keys.KAFKA_OPERATOR_AUDIT_TOPIC),
                config.get(Keys.KAFKA_REPLICATION).shortValue());
        toClose.push(operatorAudit);
        ScheduledExecutorService alertingThread = scheduler("aw-alerting");
        toClose.push(alertingThread::shutdownNow);

        Map<String, Object> heartbeatClients = new LinkedHashMap<>(clientProperties);
        heartbeatClients.put("bootstrap.servers", bootstrapServers);
        // heartbeat.source: the summaries ingest publishes after Kafka's acknowledgements, or every event.
        String heartbeatSource = liveness != null ? liveness.topic() : config.get(Keys.KAFKA_TOPIC);
        // Node alerts live in Kafka with their node's partition, so whichever instance owns it continues them.
        KafkaAlertStore alertStore = new KafkaAlertStore(heartbeatClients, KafkaAlertStore.TOPIC);
        toClose.push(alertStore);
        try {
            alertStore.prepare(heartbeatSource);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing " + alertStore.topic(), e);
        }
        alerting = new Alerting(alertingSettings, clock, registry, history, alertingThread);
        toClose.push(alerting);
        alerting.nameInstance(instance);
        alerting.share(alertStore, e -> HeartbeatTracker.RAISES.contains(e.kind()));

        tracker = new HeartbeatTracker(heartbeatSettings, inventory, clock, alerting.ownedSink(),
                new HeartbeatMetrics(registry, clock));
        heartbeat = new HeartbeatConsumer(heartbeatClients, heartbeatSource, HeartbeatConsumer.STATE_TOPIC, tracker,
                heartbeatSettings, RestartPolicy.giveUpAfter(config.get(Keys.HB_RESTART_LIMIT)));
        heartbeat.shareAlerts(alertStore, alerting);
        HeartbeatConsumerMetrics.bind(registry, heartbeat);
        heartbeat.start();
        // Its stop was started with the whole stop (close()); this waits for what is left of it.
        toClose.push("handing the heartbeat consumer's nodes back",
                () -> heartbeat.close(toClose.remaining(HeartbeatConsumer.STOP_TIMEOUT)));
        String wholeEventsTopic = config.get(Keys.KAFKA_WHOLE_EVENTS_TOPIC);
        if (!wholeEventsTopic.isEmpty()) {
            wholeEvents = new WholeEventJoin(heartbeatClients, config.get(Keys.KAFKA_TOPIC), wholeEventsTopic,
                    new AuditEventJoiner(), clock);
            wholeEvents.start(clientProperties, config.get(Keys.KAFKA_PARTITIONS),
                    config.get(Keys.KAFKA_REPLICATION).shortValue());
            toClose.push(wholeEvents::close);
        }
        ScheduledExecutorService judge = scheduler("aw-heartbeat-judge");
        toClose.push(judge::shutdownNow);
        judge.scheduleAtFixedRate(guarded("heartbeat evaluation", tracker::evaluate), 1, 1, TimeUnit.SECONDS);

        if (config.get(Keys.SPOOL_ENABLED)) {
            SpoolSettings ss = ModuleSettings.spool(config);
            spool = new Spool(ss, ps.queueBytes(), registry, clock, System::nanoTime, alerting);
            spoolDir = ss.dir();
            // Closed after the publisher: the publisher's last appends and acknowledgements land first.
            toClose.push(spool);
            toClose.push(() -> spoolAtStop = spool.health());
        }
        publisher = spool == null
                ? EventPublisher.direct(ps, registry, clock, liveness)
                : EventPublisher.spooling(ps, registry, clock, spool, liveness);
        toClose.push(publisher);

        metrics = new IngestMetrics(registry);
        SpoofingWatch spoofing = new SpoofingWatch(clock, alerting, config.get(Keys.SPOOFING_THRESHOLD),
                config.get(Keys.SPOOFING_WINDOW), inventory.nodes().stream().map(NodeSpec::name).collect(Collectors.toSet()));
        Ingestor ingestor = new Ingestor(clock, new Classifier(config.get(Keys.REDACT_LICENSE)),
                new NodeResolver(addresses.isEmpty() ? NodeResolver.AddressMap.NONE : addresses,
                        IdentityRules.of(inventory, config.get(Keys.REQUIRE_IDENTITY))),
                metrics, config.get(Keys.RFC3164_ZONE), new FragmentReassembler(config.get(Keys.REASSEMBLY_TIMEOUT),
                        FragmentReassembler.DEFAULT_MAX_REASSEMBLED_BYTES, FragmentReassembler.DEFAULT_MAX_PENDING_GROUPS,
                        FragmentReassembler.DEFAULT_MAX_PENDING_BYTES), spoofing);
        ReadGate gate = new ReadGate(publisher);
        metrics.bindReadGate(gate::paused, gate::held, gate::heldBytes);
        publisher.addPressureListener(gate);
        toClose.push(gate::close);
        // Closed before the gate: connections stop delivering before the gate hands over what it holds.
        EventLoops loops = new EventLoops(0, true);
        toClose.push(loops);

        // Docker's 16 KiB pieces whose line never completed are released by this timer (half the timeout).
        long tick = Math.max(100, config.get(Keys.REASSEMBLY_TIMEOUT).toMillis() / 2);
        loops.workers().next().scheduleAtFixedRate(() -> ingestor.expire(e -> gate.admit(e, null)), tick, tick,
                TimeUnit.MILLISECONDS);
        int maxMessage = (int) Math.min(Integer.MAX_VALUE - 64, config.get(Keys.MAX_MESSAGE_SIZE));
        ConnectionGuard guard = new ConnectionGuard(sourceFilter(config, Keys.TCP_ALLOWED),
                config.get(Keys.MAX_CONNECTIONS), config.get(Keys.MAX_CONNECTIONS_PER_SOURCE),
                config.get(Keys.IPV6_SOURCE_PREFIX), config.get(Keys.FRAME_DEADLINE), metrics);
        if (config.get(Keys.TCP_PORT) > 0) {
            tcp = StreamListener.start("tcp", Transport.TCP, config.get(Keys.TCP_HOST), config.get(Keys.TCP_PORT),
                    maxMessage, loops, ingestor, gate, metrics, guard, null);
            toClose.push(tcp);
        }
        if (config.get(Keys.TLS_PORT) > 0) {
            ConnectionGuard tlsGuard = new ConnectionGuard(sourceFilter(config, Keys.TLS_ALLOWED),
                    config.get(Keys.MAX_CONNECTIONS), config.get(Keys.MAX_CONNECTIONS_PER_SOURCE),
                    config.get(Keys.FRAME_DEADLINE), metrics);
            tls = StreamListener.start("tls", Transport.TLS, config.get(Keys.TLS_HOST), config.get(Keys.TLS_PORT),
                    maxMessage, loops, ingestor, gate, metrics, tlsGuard, sharedTls(config));
            toClose.push(tls);
        }
        if (config.get(Keys.UDP_PORT) > 0) {
            udp = UdpListener.start("udp", config.get(Keys.UDP_HOST), config.get(Keys.UDP_PORT), maxMessage,
                    config.get(Keys.UDP_SOCKETS), loops, ingestor, publisher, metrics, sourceFilter(config, Keys.UDP_ALLOWED));
            toClose.push(udp);
        }
        dockerInputs = DockerInputs.start(config, clock, loops, ingestor, gate, publisher, metrics, maxMessage,
                key -> sourceFilter(config, key), () -> sharedTls(config));
        toClose.push(dockerInputs);
        monitor = pipelineMonitor(config, clock, dataDir);
        ScheduledExecutorService watch = scheduler("aw-pipeline-monitor");
        toClose.push(watch::shutdownNow);
        watch.scheduleAtFixedRate(guarded("pipeline check", monitor::check), 1, 1, TimeUnit.SECONDS);
        watch.scheduleAtFixedRate(guarded("spoofing check", spoofing::check), 1, 1, TimeUnit.SECONDS);

        if (adminSettings != null) {
            adminOpen = adminSettings.openToTheNetwork();
            Reports reports = Reports.of(config, bootstrapServers, clock);
            RecentOutages outages = new RecentOutages(reports, clock);
            ScheduledExecutorService outageReader = scheduler("aw-status-outages");
            toClose.push(outageReader::shutdownNow);
            outageReader.scheduleWithFixedDelay(guarded("status page outages", outages::refresh), 0,
                    RecentOutages.REFRESH.toSeconds(), TimeUnit.SECONDS);
            try {
                admin = AdminServer.start(adminSettings, registry, adminRoutes(clock, config)
                        .status(new StatusSource(clock, tracker, alerting, operatorAudit, this::pipelineSummary, outages))
                        .getWithQuery(ReportEndpoint.PATH, new ReportEndpoint(reports, clock)::handle));
            } catch (IllegalArgumentException e) {
                throw config.invalid(Keys.ADMIN_TLS_CERT, e.getMessage());
            }
            toClose.push(admin);
            LOG.info("Admin HTTP on {}:{} (/metrics, /health, /ready, /status, /api/nodes, /api/report)", config.get(Keys.ADMIN_HOST),
                    admin.port());
        }
        LOG.info("auditwatch started");
    }

    private PipelineMonitor pipelineMonitor(Config config, Clock clock, Path dataDir) {
        PipelineMonitor m = new PipelineMonitor(clock, alerting);
        m.watch(new PipelineMonitor.Condition(AlertKind.KAFKA_UNREACHABLE, "kafka",
                () -> !publisher.health().kafkaReachable(),
                () -> "Kafka unreachable (" + bootstrapServers + "): " + publisher.health().lastError(),
                KAFKA_UNREACHABLE_GRACE,
                // Per-node silence is not the root cause while events cannot reach Kafka: hold node alerts.
                () -> tracker.pipelineDegraded("Kafka unreachable"), tracker::pipelineHealthy));
        m.watch(new PipelineMonitor.Condition(AlertKind.PUBLISH_FAILING, "publish",
                // While Kafka is unreachable that alert says it all; this one is for a reachable cluster
                // that still refuses the events (authorization, record too large, topic gone).
                () -> publisher.health().kafkaReachable() && publisher.health().consecutiveFailures() > 0,
                () -> "events failing to publish to " + config.get(Keys.KAFKA_TOPIC) + " ("
                        + publisher.health().consecutiveFailures() + " consecutive failures, last: "
                        + publisher.health().lastError() + ")",
                PUBLISH_FAILING_GRACE));
        m.watch(new PipelineMonitor.Condition(AlertKind.EVENTS_DEAD_LETTERED, "dead-letters",
                () -> publisher.deadLetterAlert(DEAD_LETTER_ALERT_WINDOW) != null,
                () -> String.valueOf(publisher.deadLetterAlert(DEAD_LETTER_ALERT_WINDOW)), Duration.ZERO));
        for (StreamListener l : new StreamListener[] {tcp, tls}) {
            if (l != null) {
                m.watch(new PipelineMonitor.Condition(AlertKind.LISTENER_DOWN, l.transport().id(), () -> !l.isBound(),
                        () -> "syslog " + l.transport().id() + " listener on port " + l.port() + " is not bound", Duration.ZERO));
            }
        }
        if (udp != null) {
            UdpListener u = udp;
            m.watch(new PipelineMonitor.Condition(AlertKind.LISTENER_DOWN, "udp", () -> !u.isBound(),
                    () -> "syslog udp listener on port " + u.port() + " is not bound", Duration.ZERO));
        }
        dockerInputs.listeners().forEach((name, l) -> m.watch(new PipelineMonitor.Condition(AlertKind.LISTENER_DOWN,
                name, () -> !l.isBound().get(), () -> name + " listener on port " + l.port() + " is not bound",
                Duration.ZERO)));
        m.watch(new PipelineMonitor.Condition(AlertKind.HEARTBEAT_CONSUMER_DOWN, instance, heartbeat::down,
                () -> "heartbeat consumer of " + instance + " down: " + failureName(heartbeat.failure()) + " after "
                        + heartbeat.consecutiveFailures() + " failed sessions; silences of its nodes go unreported"
                        + " until it runs again",
                HEARTBEAT_DOWN_GRACE));
        ParseFailureRate parse = new ParseFailureRate(clock, metrics);
        m.watch(new PipelineMonitor.Condition(AlertKind.PARSE_FAILURES, "syslog", parse::aboveLimit, parse::describe,
                Duration.ZERO));
        m.watch(new PipelineMonitor.Condition(AlertKind.DISK_NEARLY_FULL, "data-dir",
                () -> DiskSpace.freeRatio(dataDir) < DiskSpace.NEARLY_FULL_FREE_RATIO,
                () -> "disk of " + dataDir.toAbsolutePath() + " nearly full: " + DiskSpace.describe(dataDir),
                DISK_GRACE));
        return m;
    }

    private AdminRoutes adminRoutes(Clock clock, Config config) {
        // The topic the heartbeat consumer reads (heartbeat.source), named while it catches up.
        LivenessSettings liveness = ModuleSettings.liveness(config);
        String topic = liveness != null ? liveness.topic() : config.get(Keys.KAFKA_TOPIC);
        AdminApi api = new AdminApi(clock, tracker, alerting, operatorAudit, config.get(Keys.ALERT_SILENCE_MAX),
                config.get(Keys.ADMIN_MAINTENANCE_MAX), config.get(Keys.ADMIN_TEST_ALERT_INTERVAL));
        return new AdminRoutes()
                .readiness(ReadinessCheck.of("listeners", this::listenersReady))
                .readiness(ReadinessCheck.of("kafka", () -> {
                    var h = publisher.health();
                    return h.kafkaReachable() ? ReadinessCheck.Result.ok(bootstrapServers)
                            : ReadinessCheck.Result.down("unreachable: " + h.lastError());
                }))
                .readiness(ReadinessCheck.of("heartbeat", () -> heartbeat.down()
                        ? ReadinessCheck.Result.down("consumer down after " + heartbeat.consecutiveFailures()
                                + " failed sessions, restarting: " + heartbeat.failure())
                        : !heartbeat.running() && !heartbeat.joined()
                        ? ReadinessCheck.Result.down("waiting for the consumer group to assign partitions")
                        : !heartbeat.running() ? ReadinessCheck.Result.down("consumer stopped")
                        : heartbeat.caughtUp() ? ReadinessCheck.Result.ok("caught up")
                        : !heartbeat.joined() ? ReadinessCheck.Result.down("waiting for the consumer group to assign partitions")
                        : ReadinessCheck.Result.down("catching up with " + topic)))
                .liveness(ReadinessCheck.of("heartbeat", () -> heartbeat.givenUp()
                        ? ReadinessCheck.Result.down("consumer failed " + heartbeat.consecutiveFailures()
                                + " consecutive sessions (heartbeat.consumer-restart-limit) since " + heartbeat.downSince()
                                + ", last: " + failureName(heartbeat.failure()))
                        : ReadinessCheck.Result.ok()))
                .post("/api/maintenance", api::maintenance)
                .post("/api/maintenance/end", api::endMaintenance)
                .post("/api/decommission", api::decommission)
                .post("/api/test-alert", api::testAlert)
                .get("/api/silences", api::silences)
                .post("/api/silences", api::createSilence)
                .post("/api/silences/end", api::endSilence);
    }

    private ReadinessCheck.Result listenersReady() {
        List<String> down = new ArrayList<>();
        for (StreamListener l : new StreamListener[] {tcp, tls}) {
            if (l != null && !l.isBound()) {
                down.add(l.transport().id());
            }
        }
        if (udp != null && !udp.isBound()) {
            down.add("udp");
        }
        if (dockerInputs != null) {
            dockerInputs.listeners().forEach((name, l) -> {
                if (!l.isBound().get()) {
                    down.add(name);
                }
            });
        }
        return down.isEmpty() ? ReadinessCheck.Result.ok() : ReadinessCheck.Result.down("not bound: " + down);
    }

    private Map<String, String> pipelineSummary() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("kafka", publisher.health().kafkaReachable() ? "UP" : "DOWN");
        p.put("listeners", listenersReady().up() ? "UP" : "DOWN");
        // Which partitions' nodes (and their alerts) this instance judges: with several, where to look.
        p.put("heartbeat", heartbeat.running() ? (heartbeat.caughtUp() ? "UP" : "CATCHING UP") + " (" + instance
                + " owns partitions " + new java.util.TreeSet<>(heartbeat.ownedPartitions()) + ")"
                : heartbeat.down() ? "DOWN since " + heartbeat.downSince() + ", " + heartbeat.restarts() + " restarts"
                : "STARTING");
        if (spool != null) {
            var h = spool.health();
            p.put("spool", (h.full() ? "FULL " : "OK ") + Math.round(h.fill() * 100) + "% of " + (h.capacityBytes() >> 20)
                    + " MiB, " + h.records() + " records");
        }
        monitor.failing().forEach((k, since) -> p.put(k, "FAILING since " + since));
        if (adminOpen) {
            p.put("admin", "UNAUTHENTICATED on a non-loopback address (" + Keys.ADMIN_ALLOW_UNAUTHENTICATED.path()
                    + ": true)");
        }
        return p;
    }

    private static ScheduledExecutorService scheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** A periodic task that logs and survives its own failure (a scheduled task that throws stops recurring). */
    private static Runnable guarded(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("{} failed; retrying at the next tick", what, e);
            }
        };
    }

    private static SourceFilter sourceFilter(Config config, ConfigKey<List<String>> key) {
        try {
            return SourceFilter.of(config.get(key));
        } catch (IllegalArgumentException e) {
            throw config.invalid(key, e.getMessage());
        }
    }

    private TlsContextSource sharedTls(Config config) {
        if (tlsSource == null) {
            tlsSource = tlsSource(config, metrics);
            toClose.push(tlsSource);
        }
        return tlsSource;
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
        ClientAuth auth = config.get(Keys.TLS_CLIENT_AUTH);
        if (auth != ClientAuth.NONE && ca.isEmpty()) {
            throw config.invalid(Keys.TLS_CLIENT_AUTH, "client-auth " + config.formatted(Keys.TLS_CLIENT_AUTH)
                    + " needs " + Keys.TLS_CLIENT_CA.path());
        }
        char[] password = keystore.isEmpty() ? null
                : Secrets.read(config, Keys.TLS_KEYSTORE_PASSWORD, Keys.TLS_KEYSTORE_PASSWORD_FILE);
        TlsContextSource.Material m = new TlsContextSource.Material(path(cert), path(key), path(keystore),
                password == null ? new char[0] : password, path(ca), auth);
        try {
            return new TlsContextSource(m, ModuleSettings.tlsPolicy(config), config.get(Keys.TLS_RELOAD), metrics::tlsReloadFailed);
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

    /** The bound admin port, or -1 when the admin server is disabled. */
    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    public Alerting alerting() {
        return alerting;
    }

    /** The operator audit trail (kafka.operator-audit-topic). */
    public OperatorAuditLog operatorAudit() {
        return operatorAudit;
    }

    public HeartbeatTracker tracker() {
        return tracker;
    }

    /** The whole-event join, or null when {@code kafka.whole-events-topic} is empty. */
    public WholeEventJoin wholeEvents() {
        return wholeEvents;
    }

    public HeartbeatConsumer heartbeat() {
        return heartbeat;
    }

    public int tlsPort() {
        return tls == null ? -1 : tls.port();
    }

    public int udpPort() {
        return udp == null ? -1 : udp.port();
    }

    /**
     * Graceful stop within {@code shutdown.timeout} (deploy/README.md, "Stopping"): the heartbeat
     * consumer starts handing its nodes back at once, in parallel; listeners stop accepting, what
     * was accepted drains to Kafka within the drain deadline (the rest stays in the spool), then
     * alerting and the broker (if embedded) stop. Whatever Kafka and SMTP do, this returns when the
     * budget is spent, and its last log line says what was left and where. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        long start = System.nanoTime();
        toClose.begin(shutdownTimeout);
        if (heartbeat != null) {
            heartbeat.requestStop(toClose.remaining(HeartbeatConsumer.STOP_TIMEOUT));
        }
        String unfinished = toClose.run();
        if (spoolAtStop == null && spool != null) {
            // The budget ran out before the publisher closed: the spool's counters as they stand now.
            spoolAtStop = spool.health();
        }
        StopReport report = new StopReport(Duration.ofNanos(System.nanoTime() - start), shutdownTimeout, unfinished,
                spoolAtStop, spoolDir, heartbeat == null ? 0 : heartbeat.unwrittenAtStop(),
                alerting == null ? 0 : alerting.unacknowledgedAtRelease(),
                alerting == null ? 0 : alerting.health().pending(), outboxDir);
        if (unfinished == null && report.heartbeatUnwritten() == 0 && report.alertsUnacknowledged() == 0
                && report.outboxPending() == 0
                && (spoolAtStop == null || spoolAtStop.records() == 0)) {
            LOG.info(report.line());
        } else {
            LOG.warn(report.line());
        }
    }

    /** {@code shutdown.timeout}, refused when it leaves the drain and the other steps too little (also for check-config). */
    static Duration stopBudget(Config config) {
        Duration budget = config.get(Keys.SHUTDOWN_TIMEOUT);
        Duration drain = config.get(Keys.SPOOL_ENABLED) ? config.get(Keys.SPOOL_DRAIN_DEADLINE) : config.get(Keys.KAFKA_CLOSE_DEADLINE);
        if (budget.compareTo(drain.plus(STOP_RESERVE)) < 0) {
            throw config.invalid(Keys.SHUTDOWN_TIMEOUT, "must be at least the drain deadline (" + drain.toSeconds()
                    + " s) plus " + STOP_RESERVE.toSeconds() + " s for the other steps of a stop");
        }
        return budget;
    }

    /** The class of a failure, without its message (which the log has in full). */
    private static String failureName(Throwable t) {
        return t == null ? "(none)" : t.getClass().getSimpleName();
    }

    /**
     * The name pipeline alerts give this instance: the host name (the pod name in Kubernetes, which a
     * StatefulSet keeps across restarts), else {@code $HOSTNAME}, else {@code unknown}.
     */
    static String instanceName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "unknown" : env;
        }
    }
}
