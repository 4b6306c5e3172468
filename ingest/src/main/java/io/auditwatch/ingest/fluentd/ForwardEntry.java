package io.auditwatch.ingest.fluentd;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One event of a Forward request.
 *
 * @param time the event time sent (second precision for an integer time, nanoseconds for EventTime)
 * @param record the record's fields in wire order: strings and binaries as UTF-8 text (malformed
 *     sequences replaced by U+FFFD), numbers, booleans and nil as their text, nested maps and arrays
 *     as compact JSON
 * @param utf8Valid false when a string or binary value was not well-formed UTF-8
 * @param raw the event's MessagePack bytes exactly as received: the whole request in Message mode,
 *     the {@code [time, record]} entry otherwise (after decompression)
 */
public record ForwardEntry(Instant time, Map<String, String> record, boolean utf8Valid, byte[] raw) {
    public ForwardEntry {
        Objects.requireNonNull(time, "time");
        record = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(record));
        Objects.requireNonNull(raw, "raw");
    }
}
