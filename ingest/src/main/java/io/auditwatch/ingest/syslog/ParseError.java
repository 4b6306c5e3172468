package io.auditwatch.ingest.syslog;

/** Why {@link SyslogParser} marked a frame {@link SyslogFormat#UNPARSED}; bounded, so usable as a metric label. */
public enum ParseError {
    /** The frame has no bytes. */
    EMPTY,
    /** The frame does not start with {@code <}. */
    NO_PRI,
    /** {@code <} is not followed by 1 to 3 digits and {@code >}. */
    BAD_PRI,
    /** PRI above 191 (RFC 5424 section 6.2.1: facility 0..23, severity 0..7). */
    PRI_OUT_OF_RANGE,
    /** An RFC 5424 VERSION other than 1. */
    BAD_VERSION,
    /** A timestamp that is neither NIL, RFC 3339 nor RFC 3164 {@code Mmm dd hh:mm:ss}, or is missing. */
    BAD_TIMESTAMP,
    /** A header field that is empty or not followed by a space. */
    BAD_HEADER,
    /** RFC 5424 STRUCTURED-DATA that is neither NIL nor well-formed SD-ELEMENTs. */
    BAD_STRUCTURED_DATA
}
