package io.auditwatch.ingest.kafka;

/**
 * Told when the publisher's memory nears its bound ({@link #pause()}) and when it has drained enough
 * ({@link #resume()}). TCP listeners stop reading ({@code setAutoRead(false)}) between the two, as
 * the last resort before events would be rejected; UDP cannot push back and counts its drops.
 *
 * <p>Calls alternate, starting with {@code pause()}; a listener added while paused gets
 * {@code pause()} at once. They come from any thread (a Netty event loop, the Kafka producer's I/O
 * thread) and must return quickly without blocking.
 */
public interface PressureListener {
    void pause();

    void resume();
}
