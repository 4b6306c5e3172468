package io.auditwatch.ingest.syslog;

/**
 * How one syslog frame was delimited on the wire (RFC 6587 section 3.4, RFC 5425 section 4.3,
 * RFC 5426). Decided per frame, never per connection, because senders such as rsyslog switch
 * framing on one connection after a reconnect.
 */
public enum Framing {
    /** {@code MSG-LEN SP SYSLOG-MSG} (RFC 6587 section 3.4.1, RFC 5425); Docker's {@code tcp+tls}. */
    OCTET_COUNTING,
    /** Non-transparent framing with an LF trailer (RFC 6587 section 3.4.2); Docker's plain TCP. */
    LF,
    /** Non-transparent framing with a CR LF trailer; the CR is not part of the frame. */
    CRLF,
    /** Non-transparent framing with a NUL trailer (RFC 6587 section 3.4.2, Graylog's null delimiter). */
    NUL,
    /** The last frame of a connection that closed before its trailer (or before all counted octets) arrived. */
    EOF,
    /** One UDP or unixgram datagram, one message (RFC 5426 section 3.1); for GELF also its reassembled chunks. */
    DATAGRAM,
    /** One MessagePack request of the Fluentd Forward protocol, self-delimiting. */
    MSGPACK
}
