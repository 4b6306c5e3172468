package io.auditwatch.ingest.kafka;

/**
 * The events topic exists with a {@code max.message.bytes} below the largest record ingest
 * produces: Kafka would refuse the largest events, so the service does not start.
 */
public final class TopicTooSmallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final long maxMessageBytes;
    private final long neededBytes;

    public TopicTooSmallException(String topic, long maxMessageBytes, long neededBytes) {
        super("Kafka topic " + topic + " has max.message.bytes=" + maxMessageBytes + ", below the " + neededBytes
                + " bytes the largest accepted event needs as one record; raise it (kafka-configs.sh --alter"
                + " --entity-type topics --entity-name " + topic + " --add-config max.message.bytes=" + neededBytes
                + ")");
        this.topic = topic;
        this.maxMessageBytes = maxMessageBytes;
        this.neededBytes = neededBytes;
    }

    public String topic() {
        return topic;
    }

    public long maxMessageBytes() {
        return maxMessageBytes;
    }

    public long neededBytes() {
        return neededBytes;
    }
}
