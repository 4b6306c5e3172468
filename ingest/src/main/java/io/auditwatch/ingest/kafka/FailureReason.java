package io.auditwatch.ingest.kafka;

import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.LeaderNotAvailableException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;

import java.util.Locale;

/**
 * Why a send failed, bucketed to a fixed set so the {@code reason} label stays bounded; the
 * exception itself goes to the (rate-limited) log.
 */
enum FailureReason {
    /** No answer in time: metadata wait ({@code max.block.ms}) or delivery ({@code delivery.timeout.ms}). */
    TIMEOUT,
    /** The partition has no leader here right now (election, broker restart). */
    NOT_LEADER,
    /** The cluster refused who we are or what we asked (ACLs, SASL, TLS identity). */
    AUTHORIZATION,
    /** Bigger than the producer's {@code max.request.size} or the topic's {@code max.message.bytes}. */
    RECORD_TOO_LARGE,
    /** The broker refused the record itself (e.g. a compacted topic and a record it cannot key). */
    INVALID_RECORD,
    /** Not delivered because the publisher was closing and its deadline passed. */
    SHUTDOWN,
    /** Anything else; the log line names the exception. */
    OTHER;

    /**
     * Whether Kafka will refuse the record again however often it is sent: the record goes to the
     * dead-letter topic instead (ingest/README.md, "Dead letters").
     */
    boolean refusedForGood() {
        return this == RECORD_TOO_LARGE || this == AUTHORIZATION || this == INVALID_RECORD;
    }

    /** The label value: lower case with underscores, as in Prometheus. */
    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static FailureReason of(Throwable t) {
        if (t instanceof TimeoutException) {
            return TIMEOUT;
        }
        if (t instanceof NotLeaderOrFollowerException || t instanceof LeaderNotAvailableException) {
            return NOT_LEADER;
        }
        if (t instanceof AuthorizationException || t instanceof AuthenticationException) {
            return AUTHORIZATION;
        }
        if (t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException) {
            return RECORD_TOO_LARGE;
        }
        if (t instanceof InvalidRecordException) {
            return INVALID_RECORD;
        }
        if (t instanceof InterruptException || t instanceof InterruptedException) {
            return SHUTDOWN;
        }
        return OTHER;
    }
}
