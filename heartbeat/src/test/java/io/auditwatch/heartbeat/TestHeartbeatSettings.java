package io.auditwatch.heartbeat;

import java.time.Duration;
import java.util.EnumSet;

/**
 * The heartbeat settings tests start from. The values are the tests' own (they happen to match the
 * shipped defaults, which only the service's configuration table defines); a test that depends on
 * one sets it with a {@code with...} copy.
 */
public final class TestHeartbeatSettings {
    private TestHeartbeatSettings() {
    }

    public static HeartbeatSettings standard() {
        return new HeartbeatSettings(Duration.ofMinutes(15), Duration.ofMinutes(5), UnknownNodePolicy.ENROL,
                EnumSet.allOf(Stream.class), Duration.ofMinutes(5), 100_000, Duration.ofSeconds(5),
                Duration.ofMinutes(5), 10_000);
    }
}
