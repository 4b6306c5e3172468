package io.auditwatch.ingest.fluentd;

/**
 * The four carrier modes of the Fluentd Forward Protocol v1 ("Event Modes"), told apart by the
 * type of a request's second element. Docker's fluentd driver sends only {@link #MESSAGE}.
 */
public enum ForwardMode {
    /** {@code [tag, time, record, option?]}: one event. */
    MESSAGE,
    /** {@code [tag, [[time, record], ...], option?]}. */
    FORWARD,
    /** {@code [tag, bin|str, option?]}: the entries as concatenated MessagePack. */
    PACKED_FORWARD,
    /** {@code [tag, bin, {"compressed": "gzip", ...}]}: the same, gzipped (possibly several gzip members). */
    COMPRESSED_PACKED_FORWARD
}
