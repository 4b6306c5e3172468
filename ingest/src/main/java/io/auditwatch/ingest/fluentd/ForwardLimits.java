package io.auditwatch.ingest.fluentd;

/**
 * The bounds a Forward request is held to; every count and length a client sends is checked against
 * one of these before anything is allocated for it.
 *
 * @param maxFrameBytes longest request on the wire
 * @param maxEntries most events in one request ({@code size} option or found)
 * @param maxInflatedBytes most bytes a CompressedPackedForward request's entries may inflate to
 * @param maxFields most fields in one record
 * @param maxDepth deepest nesting of maps and arrays inside a record value
 */
public record ForwardLimits(int maxFrameBytes, int maxEntries, int maxInflatedBytes, int maxFields, int maxDepth) {

    /**
     * 4 MiB: Docker sends one event per request, at most a 16 KiB piece of a line plus the container's
     * fields; Fluent Bit's and Fluentd's forward outputs send chunks of up to about 1-2 MiB by default.
     */
    public static final int DEFAULT_MAX_FRAME_BYTES = 4 << 20;
    /** Fluent Bit's chunks hold a few thousand small events; 100,000 bounds the per-event bookkeeping. */
    public static final int DEFAULT_MAX_ENTRIES = 100_000;
    /** 16 MiB: four times the frame bound, about what gzip gains on log text; past it is a bomb. */
    public static final int DEFAULT_MAX_INFLATED_BYTES = 16 << 20;
    /** Docker sends 4 to 8 fields plus the labels and env named by log-opts. */
    public static final int DEFAULT_MAX_FIELDS = 1024;
    /** Docker's values are flat strings; 32 levels is far beyond any structured log and far below the stack. */
    public static final int DEFAULT_MAX_DEPTH = 32;
    /** A tag or key longer than this is no tag: Docker's tag templates expand to well under 1 KiB. */
    public static final int MAX_NAME_BYTES = 4096;
    /** A chunk id is Base64 of 128 bits (24 characters) by the specification; some clients send UUIDs. */
    public static final int MAX_CHUNK_BYTES = 128;

    public static final ForwardLimits DEFAULTS = new ForwardLimits(DEFAULT_MAX_FRAME_BYTES, DEFAULT_MAX_ENTRIES,
            DEFAULT_MAX_INFLATED_BYTES, DEFAULT_MAX_FIELDS, DEFAULT_MAX_DEPTH);

    public ForwardLimits {
        if (maxFrameBytes < 1024 || maxEntries < 1 || maxInflatedBytes < 1024 || maxFields < 1 || maxDepth < 1) {
            throw new IllegalArgumentException("limits too small: " + maxFrameBytes + " frame bytes, " + maxEntries
                    + " entries, " + maxInflatedBytes + " inflated bytes, " + maxFields + " fields, depth " + maxDepth);
        }
    }
}
