package io.auditwatch.ingest.classify;

/**
 * Why a message's text could not be parsed into its stream's full field set. A closed set, so it
 * can be a metric label; the stream was still decided by the cheap checks and the raw bytes are
 * kept unchanged.
 */
public enum ParseShortfall {
    /** Larger than {@link JsonLimits#MAX_DOCUMENT_CHARS}; not handed to the JSON parser at all. */
    JSON_TOO_LARGE("JSON larger than the parse limit"),
    /** Nesting deeper than {@link JsonLimits#MAX_NESTING_DEPTH}. */
    JSON_TOO_DEEP("JSON nested deeper than the parse limit"),
    /** A string value or name longer than {@link JsonLimits#MAX_STRING_CHARS}. */
    JSON_STRING_TOO_LONG("JSON string longer than the parse limit"),
    /** A number longer than {@link JsonLimits#MAX_NUMBER_CHARS}. */
    JSON_NUMBER_TOO_LONG("JSON number longer than the parse limit"),
    /** The text ends before the JSON value does (a lost 16 KiB fragment, a cut datagram). */
    JSON_TRUNCATED("JSON ends before the value closes"),
    /** Not well-formed JSON, or a JSON value that is not an object. */
    JSON_MALFORMED("not a well-formed JSON object"),
    /** JSON parsed, but it lacks the object the stream's shape requires. */
    UNEXPECTED_SHAPE("JSON lacks the expected fields"),
    /** A Linux audit record whose header ({@code type=... msg=audit(...):}) could not be read. */
    AUDIT_MALFORMED("audit record header unreadable"),
    /** A field of an audit or logfmt line without {@code =}, or more fields than the limit. */
    FIELDS_INCOMPLETE("some key=value fields unreadable or over the field limit"),
    /** The classifier itself failed (a bug); the message fell back to {@code other}. */
    INTERNAL_ERROR("classifier failed on this input");

    private final String description;

    ParseShortfall(String description) {
        this.description = description;
    }

    /** A fixed, content-free description suitable for logs. */
    public String description() {
        return description;
    }
}
