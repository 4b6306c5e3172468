package io.auditwatch.service;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of the service's stop, run last-pushed first (the reverse of start-up) within one
 * budget, {@code shutdown.timeout} (deploy/README.md, "Stopping"). The steps run on their own
 * thread; when the budget is spent {@link #run} returns anyway and names the step still running,
 * so the process exits inside its grace period whatever a step waits for.
 */
final class StopSequence {
    private static final Logger LOG = LoggerFactory.getLogger(StopSequence.class);

    private final Deque<AutoCloseable> steps = new ArrayDeque<>();
    /** System.nanoTime() by which {@link #run} returns; set by {@link #begin}. */
    private volatile long deadline;
    private volatile String current;

    /** Adds a step; it runs before every step pushed earlier. */
    void push(AutoCloseable step) {
        steps.push(step);
    }

    /** Adds a step that the last log line calls {@code name} should the budget run out during it. */
    void push(String name, AutoCloseable step) {
        steps.push(new Named(name, step));
    }

    /** Starts the budget's clock. */
    void begin(Duration budget) {
        deadline = System.nanoTime() + budget.toNanos();
    }

    /** What is left of the budget, at most {@code atMost}. */
    Duration remaining(Duration atMost) {
        long left = Math.max(0, deadline - System.nanoTime());
        return Duration.ofNanos(Math.min(left, atMost.toNanos()));
    }

    /**
     * Runs every step until done or until the budget is spent.
     *
     * @return null when every step ended, else the step still running
     */
    String run() {
        Thread runner = new Thread(this::runSteps, "aw-stop");
        runner.setDaemon(true);
        runner.start();
        try {
            runner.join(Math.max(1, remaining(Duration.ofDays(1)).toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return runner.isAlive() ? current : null;
    }

    private void runSteps() {
        while (!steps.isEmpty()) {
            AutoCloseable step = steps.pop();
            current = step instanceof Named ? step.toString()
                    : step.getClass().getName().contains("$$Lambda") ? "a step of the stop (" + (steps.size() + 1) + " left)"
                    : "closing " + step.getClass().getSimpleName();
            try {
                step.close();
            } catch (Exception e) {
                LOG.warn("Error while stopping {}", step, e);
            }
        }
    }

    private record Named(String name, AutoCloseable body) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            body.close();
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
