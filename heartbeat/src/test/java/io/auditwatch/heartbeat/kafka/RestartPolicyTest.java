package io.auditwatch.heartbeat.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {

    @Test
    void theBackOffDoublesFromOneSecondAndStopsAtOneMinute() {
        RestartPolicy p = RestartPolicy.giveUpAfter(8);
        assertEquals(Duration.ofSeconds(1), p.backoff(1));
        assertEquals(Duration.ofSeconds(2), p.backoff(2));
        assertEquals(Duration.ofSeconds(32), p.backoff(6));
        assertEquals(Duration.ofMinutes(1), p.backoff(7));
        assertEquals(Duration.ofMinutes(1), p.backoff(Integer.MAX_VALUE));
    }

    @Test
    void itGivesUpAtTheLimitNotBefore() {
        RestartPolicy p = RestartPolicy.giveUpAfter(3);
        assertFalse(p.givenUp(2));
        assertTrue(p.givenUp(3));
        assertTrue(p.givenUp(4));
    }

    @Test
    void aLimitBelowOneOrAnInvertedBackOffIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> RestartPolicy.giveUpAfter(0));
        assertThrows(IllegalArgumentException.class,
                () -> new RestartPolicy(Duration.ofSeconds(10), Duration.ofSeconds(1), 3));
    }
}
