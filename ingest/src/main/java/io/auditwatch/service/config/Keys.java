package io.auditwatch.service.config;

import io.auditwatch.alerting.TlsMode;
import io.auditwatch.heartbeat.HeartbeatSource;
import io.auditwatch.heartbeat.Stream;
import io.auditwatch.heartbeat.UnknownNodePolicy;
import io.auditwatch.ingest.spool.FsyncPolicy;
import io.auditwatch.ingest.transport.TlsPolicy;
import io.netty.handler.ssl.ClientAuth;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Every configuration key of auditwatch with its type, default and meaning: the only place a
 * default is written. The {@code *Settings} records of the modules carry none; {@link ModuleSettings}
 * builds them from a loaded {@link Config}. {@code config/auditwatch.yaml} mirrors these defaults and
 * {@code config/README.md} is generated from this table ({@link ConfigReference}); tests keep both
 * in step.
 */
public final class Keys {
    private Keys() {
    }

    public static final ConfigKey<String> DATA_DIR = key("data-dir", "data", ValueType.NON_EMPTY,
            "where the embedded broker, spool, outbox and state live");

    // Kafka
    public static final ConfigKey<List<String>> KAFKA_BOOTSTRAP = key("kafka.bootstrap-servers", "", ValueType.LIST,
            "external Kafka cluster (host:port list); empty starts the embedded single-node broker");
    public static final ConfigKey<String> KAFKA_TOPIC = key("kafka.topic", "audit.events", ValueType.NON_EMPTY,
            "events topic");
    /** Six partitions let six heartbeat replicas share the nodes; a topic can grow later, never shrink. */
    public static final ConfigKey<Integer> KAFKA_PARTITIONS = key("kafka.partitions", "6",
            ValueType.intRange(1, 10_000, "a partition count 1-10000"),
            "partitions when auditwatch creates a missing events topic");
    public static final ConfigKey<Integer> KAFKA_REPLICATION = key("kafka.replication-factor", "1",
            ValueType.intRange(1, 32, "a replication factor 1-32"),
            "replication factor when auditwatch creates a missing topic");
    /**
     * 32 MiB: about 130,000 events of 250 bytes, a few seconds of a busy estate's traffic, enough to
     * ride out a partition leader election (seconds) without pausing senders.
     */
    public static final ConfigKey<Long> KAFKA_QUEUE_BYTES = key("kafka.queue-bytes", "32MiB", ValueType.SIZE,
            "events held in memory on their way to Kafka; above 80% TCP reads pause, when full UDP drops (counted)");
    /** Kafka's own {@code max.block.ms} default; only the publisher thread ever waits this long. */
    public static final ConfigKey<Duration> KAFKA_MAX_BLOCK = key("kafka.max-block", "60s", ValueType.DURATION,
            "how long the publisher thread waits for metadata or buffer space before a send counts as failed");
    public static final ConfigKey<Integer> KAFKA_EMBEDDED_PORT = key("kafka.embedded-port", "9092", ValueType.PORT,
            "port of the embedded broker on 127.0.0.1 (only when bootstrap-servers is empty)");
    /** {@code EmbeddedKafka.DEFAULT_RETENTION_BYTES}: 2 GiB per partition, about 13.5 GiB for six partitions. */
    public static final ConfigKey<Long> KAFKA_EMBEDDED_RETENTION = key("kafka.embedded-retention-bytes", "2GiB",
            ValueType.SIZE, "size bound of each partition of the embedded broker (log.retention.bytes; plus at most one"
                    + " 256 MiB segment); older events are deleted");

    /** Leaves room inside {@code docker stop}'s default 10 s grace period before SIGKILL. */
    public static final ConfigKey<Duration> KAFKA_CLOSE_DEADLINE = key("kafka.close-deadline", "8s", ValueType.DURATION,
            "with spool.enabled false: on shutdown, how long accepted events may take to reach Kafka (the rest is lost)");
    /** Often enough that {@code /health} and the pipeline alert follow an outage within seconds. */
    public static final ConfigKey<Duration> KAFKA_HEALTH_INTERVAL = key("kafka.health-check-interval", "10s",
            ValueType.DURATION, "how often Kafka's reachability is probed (/ready, kafka-unreachable alert)");
    public static final ConfigKey<String> KAFKA_WHOLE_EVENTS_TOPIC = key("kafka.whole-events-topic", "",
            ValueType.STRING, "topic of whole auditd events (the records of one event joined, ingest/README.md); empty: not written");
    /**
     * A topic of its own rather than records in the events topic: operators' actions are not audit
     * events of the hosts, and a separate topic can get its own ACLs and retention (ingest/README.md,
     * "Operator audit trail"). The assessor report reads it (ingest/README.md, "Assessor report").
     */
    public static final ConfigKey<String> KAFKA_OPERATOR_AUDIT_TOPIC = key("kafka.operator-audit-topic",
            "auditwatch.audit", ValueType.NON_EMPTY,
            "topic of the operator audit trail: one record per maintenance, decommission, silence or test alert");
    public static final ConfigKey<String> KAFKA_DEAD_LETTER_TOPIC = key("kafka.dead-letter-topic", "audit.events.dlq",
            ValueType.NON_EMPTY, "where an event the events topic refuses for good (too large, not authorized, invalid) is"
            + " stored with its reason; created like the events topic, with 4 times its max.message.bytes");
    /**
     * A topic of its own, not records in the events topic: consumers of audit.events see only events,
     * and the summaries need a day's retention, not the audit store's (ingest/DESIGN.md, "Liveness summaries").
     */
    public static final ConfigKey<String> KAFKA_LIVENESS_TOPIC = key("kafka.liveness-topic", "auditwatch.liveness",
            ValueType.NON_EMPTY, "liveness summaries for heartbeat, published after Kafka acknowledged the events (with"
            + " heartbeat.source summaries); created with the events topic's partitions, delete policy, 1 day retention");
    /** One second: recovery and lag are seen at most a second late, against minute thresholds. */
    public static final ConfigKey<Duration> KAFKA_LIVENESS_INTERVAL = key("kafka.liveness-interval", "1s",
            ValueType.DURATION, "how long acknowledged events are coalesced into one summary per (node, stream) key,"
            + " 100ms-10s");
    /** Twice the default heartbeat.max-tracked-streams: about 12 MB held at most (600 bytes a key). */
    public static final ConfigKey<Integer> KAFKA_LIVENESS_MAX_KEYS = key("kafka.liveness-max-keys", "20000",
            ValueType.intRange(100, 1_000_000, "a key count 100-1000000"),
            "most summary keys (and signals) held, and summaries in flight; reaching it sends at once, beyond it"
            + " evidence is dropped and counted");
    public static final ConfigKey<String> KAFKA_CLIENT_PROPERTIES = key("kafka.client-properties-file", "",
            ValueType.STRING, "Java properties file of Kafka client settings for every client (security.protocol, ssl.*, sasl.*)");

    // Disk spool (write-ahead between the listeners and Kafka; README: delivery semantics)
    public static final ConfigKey<Boolean> SPOOL_ENABLED = key("spool.enabled", "true", ValueType.BOOLEAN,
            "every accepted event goes through the disk spool under <data-dir>/spool; false keeps them in memory only");
    /** 1 GiB: at 5,000 events/s of 300 bytes (a busy estate) about 12 minutes of a Kafka outage. */
    public static final ConfigKey<Long> SPOOL_MAX_BYTES = key("spool.max-bytes", "1GiB", ValueType.SIZE,
            "bound of the spool's files; when full TCP reads pause and UDP datagrams are dropped (counted)");
    public static final ConfigKey<FsyncPolicy> SPOOL_FSYNC = key("spool.fsync", "always",
            ValueType.enumOf(FsyncPolicy.values(), FsyncPolicy::label),
            "always: forced before an event counts as accepted; interval: every fsync-interval; os: left to the kernel");
    /** A second: with {@code interval}, a power loss costs at most this much of the latest data. */
    public static final ConfigKey<Duration> SPOOL_FSYNC_INTERVAL = key("spool.fsync-interval", "1s", ValueType.DURATION,
            "period of fsync: interval (what a power loss can cost)");
    /** 80%: the deploy kit's Prometheus rule uses the same level. */
    public static final ConfigKey<Integer> SPOOL_ALERT_FILL = key("spool.alert-fill-percent", "80",
            ValueType.intRange(1, 100, "a percentage 1-100"),
            "fill level of the spool that raises the DISK_NEARLY_FULL pipeline alert");
    /** 256 MiB: room for the broker's segment rolls and the outbox when the spool's disk is shared. */
    public static final ConfigKey<Long> SPOOL_MIN_FREE_BYTES = key("spool.min-free-bytes", "256MiB", ValueType.SIZE,
            "free space the spool's and data directory's disks keep; below it the spool waits as when full (TCP held back,"
                    + " UDP dropped and counted, SPOOL_FULL alert)");
    /** 2%: the floor on large disks, where 256 MiB is too little to notice in time. */
    public static final ConfigKey<Integer> SPOOL_MIN_FREE_PERCENT = key("spool.min-free-percent", "2",
            ValueType.intRange(0, 99, "a percentage 0-99"),
            "free space, in percent of the disk, kept like spool.min-free-bytes (the larger of the two applies)");
    public static final ConfigKey<Duration> SPOOL_DRAIN_DEADLINE = key("spool.drain-deadline", "8s", ValueType.DURATION,
            "on shutdown, how long spooled events are still sent to Kafka; the rest stays in the spool for the next start");

    /**
     * 25 s: inside the shipped 45 s stop grace (systemd TimeoutStopSec, compose stop_grace_period,
     * the pod's terminationGracePeriodSeconds) with 20 s to spare for the JVM's own exit and a slow
     * node; deploy/README.md, "Stopping".
     */
    public static final ConfigKey<Duration> SHUTDOWN_TIMEOUT = key("shutdown.timeout", "25s", ValueType.DURATION,
            "total time a stop may take whatever Kafka and SMTP do; the last log line says what was left and where");

    // Listeners
    public static final ConfigKey<String> UDP_HOST = key("listeners.udp.host", "127.0.0.1", ValueType.NON_EMPTY,
            "bind address of the UDP listener; loopback unless set (0.0.0.0: every interface)");
    public static final ConfigKey<Integer> UDP_PORT = key("listeners.udp.port", "5514", ValueType.PORT,
            "UDP syslog port; 0 disables");
    public static final ConfigKey<Integer> UDP_SOCKETS = key("listeners.udp.sockets", "0",
            ValueType.intRange(0, 64, "a socket count 0-64"),
            "sockets of each UDP listener (syslog udp, gelf), bound with SO_REUSEPORT, each read by a thread of its own, "
                    + "and as many processing threads; 0: one per available processor; without native epoll one socket");
    public static final ConfigKey<String> TCP_HOST = key("listeners.tcp.host", "127.0.0.1", ValueType.NON_EMPTY,
            "bind address of the TCP listener; loopback unless set (0.0.0.0: every interface)");
    public static final ConfigKey<Integer> TCP_PORT = key("listeners.tcp.port", "5514", ValueType.PORT,
            "TCP syslog port (RFC 6587: octet counting and LF framing, per frame); 0 disables");
    public static final ConfigKey<String> TLS_HOST = key("listeners.tls.host", "127.0.0.1", ValueType.NON_EMPTY,
            "bind address of the TLS listener; loopback unless set (0.0.0.0: every interface)");
    public static final ConfigKey<Integer> TLS_PORT = key("listeners.tls.port", "0", ValueType.PORT,
            "syslog over TLS port (RFC 5425, usually 6514); 0 disables");
    public static final ConfigKey<String> TLS_CERT = key("listeners.tls.cert-file", "", ValueType.STRING,
            "PEM certificate chain of the TLS listener");
    public static final ConfigKey<String> TLS_KEY = key("listeners.tls.key-file", "", ValueType.STRING,
            "PEM private key (PKCS#8) of the TLS listener");
    public static final ConfigKey<String> TLS_CLIENT_CA = key("listeners.tls.client-ca-file", "", ValueType.STRING,
            "PEM CA certificates that sign client certificates (mutual TLS)");
    public static final ConfigKey<ClientAuth> TLS_CLIENT_AUTH = key("listeners.tls.client-auth", "none",
            ValueType.enumOf(ClientAuth.values(), a -> a == ClientAuth.REQUIRE ? "required" : a.name()),
            "client certificate policy");
    public static final ConfigKey<String> TLS_KEYSTORE = key("listeners.tls.keystore-file", "", ValueType.STRING,
            "PKCS#12 keystore with the listener's key and certificate, instead of cert-file and key-file");
    public static final ConfigKey<String> TLS_KEYSTORE_PASSWORD_FILE = key("listeners.tls.keystore-password-file", "",
            ValueType.STRING, "file holding the keystore password (or set AUDITWATCH_LISTENERS_TLS_KEYSTORE_PASSWORD)");
    public static final ConfigKey<String> TLS_KEYSTORE_PASSWORD = new ConfigKey<>("listeners.tls.keystore-password", "",
            ValueType.STRING, "keystore password, from the environment only", true);
    public static final ConfigKey<Duration> TLS_RELOAD = key("listeners.tls.reload-interval", "30s", ValueType.DURATION,
            "how often certificate files are checked; changed files apply to new connections without a restart");
    public static final ConfigKey<List<String>> TCP_ALLOWED = key("listeners.tcp.allowed-sources", "", ValueType.LIST,
            "CIDR blocks allowed to connect to the TCP listener; empty allows all");
    public static final ConfigKey<List<String>> TLS_ALLOWED = key("listeners.tls.allowed-sources", "", ValueType.LIST,
            "CIDR blocks allowed to connect to the TLS listener; empty allows all");
    public static final ConfigKey<List<String>> UDP_ALLOWED = key("listeners.udp.allowed-sources", "", ValueType.LIST,
            "CIDR blocks whose datagrams the UDP listener accepts; empty allows all");
    public static final ConfigKey<Integer> MAX_CONNECTIONS = key("listeners.max-connections", "16384",
            ValueType.intRange(1, 1_000_000, "a connection count 1-1000000"),
            "open connections of each stream listener (tcp, tls, fluentd, gelf); more are refused and counted");
    public static final ConfigKey<Integer> MAX_CONNECTIONS_PER_SOURCE = key("listeners.max-connections-per-source",
            "1024", ValueType.intRange(1, 1_000_000, "a connection count 1-1000000"),
            "open TCP and TLS connections per source: an IPv4 address or an IPv6 prefix (ipv6-source-prefix); Docker opens"
                    + " one per container");
    public static final ConfigKey<Duration> FRAME_DEADLINE = key("listeners.frame-deadline", "30s", ValueType.DURATION,
            "longest time from a frame's first byte to its last, also after completed frames; then the connection is"
                    + " closed and counted (slow senders); idle connections stay open");
    /** RFC 4291 section 2.5.4: a /64 is one subnet, which one host can fill with addresses. */
    public static final ConfigKey<Integer> IPV6_SOURCE_PREFIX = key("listeners.ipv6-source-prefix", "64",
            ValueType.intRange(1, 128, "a prefix length 1-128"),
            "IPv6 sources within one prefix of this length count as one source for max-connections-per-source");
    public static final ConfigKey<Duration> REASSEMBLY_TIMEOUT = key("listeners.reassembly-timeout", "2s",
            ValueType.DURATION, "how long the pieces of a line Docker cut at 16 KiB are awaited before it is stored incomplete");
    /**
     * The collector's zone: an estate whose Docker hosts and collector share one zone needs no setting.
     * RFC 3164 timestamps carry no zone (RFC 3164 section 4.1.2), Docker writes them in the host's local
     * time (ingest/README.md, "Docker's syslog log driver").
     */
    public static final ConfigKey<java.time.ZoneId> RFC3164_ZONE = key("listeners.rfc3164-zone", ValueType.SYSTEM_ZONE,
            ValueType.ZONE, "zone of timestamps without one (RFC 3164 Mmm dd hh:mm:ss: Docker's default and rfc3164 "
                    + "syslog formats, rsyslog's forward format; loggen's offset-less ISO time); for event time and lag only");
    public static final ConfigKey<Boolean> REDACT_LICENSE = key("listeners.redact-license-key", "true", ValueType.BOOLEAN,
            "replace UCP's user.extra.licenseKey by [redacted] in the envelope's fields (the raw message is unchanged)");
    public static final ConfigKey<Boolean> REQUIRE_IDENTITY = key("listeners.require-identity", "false",
            ValueType.BOOLEAN, "every node must be named by a client certificate or an inventory address; a HOSTNAME alone "
                    + "names none (such events are kept, attributed to the sender's address, flagged identity_mismatch)");
    /**
     * Three: one stray line (a host renamed mid-way) does not page, while the forger of a pulse every
     * ten minutes is reported within half an hour of the default window.
     */
    public static final ConfigKey<Integer> SPOOFING_THRESHOLD = key("listeners.spoofing-alert-threshold", "3",
            ValueType.intRange(1, 1_000_000, "an event count 1-1000000"),
            "events breaking one node's identity rule within listeners.spoofing-alert-window that raise SPOOFING_ATTEMPT");
    /** An hour: covers a forged pulse sent as rarely as a silence threshold allows (15m by default). */
    public static final ConfigKey<Duration> SPOOFING_WINDOW = key("listeners.spoofing-alert-window", "1h",
            ValueType.DURATION, "window of listeners.spoofing-alert-threshold; the alert resolves after a window without one");
    public static final ConfigKey<Long> MAX_MESSAGE_SIZE = key("listeners.max-message-size", "64KiB", ValueType.SIZE,
            "longest message kept whole; a longer one is truncated to this size and flagged");

    // TLS policy of every TLS server socket (ingest/README.md, "TLS policy")
    public static final ConfigKey<List<String>> TLS_PROTOCOLS = key("tls.protocols",
            String.join(",", TlsPolicy.INTERMEDIATE.protocols()), ValueType.LIST,
            "TLS versions the listeners offer: TLSv1.3 and/or TLSv1.2 (RFC 8996 deprecates older ones)");
    public static final ConfigKey<List<String>> TLS_CIPHER_SUITES = key("tls.cipher-suites",
            String.join(",", TlsPolicy.INTERMEDIATE.cipherSuites()), ValueType.LIST,
            "cipher suites (IANA names, in order of preference) the listeners accept; default: Mozilla's"
                    + " \"intermediate\" list");

    // Docker's fluentd and gelf drivers (ingest/README.md, "Docker's fluentd and gelf drivers")
    public static final ConfigKey<Boolean> FLUENTD_ENABLED = key("listeners.fluentd.enabled", "false",
            ValueType.BOOLEAN, "Fluentd Forward protocol listener (Docker's fluentd driver, with acknowledgements)");
    public static final ConfigKey<String> FLUENTD_HOST = key("listeners.fluentd.host", "127.0.0.1", ValueType.NON_EMPTY,
            "bind address of the fluentd listener; loopback unless set (0.0.0.0: every interface)");
    public static final ConfigKey<Integer> FLUENTD_PORT = key("listeners.fluentd.port", "24224", ValueType.PORT,
            "fluentd TCP (or TLS) port; the Forward protocol's UDP heartbeat is answered on the same port");
    public static final ConfigKey<Boolean> FLUENTD_TLS = key("listeners.fluentd.tls", "false", ValueType.BOOLEAN,
            "TLS on the fluentd port, with the certificates and client-auth of listeners.tls.* (Docker 20.10's driver has no TLS)");
    public static final ConfigKey<List<String>> FLUENTD_ALLOWED = key("listeners.fluentd.allowed-sources", "",
            ValueType.LIST, "CIDR blocks allowed to connect to the fluentd listener; empty allows all");
    public static final ConfigKey<Long> FLUENTD_MAX_REQUEST = key("listeners.fluentd.max-request-size", "4MiB",
            ValueType.SIZE, "longest Forward request; a longer one closes the connection (the sender retries)");
    public static final ConfigKey<Boolean> GELF_ENABLED = key("listeners.gelf.enabled", "false", ValueType.BOOLEAN,
            "GELF listeners (Docker's gelf driver): UDP and TCP on the same port");
    public static final ConfigKey<String> GELF_HOST = key("listeners.gelf.host", "127.0.0.1", ValueType.NON_EMPTY,
            "bind address of the GELF listeners; loopback unless set (0.0.0.0: every interface)");
    public static final ConfigKey<Integer> GELF_PORT = key("listeners.gelf.port", "12201", ValueType.PORT,
            "GELF port, UDP (chunked, gzip/zlib/plain) and TCP (NUL-delimited)");
    public static final ConfigKey<Boolean> GELF_TLS = key("listeners.gelf.tls", "false", ValueType.BOOLEAN,
            "TLS on the GELF TCP port, with the certificates of listeners.tls.* (Docker 20.10's driver has no TLS)");
    public static final ConfigKey<List<String>> GELF_ALLOWED = key("listeners.gelf.allowed-sources", "",
            ValueType.LIST, "CIDR blocks allowed to send to the GELF listeners; empty allows all");

    // Admin
    public static final ConfigKey<String> ADMIN_HOST = key("admin.host", "127.0.0.1", ValueType.NON_EMPTY,
            "bind address of the admin HTTP server");
    /** ingest/DESIGN.md, Names: the Prometheus exporters' 94xx range. */
    public static final ConfigKey<Integer> ADMIN_PORT = key("admin.port", "9464", ValueType.PORT,
            "admin HTTP port (/metrics, /health, /ready, /status, /api/nodes); 0 disables");

    public static final ConfigKey<Boolean> ADMIN_ALLOW_UNAUTHENTICATED = key("admin.allow-unauthenticated", "false",
            ValueType.BOOLEAN, "true lets admin.host be a non-loopback address with no authentication"
                    + " (logged at every start, shown on /status); false makes that a configuration error");
    public static final ConfigKey<String> ADMIN_USERNAME = key("admin.username", "", ValueType.STRING,
            "basic-auth user of the operator role (every route, POST included); empty: no operator credentials");
    public static final ConfigKey<String> ADMIN_PASSWORD_FILE = key("admin.password-file", "", ValueType.STRING,
            "file holding the operator password (or set AUDITWATCH_ADMIN_PASSWORD)");
    public static final ConfigKey<String> ADMIN_PASSWORD = new ConfigKey<>("admin.password", "", ValueType.STRING,
            "operator password, from the environment only", true);
    public static final ConfigKey<String> ADMIN_READ_USERNAME = key("admin.read-username", "", ValueType.STRING,
            "basic-auth user of the read role (/metrics, /health, /ready, /status, GET /api/*; never POST), e.g. Prometheus");
    public static final ConfigKey<String> ADMIN_READ_PASSWORD_FILE = key("admin.read-password-file", "",
            ValueType.STRING, "file holding the read password (or set AUDITWATCH_ADMIN_READ_PASSWORD)");
    public static final ConfigKey<String> ADMIN_READ_PASSWORD = new ConfigKey<>("admin.read-password", "",
            ValueType.STRING, "read password, from the environment only", true);
    public static final ConfigKey<String> ADMIN_TLS_CERT = key("admin.tls.cert-file", "", ValueType.STRING,
            "PEM certificate chain of the admin server; with admin.tls.key-file it serves HTTPS only");
    public static final ConfigKey<String> ADMIN_TLS_KEY = key("admin.tls.key-file", "", ValueType.STRING,
            "PEM private key (PKCS#8) of the admin server");
    public static final ConfigKey<String> ADMIN_TLS_CLIENT_CA = key("admin.tls.client-ca-file", "", ValueType.STRING,
            "PEM CA certificates that sign admin client certificates (mutual TLS)");
    public static final ConfigKey<ClientAuth> ADMIN_TLS_CLIENT_AUTH = key("admin.tls.client-auth", "none",
            ValueType.enumOf(ClientAuth.values(), a -> a == ClientAuth.REQUIRE ? "required" : a.name()),
            "admin client certificate policy: none, optional or required; a verified certificate authenticates");
    public static final ConfigKey<List<String>> ADMIN_TLS_OPERATOR_SUBJECTS = key("admin.tls.operator-subjects", "",
            ValueType.LIST, "client certificate identities (SAN DNS name, else CN) with the operator role; other"
                    + " verified certificates get the read role");
    public static final ConfigKey<Duration> ADMIN_TLS_RELOAD = key("admin.tls.reload-interval", "30s",
            ValueType.DURATION, "how often the admin certificate files are checked; changes apply to new connections");
    public static final ConfigKey<List<String>> ADMIN_ALLOWED_HOSTS = key("admin.allowed-hosts", "", ValueType.LIST,
            "Host header names (port ignored) the admin server answers; empty: localhost, 127.0.0.1, [::1] and"
                    + " admin.host (the connection's own IP address is always accepted)");
    /** A week covers a long patch weekend; longer is a decommission, not maintenance. */
    public static final ConfigKey<Duration> ADMIN_MAINTENANCE_MAX = key("admin.maintenance-max", "7d",
            ValueType.DURATION, "longest maintenance window POST /api/maintenance accepts (a reason is also required)");
    /** Five minutes: enough to try a relay fix again, too rare to flood every recipient's inbox. */
    public static final ConfigKey<Duration> ADMIN_TEST_ALERT_INTERVAL = key("admin.test-alert-interval", "5m",
            ValueType.DURATION, "at most one POST /api/test-alert per interval; others get 429 with Retry-After");

    // Heartbeat
    /** 15 minutes: the auditd pulse runs every minute, so this is 15 missed pulses. */
    public static final ConfigKey<Duration> HB_DEFAULT_THRESHOLD = key("heartbeat.default-threshold", "15m",
            ValueType.DURATION, "silence threshold of nodes and streams the inventory does not set");
    /** Senders reconnect within a few minutes of a collector restart. */
    public static final ConfigKey<Duration> HB_GRACE = key("heartbeat.grace-period", "5m", ValueType.DURATION,
            "after start-up, expected nodes get this long before NEVER_SEEN");
    public static final ConfigKey<String> HB_INVENTORY = key("heartbeat.inventory-file", "", ValueType.STRING,
            "expected nodes, roles and thresholds (YAML); empty enrols every node on first sight");

    public static final ConfigKey<HeartbeatSource> HB_SOURCE = key("heartbeat.source", "summaries",
            ValueType.enumOf(HeartbeatSource.values(), HeartbeatSource::id),
            "summaries: judge on ingest's liveness summaries (kafka.liveness-topic); events: on every record of"
            + " kafka.topic (when other producers write it too); the same on every replica");
    public static final ConfigKey<UnknownNodePolicy> HB_UNKNOWN = key("heartbeat.unknown-nodes", "enrol",
            ValueType.enumOf(UnknownNodePolicy.values(), UnknownNodePolicy::id).alias("enroll", UnknownNodePolicy.ENROL),
            "nodes not in the inventory: enrol on first sight, or ignore (counted)");
    /** Stream names, as in heartbeat.enrol-streams and the inventory's thresholds. */
    static final ValueType.Choice<Stream> STREAM = ValueType.enumOf(Stream.values(), Stream::id);
    public static final ConfigKey<List<Stream>> HB_ENROL_STREAMS = key("heartbeat.enrol-streams",
            "auditd,ucp-audit,dtr-audit,dockerd,container,other", ValueType.listOf(STREAM),
            "streams tracked for enrolled nodes");
    /**
     * rsyslog's default action queue retries for minutes; a sender five minutes behind is already
     * failing AU-5 timeliness in practice.
     */
    public static final ConfigKey<Duration> HB_EVENT_LAG = key("heartbeat.event-lag-threshold", "5m",
            ValueType.DURATION, "receive time minus sender time above this raises EVENT_LAG");
    /**
     * About ten seconds of one rsyslog's 300,000 msg/s (heartbeat/README.md, "Measured figures") would
     * be 3M; 100,000 records is seconds of catch-up at normal rates yet far above a poll batch. With
     * liveness summaries (one record per active key and second) it is minutes of a large estate's traffic.
     */
    public static final ConfigKey<Integer> HB_CONSUMER_LAG = key("heartbeat.consumer-lag-bound", "100000",
            ValueType.intRange(1, Integer.MAX_VALUE, "a record count"),
            "records behind the topic heartbeat reads (heartbeat.source) before CONSUMER_LAG fires and node alerts are held");
    /** At most five seconds of last-seen progress lost on a crash: negligible against minute thresholds. */
    public static final ConfigKey<Duration> HB_FLUSH = key("heartbeat.state-flush-interval", "5s", ValueType.DURATION,
            "periodic write of changed last-seen times to auditwatch.heartbeat (transitions are written at once)");
    /** Same as the typical ucp-audit threshold (manager role, 5m): the controller must be alive now. */
    public static final ConfigKey<Duration> HB_AUDIT_DISABLED = key("heartbeat.audit-disabled-window", "5m",
            ValueType.DURATION, "how recent ucp-controller output must be for AUDIT_DISABLED instead of a silence");
    /**
     * 10,000 pairs = 20,000 gauge series (age and lag) per instance, a comfortable Prometheus scrape;
     * about 5 MiB of heap (heartbeat/README.md, "Measured figures").
     */
    public static final ConfigKey<Integer> HB_MAX_STREAMS = key("heartbeat.max-tracked-streams", "10000",
            ValueType.intRange(1, 10_000_000, "a count"),
            "cap on tracked (node, stream) pairs per instance; enrolment beyond it is refused and counted");
    /**
     * 8 failures: with the back-off of 1 s doubling to 1 min that is about two minutes of trying, long
     * enough to ride out a broker restart, short enough that the orchestrator acts within minutes.
     */
    public static final ConfigKey<Integer> HB_RESTART_LIMIT = key("heartbeat.consumer-restart-limit", "8",
            ValueType.intRange(1, 1000, "a count 1-1000"),
            "consecutive failed heartbeat consumer sessions after which /health reports 503 (restart the process)");

    // Alerting
    public static final ConfigKey<List<String>> ALERT_ISSO = key("alerting.recipients.isso", "", ValueType.LIST,
            "ISSO addresses (at least one)");
    public static final ConfigKey<List<String>> ALERT_SA = key("alerting.recipients.sa", "", ValueType.LIST,
            "SA addresses (at least one)");
    public static final ConfigKey<String> SMTP_HOST = key("alerting.smtp.host", "", ValueType.STRING,
            "SMTP relay; empty writes alerts as .eml files to <data-dir>/outbox and the log");
    /** Port 25: the relay port most internal MTAs listen on (RFC 5321 section 4.5.4). */
    public static final ConfigKey<Integer> SMTP_PORT = key("alerting.smtp.port", "25", ValueType.PORT,
            "SMTP port");
    public static final ConfigKey<TlsMode> SMTP_STARTTLS = key("alerting.smtp.starttls", "required",
            ValueType.enumOf(TlsMode.values(), TlsMode::id)
                    .alias("starttls-opportunistic", TlsMode.STARTTLS_OPPORTUNISTIC)
                    .alias("starttls-required", TlsMode.STARTTLS_REQUIRED)
                    .alias("smtps", TlsMode.IMPLICIT)
                    .alias("true", TlsMode.STARTTLS_OPPORTUNISTIC)
                    .alias("false", TlsMode.NONE),
            "none, opportunistic or required STARTTLS, or implicit TLS (SMTPS); with alerting.smtp.username only"
                    + " required or implicit; a plain relay (e.g. an MTA on 127.0.0.1) needs an explicit none");
    public static final ConfigKey<String> SMTP_USERNAME = key("alerting.smtp.username", "", ValueType.STRING,
            "SMTP user; empty means no authentication");
    public static final ConfigKey<String> SMTP_PASSWORD_FILE = key("alerting.smtp.password-file", "", ValueType.STRING,
            "file holding the SMTP password (or set AUDITWATCH_ALERTING_SMTP_PASSWORD)");
    public static final ConfigKey<String> SMTP_PASSWORD = new ConfigKey<>("alerting.smtp.password", "",
            ValueType.STRING, "SMTP password, from the environment only", true);
    /** Long enough for a relay across a WAN, short enough that a dead relay is noticed each retry. */
    public static final ConfigKey<Duration> SMTP_CONNECT_TIMEOUT = key("alerting.smtp.connect-timeout", "10s",
            ValueType.DURATION, "TCP connect timeout to the SMTP relay");
    /**
     * RFC 5321 section 4.5.3.2 lets a server take minutes per command; 60s covers a loaded relay
     * without holding the delivery thread for the RFC's full 10 minutes on a stuck one.
     */
    public static final ConfigKey<Duration> SMTP_READ_TIMEOUT = key("alerting.smtp.read-timeout", "60s",
            ValueType.DURATION, "per-reply timeout of the SMTP relay");
    public static final ConfigKey<Duration> SMTP_WRITE_TIMEOUT = key("alerting.smtp.write-timeout", "60s",
            ValueType.DURATION, "write timeout towards the SMTP relay");
    public static final ConfigKey<String> SMTP_TRUST_CA = key("alerting.smtp.trust-ca-file", "", ValueType.STRING,
            "PEM CA (or self-signed certificate) of a private relay; empty uses the JDK trust store");
    public static final ConfigKey<Boolean> SMTP_CHECK_IDENTITY = key("alerting.smtp.check-server-identity", "true",
            ValueType.BOOLEAN, "verify that the relay's certificate names alerting.smtp.host");
    public static final ConfigKey<String> ALERT_FROM = key("alerting.from", "auditwatch@localhost", ValueType.NON_EMPTY,
            "From address of alert emails");
    /** Alertmanager's group_wait default; long enough to gather one network outage's transitions. */
    public static final ConfigKey<Duration> ALERT_GROUP_WINDOW = key("alerting.group-window", "30s",
            ValueType.DURATION, "transitions within this window are sent as one digest");
    /** Alertmanager's repeat_interval default: an open alert is repeated every 4h (alerting/README.md). */
    public static final ConfigKey<Duration> ALERT_REPEAT = key("alerting.repeat-interval", "4h", ValueType.DURATION,
            "an open alert is repeated (still silent) this often");

    public static final ConfigKey<String> ALERT_OUTBOX = key("alerting.outbox-dir", "", ValueType.STRING,
            "persistent outbox, open-alert state and .eml folder; empty means <data-dir>/outbox");
    /** A relay restart usually takes seconds; 5s does not hammer it while it comes back. */
    public static final ConfigKey<Duration> ALERT_RETRY_INITIAL = key("alerting.retry.initial", "5s",
            ValueType.DURATION, "first retry delay after a failed delivery; doubled per consecutive failure");
    /** Doubling from 5s reaches 5m after 6 failures; an alert is never more than 5m late once the relay is back. */
    public static final ConfigKey<Duration> ALERT_RETRY_MAX = key("alerting.retry.max", "5m", ValueType.DURATION,
            "upper bound of the retry delay");
    public static final ConfigKey<String> ALERT_STATUS_URL = key("alerting.status-url", "", ValueType.STRING,
            "base URL of the status page; emails then link to <url>/status");
    /** A week: a planned change window, not a way to switch alerting off (alerting/README.md, "Silences"). */
    public static final ConfigKey<Duration> ALERT_SILENCE_MAX = key("alerting.silence-max-duration", "7d",
            ValueType.DURATION, "longest silence an operator may create (its end at most this far ahead)");
    public static final ConfigKey<String> ALERT_ESCALATION = key("alerting.escalation", "", ValueType.STRING,
            "escalation steps: in YAML a list of {after: 2h, roles: [ops]}; in the environment '2h:ops,4h:ops+ciso'");

    /**
     * Keys whose last segment is a free name: {@code alerting.recipients.<role>} (address lists)
     * and {@code alerting.routes.<kind-id>} (role lists). {@code isso} and {@code sa} are
     * recipients like any other role, and the alerting module insists on both.
     */
    public static final List<String> MAP_PREFIXES = List.of("alerting.recipients", "alerting.routes");

    /** What each entry under a {@link #MAP_PREFIXES} prefix means, for the reference. */
    static final Map<String, String> MAP_PREFIX_DOCS = Map.of(
            "alerting.recipients", "<role>: addresses of a further role (a list), e.g. alerting.recipients.ops",
            "alerting.routes", "<alert-kind>: roles an alert kind goes to (a list that includes isso and sa), "
                    + "e.g. alerting.routes.node-silent");

    /**
     * {@code AUDITWATCH_*} environment variables that are not keys but are read elsewhere; every
     * other one that names no key is a configuration error, like an unknown key in the file.
     */
    public static final List<String> OTHER_ENVIRONMENT = List.of(
            "AUDITWATCH_CONFIG"); // the configuration file, read by Main

    /** Every key, in reference order. */
    public static final List<ConfigKey<?>> ALL = List.of(
            DATA_DIR,
            KAFKA_BOOTSTRAP, KAFKA_TOPIC, KAFKA_PARTITIONS, KAFKA_REPLICATION, KAFKA_QUEUE_BYTES, KAFKA_MAX_BLOCK,
            KAFKA_EMBEDDED_PORT, KAFKA_EMBEDDED_RETENTION, KAFKA_CLOSE_DEADLINE, KAFKA_HEALTH_INTERVAL, KAFKA_WHOLE_EVENTS_TOPIC,
            KAFKA_OPERATOR_AUDIT_TOPIC, KAFKA_DEAD_LETTER_TOPIC, KAFKA_LIVENESS_TOPIC, KAFKA_LIVENESS_INTERVAL,
            KAFKA_LIVENESS_MAX_KEYS, KAFKA_CLIENT_PROPERTIES,
            SPOOL_ENABLED, SPOOL_MAX_BYTES, SPOOL_FSYNC, SPOOL_FSYNC_INTERVAL, SPOOL_ALERT_FILL, SPOOL_MIN_FREE_BYTES,
            SPOOL_MIN_FREE_PERCENT, SPOOL_DRAIN_DEADLINE, SHUTDOWN_TIMEOUT,
            FLUENTD_ENABLED, FLUENTD_HOST, FLUENTD_PORT, FLUENTD_TLS, FLUENTD_ALLOWED, FLUENTD_MAX_REQUEST,
            GELF_ENABLED, GELF_HOST, GELF_PORT, GELF_TLS, GELF_ALLOWED,
            UDP_HOST, UDP_PORT, UDP_SOCKETS, TCP_HOST, TCP_PORT, TLS_HOST, TLS_PORT, TLS_CERT, TLS_KEY, TLS_CLIENT_CA,
            TLS_CLIENT_AUTH, TLS_KEYSTORE, TLS_KEYSTORE_PASSWORD_FILE, TLS_KEYSTORE_PASSWORD, TLS_RELOAD, TCP_ALLOWED,
            TLS_ALLOWED, UDP_ALLOWED, MAX_CONNECTIONS, MAX_CONNECTIONS_PER_SOURCE, IPV6_SOURCE_PREFIX, FRAME_DEADLINE, REASSEMBLY_TIMEOUT, RFC3164_ZONE,
            REDACT_LICENSE, REQUIRE_IDENTITY, SPOOFING_THRESHOLD, SPOOFING_WINDOW, MAX_MESSAGE_SIZE, TLS_PROTOCOLS, TLS_CIPHER_SUITES,
            ADMIN_HOST, ADMIN_PORT, ADMIN_ALLOW_UNAUTHENTICATED, ADMIN_USERNAME, ADMIN_PASSWORD_FILE, ADMIN_PASSWORD,
            ADMIN_READ_USERNAME, ADMIN_READ_PASSWORD_FILE, ADMIN_READ_PASSWORD, ADMIN_TLS_CERT, ADMIN_TLS_KEY,
            ADMIN_TLS_CLIENT_CA, ADMIN_TLS_CLIENT_AUTH, ADMIN_TLS_OPERATOR_SUBJECTS, ADMIN_TLS_RELOAD, ADMIN_ALLOWED_HOSTS,
            ADMIN_MAINTENANCE_MAX, ADMIN_TEST_ALERT_INTERVAL,
            HB_DEFAULT_THRESHOLD, HB_GRACE, HB_INVENTORY, HB_SOURCE, HB_UNKNOWN, HB_ENROL_STREAMS, HB_EVENT_LAG, HB_CONSUMER_LAG,
            HB_FLUSH, HB_AUDIT_DISABLED, HB_MAX_STREAMS, HB_RESTART_LIMIT,
            ALERT_ISSO, ALERT_SA, SMTP_HOST, SMTP_PORT, SMTP_STARTTLS, SMTP_USERNAME, SMTP_PASSWORD_FILE,
            SMTP_PASSWORD, SMTP_CONNECT_TIMEOUT, SMTP_READ_TIMEOUT, SMTP_WRITE_TIMEOUT, SMTP_TRUST_CA,
            SMTP_CHECK_IDENTITY, ALERT_FROM, ALERT_GROUP_WINDOW, ALERT_REPEAT, ALERT_OUTBOX, ALERT_RETRY_INITIAL,
            ALERT_RETRY_MAX, ALERT_STATUS_URL, ALERT_SILENCE_MAX, ALERT_ESCALATION);

    private static <T> ConfigKey<T> key(String path, String def, ValueType<T> type, String doc) {
        return new ConfigKey<>(path, def, type, doc, false);
    }
}
