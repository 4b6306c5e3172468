package io.auditwatch.ingest.syslog;

import java.util.Objects;

/**
 * One RFC 5424 SD-PARAM. {@code value} has the escapes {@code \"}, {@code \\} and {@code \]} resolved
 * (RFC 5424 section 6.3.3); a backslash before any other character is kept, as the RFC requires.
 */
public record SdParam(String name, String value) {
    public SdParam {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
