package io.auditwatch.service;

import io.auditwatch.service.kafka.EmbeddedKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real single-node KRaft broker ({@link EmbeddedKafka}) on a free loopback port for one test
 * class: started before its first test, stopped after its last, its data in a temporary directory.
 * A test stages an outage with {@link #stop()} and {@link #start()}: the broker comes back on the
 * same directory and port, so clients configured with {@link #bootstrapServers()} find it again.
 *
 * <pre>{@code @RegisterExtension
 * static final BrokerExtension broker = new BrokerExtension();}</pre>
 *
 * A class whose tests must not see each other's topics, consumer groups or group members (a
 * member killed by one test stays in its group until its session times out) takes a broker per
 * test instead:
 *
 * <pre>{@code @RegisterExtension
 * final BrokerExtension broker = BrokerExtension.perTest();}</pre>
 */
public final class BrokerExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    /** Started before each test and stopped after it, instead of once for the class. */
    private final boolean perTest;
    private Path dir;
    private EmbeddedKafka kafka;
    /** 0 until the first start picks a free port; every later start binds the same one. */
    private int port;

    /** A broker for the whole class: register it in a static field. */
    public BrokerExtension() {
        this(false);
    }

    private BrokerExtension(boolean perTest) {
        this.perTest = perTest;
    }

    /** A fresh broker, directory and port for every test: register it in an instance field. */
    public static BrokerExtension perTest() {
        return new BrokerExtension(true);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        if (!perTest) {
            create();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (!perTest) {
            destroy();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        if (perTest) {
            create();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (perTest) {
            destroy();
        }
    }

    private synchronized void create() throws IOException {
        dir = Files.createTempDirectory("auditwatch-broker");
        port = 0;
        start();
    }

    private synchronized void destroy() throws IOException {
        try {
            stop();
        } finally {
            TestService.deleteTree(dir);
        }
    }

    /** Starts the broker on its directory and port; nothing when it runs already. */
    public synchronized void start() {
        if (kafka == null) {
            kafka = EmbeddedKafka.start(dataDir(), "127.0.0.1", port);
            port = kafka.port();
        }
    }

    /** Stops the broker cleanly, keeping its data for {@link #start()}; nothing when it is stopped. */
    public synchronized void stop() {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }

    /** The running broker. */
    public synchronized EmbeddedKafka kafka() {
        if (kafka == null) {
            throw new IllegalStateException("the broker is stopped");
        }
        return kafka;
    }

    /** {@code 127.0.0.1:port}, the same while the broker is stopped and after it started again. */
    public synchronized String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public synchronized int port() {
        return port;
    }

    /** The broker's only directory, kept across {@link #stop()} and {@link #start()}. */
    public Path dataDir() {
        return dir.resolve("kafka");
    }

    /** Creates {@code topic} with {@code partitions} partitions and replication factor 1. */
    public void createTopic(String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** A reader of {@code topic} from its beginning; the caller closes it. */
    public TopicReader reader(String topic) {
        return new TopicReader(bootstrapServers(), topic);
    }

    /** See {@link TopicReader#readAll}. */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
        return TopicReader.readAll(bootstrapServers(), topic, expected);
    }
}
