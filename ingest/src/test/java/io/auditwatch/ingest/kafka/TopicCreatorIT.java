package io.auditwatch.ingest.kafka;

import io.auditwatch.service.BrokerExtension;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopicCreatorIT {
    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();

    @Test
    void createsAMissingTopicWithTheConfiguredPartitions() throws Exception {
        PublisherSettings settings = Topics.settings(broker.bootstrapServers(), Topics.unique("create"), 1L << 20);
        assertTrue(TopicCreator.ensureTopic(settings, Duration.ofSeconds(30)));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            TopicDescription d = admin.describeTopics(List.of(settings.topic())).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(settings.topic());
            assertEquals(3, d.partitions().size());
            assertEquals(1, d.partitions().get(0).replicas().size());
        }
    }

    @Test
    void leavesAnExistingTopicAlone() {
        PublisherSettings settings = Topics.settings(broker.bootstrapServers(), Topics.unique("exists"), 1L << 20);
        TopicCreator.ensureTopic(settings, Duration.ofSeconds(30));
        assertFalse(TopicCreator.ensureTopic(settings, Duration.ofSeconds(30)));
    }

    @Test
    void aReplicationFactorAboveTheBrokerCountFailsWithTheReason() {
        PublisherSettings base = Topics.settings(broker.bootstrapServers(), Topics.unique("rf3"), 1L << 20);
        PublisherSettings settings = new PublisherSettings(base.bootstrapServers(), base.topic(), 1, (short) 3,
                base.queueBytes(), base.maxBlock(), base.closeDeadline(), Map.of(), base.healthCheckInterval());
        KafkaUnreachableException e = assertThrows(KafkaUnreachableException.class,
                () -> TopicCreator.ensureTopic(settings, Duration.ofSeconds(30)));
        assertTrue(e.getMessage().contains("InvalidReplicationFactorException"), e.getMessage());
    }

    @Test
    void anUnreachableClusterFailsWithinTheTimeoutNamingTheAddress() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        PublisherSettings settings = Topics.settings("127.0.0.1:" + closedPort, "audit.events", 1L << 20);
        KafkaUnreachableException e = assertThrows(KafkaUnreachableException.class,
                () -> TopicCreator.ensureTopic(settings, Duration.ofSeconds(2)));
        assertTrue(e.getMessage().contains("127.0.0.1:" + closedPort + " did not answer within 2000 ms"), e.getMessage());
    }
}
