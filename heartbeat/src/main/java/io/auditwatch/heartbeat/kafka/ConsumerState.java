package io.auditwatch.heartbeat.kafka;

/** Where the heartbeat consumer's thread is in its life (heartbeat/README.md, "Supervision"). */
public enum ConsumerState {
    /** A session is starting or joining the consumer group (also each restart until it has joined). */
    STARTING,
    /** The session has joined the consumer group and consumes. */
    RUNNING,
    /** The last session failed; the supervisor waits out the back-off before the next one. */
    DOWN,
    /** Closed; nothing runs. */
    STOPPED
}
