package io.auditwatch.service.report;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One topic read from its beginning to the end offsets it had when the read started: every partition
 * assigned (no consumer group, nothing committed), so any replica reads the same records, before and
 * after a restart. Bounded in records and time ({@link #MAX_RECORDS}, {@link #TIMEOUT}); a read that hits
 * a bound says so ({@link #complete()} false) and the report shows it.
 *
 * @param topic the topic
 * @param exists false when the topic does not exist (nothing was recorded, or the feature is off)
 * @param records the records read, ordered by partition then offset
 * @param complete true when every partition was read to its captured end offset
 * @param note why the read is incomplete or the topic absent; empty otherwise
 */
record TopicSnapshot(String topic, boolean exists, List<ConsumerRecord<byte[], byte[]>> records, boolean complete,
        String note) {

    /**
     * Records read per topic at most: a year of alert history at one notification a minute is about
     * 525,000; a report over more than that is cut short (and says so) rather than exhaust the heap.
     */
    static final int MAX_RECORDS = 1_000_000;
    /** Time one topic's read may take; the embedded broker serves 100,000 small records in about 2 s. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** One poll's wait: short, so the deadline is checked often. */
    private static final Duration POLL = Duration.ofMillis(200);

    /**
     * @param clientConfig bootstrap servers and security settings shared by every Kafka client
     * @param maxRecords the record bound ({@link #MAX_RECORDS} outside tests)
     * @param timeout the time bound ({@link #TIMEOUT} outside tests)
     */
    static TopicSnapshot read(Map<String, Object> clientConfig, String topic, int maxRecords, Duration timeout) {
        Map<String, Object> c = new HashMap<>(clientConfig);
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "auditwatch-report");
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            Map<String, List<PartitionInfo>> topics = consumer.listTopics(timeout);
            List<PartitionInfo> infos = topics.get(topic);
            if (infos == null || infos.isEmpty()) {
                return new TopicSnapshot(topic, false, List.of(), true, "topic " + topic + " does not exist");
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition()))
                    .sorted(Comparator.comparingInt(TopicPartition::partition)).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            Map<Integer, List<ConsumerRecord<byte[], byte[]>>> byPartition = new HashMap<>();
            int count = 0;
            while (!reached(consumer, ends)) {
                if (System.nanoTime() > deadline) {
                    return cut(topic, byPartition, "read " + count + " records, not to the end, within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    if (r.offset() >= ends.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue; // written after the read started
                    }
                    if (count == maxRecords) {
                        return cut(topic, byPartition, "stopped at the bound of " + maxRecords + " records");
                    }
                    byPartition.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r);
                    count++;
                }
            }
            return new TopicSnapshot(topic, true, ordered(byPartition), true, "");
        } catch (org.apache.kafka.common.KafkaException e) {
            return new TopicSnapshot(topic, false, List.of(), false, "cannot read " + topic + ": " + e.getMessage());
        }
    }

    private static TopicSnapshot cut(String topic, Map<Integer, List<ConsumerRecord<byte[], byte[]>>> byPartition,
            String note) {
        return new TopicSnapshot(topic, true, ordered(byPartition), false, note);
    }

    private static List<ConsumerRecord<byte[], byte[]>> ordered(Map<Integer, List<ConsumerRecord<byte[], byte[]>>> m) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        m.keySet().stream().sorted().forEach(p -> out.addAll(m.get(p)));
        return out;
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
