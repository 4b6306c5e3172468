package io.auditwatch.service.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.auditwatch.service.config.Keys;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The embedded broker shares the data directory with the spool: its partitions have a size bound by default. */
class EmbeddedKafkaRetentionTest {

    @Test
    void eachPartitionIsBoundedToTheConfiguredBytesPlusOneSegment() {
        Properties p = EmbeddedKafka.brokerProperties(Path.of("/tmp/x"), "127.0.0.1", 9092, "127.0.0.1", 9093, 3L << 30);
        assertEquals(Long.toString(3L << 30), p.getProperty("log.retention.bytes"));
        assertEquals(Long.toString(EmbeddedKafka.SEGMENT_BYTES), p.getProperty("log.segment.bytes"));
    }

    @Test
    void aSmallBoundGetsSegmentsNoLargerThanItself() {
        Properties p = EmbeddedKafka.brokerProperties(Path.of("/tmp/x"), "127.0.0.1", 9092, "127.0.0.1", 9093, 8L << 20);
        assertEquals(Long.toString(8L << 20), p.getProperty("log.segment.bytes"));
    }

    @Test
    void theServiceDefaultIsTheBrokersDefault() {
        assertEquals(EmbeddedKafka.DEFAULT_RETENTION_BYTES, Keys.KAFKA_EMBEDDED_RETENTION.parsedDefault());
    }
}
