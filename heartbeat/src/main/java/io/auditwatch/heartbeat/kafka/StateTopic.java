package io.auditwatch.heartbeat.kafka;

import io.auditwatch.heartbeat.NodeNames;
import io.auditwatch.heartbeat.NodeSnapshot;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creating and reading the compacted state topic. */
final class StateTopic {
    private static final Logger log = LoggerFactory.getLogger(StateTopic.class);
    /** Admin calls against a healthy cluster answer in milliseconds; this bounds a hung start-up. */
    private static final long ADMIN_TIMEOUT_S = 30;
    /** ingest creates audit.events at its start-up; heartbeat may start first in the same process. */
    private static final int EVENTS_TOPIC_WAIT_S = 60;

    private StateTopic() {
    }

    /**
     * Makes sure the state topic exists, compacted, with at least as many partitions as the events
     * topic (state partition p holds the nodes of events partition p).
     *
     * @return the events topic's partition count
     */
    static int ensure(Map<String, Object> kafkaConfig, String eventsTopic, String stateTopic) throws InterruptedException {
        try (Admin admin = Admin.create(kafkaConfig)) {
            TopicDescription events = describeWaiting(admin, eventsTopic);
            int partitions = events.partitions().size();
            short replication = (short) events.partitions().get(0).replicas().size();
            try {
                TopicDescription state = describe(admin, stateTopic);
                requireCompacted(admin, stateTopic);
                if (state.partitions().size() < partitions) {
                    log.warn("state topic {} has {} partitions, {} has {}: adding partitions", stateTopic,
                            state.partitions().size(), eventsTopic, partitions);
                    admin.createPartitions(Map.of(stateTopic, NewPartitions.increaseTo(partitions))).all()
                            .get(ADMIN_TIMEOUT_S, TimeUnit.SECONDS);
                }
            } catch (UnknownTopicOrPartitionException missing) {
                NewTopic topic = new NewTopic(stateTopic, partitions, replication)
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                try {
                    admin.createTopics(List.of(topic)).all().get(ADMIN_TIMEOUT_S, TimeUnit.SECONDS);
                    log.info("created compacted state topic {} ({} partitions, replication {})", stateTopic, partitions, replication);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new KafkaException("cannot create state topic " + stateTopic, e.getCause());
                    }
                }
            }
            return partitions;
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaException("cannot prepare state topic " + stateTopic, e);
        }
    }

    /**
     * A state topic that is not compacted loses the state of quiet nodes to retention, and is most
     * likely a topic of something else under the same name: refuse it rather than write into it.
     */
    private static void requireCompacted(Admin admin, String topic) throws InterruptedException, ExecutionException,
            TimeoutException {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        String policy = admin.describeConfigs(List.of(r)).all().get(ADMIN_TIMEOUT_S, TimeUnit.SECONDS).get(r)
                .get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
        if (policy == null || !policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            throw new KafkaException("topic " + topic + " exists with cleanup.policy=" + policy + "; auditwatch keeps state "
                    + "there and needs it compacted (cleanup.policy=compact): is it another application's topic?");
        }
    }

    private static TopicDescription describeWaiting(Admin admin, String topic) throws InterruptedException,
            ExecutionException, TimeoutException {
        for (int i = 0; ; i++) {
            try {
                return describe(admin, topic);
            } catch (UnknownTopicOrPartitionException e) {
                if (i >= EVENTS_TOPIC_WAIT_S) {
                    throw e;
                }
                if (i == 0) {
                    log.info("waiting for topic {} to exist", topic);
                }
                Thread.sleep(1000);
            }
        }
    }

    private static TopicDescription describe(Admin admin, String topic) throws InterruptedException, ExecutionException,
            TimeoutException {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(ADMIN_TIMEOUT_S, TimeUnit.SECONDS).get(topic);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException u) {
                throw u;
            }
            throw e;
        }
    }

    /**
     * Reads the given state partitions from the beginning to their current end and returns the
     * newest snapshot per node (tombstones remove). Unreadable records are skipped and logged.
     */
    static Collection<NodeSnapshot> read(Map<String, Object> kafkaConfig, String stateTopic, Collection<Integer> partitions,
            Duration timeout) {
        Map<String, NodeSnapshot> latest = new LinkedHashMap<>();
        int bad = 0;
        for (Latest r : readLatest(kafkaConfig, stateTopic, partitions, timeout, NodeNames.MAX_BYTES,
                "auditwatch-heartbeat-restore")) {
            try {
                NodeSnapshot s = StateCodec.decode(r.value());
                if (s != null) {
                    latest.put(r.key(), s);
                }
            } catch (IOException e) {
                bad++;
            }
        }
        if (bad > 0) {
            log.warn("skipped {} unreadable records of {} partitions {}", bad, stateTopic, partitions);
        }
        return latest.values();
    }

    /** The newest record of one key in one partition of a compacted topic; never a tombstone. */
    record Latest(int partition, String key, byte[] value) {
    }

    /**
     * Reads {@code partitions} of the compacted {@code topic} from the beginning to their end at the
     * time of the call and returns the newest record per (partition, key), without the keys whose
     * newest record is a tombstone. Records whose key is missing or over {@code maxKeyBytes} are
     * skipped and logged.
     *
     * @throws KafkaException when the end is not reached within {@code timeout}
     */
    static List<Latest> readLatest(Map<String, Object> kafkaConfig, String topic, Collection<Integer> partitions,
            Duration timeout, int maxKeyBytes, String clientId) {
        Map<String, Object> c = new HashMap<>(kafkaConfig);
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        Map<String, Latest> latest = new LinkedHashMap<>();
        int overlong = 0;
        try (KafkaConsumer<byte[], byte[]> restore = new KafkaConsumer<>(c)) {
            List<TopicPartition> tps = new ArrayList<>();
            partitions.forEach(p -> tps.add(new TopicPartition(topic, p)));
            restore.assign(tps);
            restore.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = restore.endOffsets(tps);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reached(restore, ends)) {
                if (System.nanoTime() > deadline) {
                    throw new KafkaException("topic " + topic + " not read to its end within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> r : restore.poll(Duration.ofMillis(200))) {
                    if (r.key() == null || r.key().length > maxKeyBytes) {
                        overlong++; // never written by auditwatch, so not worth decoding or holding
                        continue;
                    }
                    String key = new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
                    String slot = r.partition() + "/" + key;
                    if (r.value() == null) {
                        latest.remove(slot);
                    } else {
                        latest.put(slot, new Latest(r.partition(), key, r.value()));
                    }
                }
            }
        }
        if (overlong > 0) {
            log.warn("skipped {} records of {} partitions {} without a key or with one over {} bytes", overlong, topic,
                    partitions, maxKeyBytes);
        }
        return new ArrayList<>(latest.values());
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
