package io.auditwatch.ingest.fluentd;

/** Why a Forward request was refused; a closed set, usable as a metric label. */
public enum ForwardError {
    /** The request holds bytes that are not MessagePack, or its values end early. */
    MALFORMED,
    /** An array that is not {@code [tag, time|entries, record|option, option?]} with a string tag. */
    BAD_SHAPE,
    /** A time that is neither an integer, a float nor an EventTime ({@code ext} type 0, 8 bytes). */
    BAD_TIME,
    /** A record that is not a map, or has a non-string key. */
    BAD_RECORD,
    /** An option that is not a map, a chunk id that is not a short string, or an unknown compression. */
    BAD_OPTION,
    /** The request is longer than the maximum frame size. */
    FRAME_TOO_LONG,
    /** More entries than allowed in one request, announced by {@code size} or found. */
    TOO_MANY_ENTRIES,
    /** More fields in one record, or a longer tag or key, than allowed. */
    TOO_LARGE,
    /** Nested arrays or maps in a record deeper than allowed. */
    TOO_DEEP,
    /** A CompressedPackedForward request whose entries inflate past the bound, or are not gzip. */
    BAD_COMPRESSION;

    /** Lower-case label. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
