package io.auditwatch.ingest.syslog;

/** Which header layout {@link SyslogParser} recognised in a frame. */
public enum SyslogFormat {
    /** {@code <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG]}: Docker {@code rfc5424} and {@code rfc5424micro}, rsyslog, logger. */
    RFC5424,
    /**
     * {@code <PRI>TIMESTAMP HOSTNAME TAG[PID]: MSG}: Docker {@code rfc3164}, rsyslog, logger; also with an
     * RFC 3339 timestamp (rsyslog templates, Go's {@code DefaultFormatter} with a space after PRI).
     */
    RFC3164,
    /**
     * RFC 3164 without HOSTNAME, {@code <30>Nov 23 17:00:01 app/3f2a9c1d[1234]: msg}: Docker's default
     * {@code syslog-format} (srslog {@code UnixFormatter}), busybox syslogd. The node must be identified
     * otherwise (TLS identity, source address).
     */
    DOCKER_DEFAULT,
    /**
     * No syslog header: one event of Docker's fluentd driver (Fluentd Forward protocol). The fields
     * come from its record and tag; the envelope's {@code docker} object has the container's.
     */
    FLUENTD,
    /** No syslog header: one GELF message (Docker's gelf driver); the fields come from its JSON. */
    GELF,
    /** No header could be read; {@link SyslogMessage#error()} says why. The raw bytes are still kept by the caller. */
    UNPARSED
}
