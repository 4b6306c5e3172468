package io.auditwatch.service;

import io.auditwatch.ingest.envelope.EnvelopeCodec;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load for the fault tests: one TCP connection sending, for one node, RFC 5424 lines (octet-counted)
 * whose last word is a sequence number from 0, one every {@link #INTERVAL}, until closed; so what
 * arrives can be checked for loss, duplicates and order.
 */
final class PacedSender implements AutoCloseable {
    /** 50 lines a second per node: enough that every fault happens under load. */
    static final Duration INTERVAL = Duration.ofMillis(20);

    private final AtomicBoolean sending = new AtomicBoolean(true);
    private final AtomicInteger sent = new AtomicInteger();
    private final CompletableFuture<Void> loop;

    PacedSender(String host, int port, String node, String run) {
        loop = CompletableFuture.runAsync(() -> {
            try (Socket socket = new Socket(host, port)) {
                OutputStream out = socket.getOutputStream();
                while (sending.get()) {
                    String line = "<30>1 " + Instant.now() + " " + node + " app 1 - - " + run + " " + sent.get();
                    byte[] bytes = line.getBytes(UTF_8);
                    out.write((bytes.length + " " + line).getBytes(UTF_8));
                    out.flush();
                    sent.incrementAndGet();
                    Thread.sleep(INTERVAL.toMillis()); // pacing the load, not synchronisation
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    int sent() {
        return sent.get();
    }

    /** Waits until {@code more} further lines were written. */
    void awaitMoreSent(int more, Duration timeout) {
        int from = sent.get();
        await().atMost(timeout).until(() -> sent.get() >= from + more);
    }

    /** The sequence number of an envelope this sender's line became. */
    static int sequence(JsonNode envelope) {
        String[] words = EnvelopeCodec.message(envelope).split(" ");
        return Integer.parseInt(words[words.length - 1]);
    }

    /** Stops sending; rethrows what stopped the connection early, if anything did. */
    @Override
    public void close() {
        sending.set(false);
        loop.join();
    }
}
