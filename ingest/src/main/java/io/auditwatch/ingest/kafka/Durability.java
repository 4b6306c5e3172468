package io.auditwatch.ingest.kafka;

/**
 * Told what became of an event whose sender waits for it to be stored before it forgets it (the
 * Fluentd Forward protocol's {@code ack}). Called from the publisher's threads or the producer's
 * I/O thread; must return quickly. An implementation must tolerate a second call (an event the
 * spool stored is durable, and is reported again when Kafka acknowledges it).
 */
public interface Durability {
    /** Nobody waits for the event. */
    Durability NONE = new Durability() {
        @Override
        public void durable() {
        }

        @Override
        public void lost() {
        }
    };

    /**
     * The event survives a crash of this process: appended to the spool under its fsync policy, or,
     * with {@code spool.enabled: false}, acknowledged by Kafka ({@code acks=all}).
     */
    void durable();

    /** The event will not be stored by this process; its sender should send it again. */
    void lost();
}
