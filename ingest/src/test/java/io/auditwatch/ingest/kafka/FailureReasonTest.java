package io.auditwatch.ingest.kafka;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FailureReasonTest {
    @Test
    void timeoutsIncludingAFullProducerBuffer() {
        assertEquals(FailureReason.TIMEOUT, FailureReason.of(new TimeoutException("Expiring 3 record(s)")));
        assertEquals(FailureReason.TIMEOUT, FailureReason.of(new BufferExhaustedException("no memory")));
    }

    @Test
    void leaderChanges() {
        assertEquals(FailureReason.NOT_LEADER, FailureReason.of(new NotLeaderOrFollowerException("moved")));
    }

    @Test
    void authorizationAndAuthentication() {
        assertEquals(FailureReason.AUTHORIZATION, FailureReason.of(new TopicAuthorizationException(Set.of("audit.events"))));
        assertEquals(FailureReason.AUTHORIZATION, FailureReason.of(new SaslAuthenticationException("bad password")));
    }

    @Test
    void oversizedRecords() {
        assertEquals(FailureReason.RECORD_TOO_LARGE, FailureReason.of(new RecordTooLargeException("too big")));
    }

    @Test
    void anythingElse() {
        assertEquals(FailureReason.OTHER, FailureReason.of(new KafkaException("?")));
    }

    @Test
    void labelsAreLowerCase() {
        assertEquals("record_too_large", FailureReason.RECORD_TOO_LARGE.label());
    }
}
