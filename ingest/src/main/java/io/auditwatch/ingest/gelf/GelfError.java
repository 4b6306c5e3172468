package io.auditwatch.ingest.gelf;

/** Why a GELF message or chunk was refused; a closed set, usable as a metric label. */
public enum GelfError {
    /** A chunk header that is short, numbers a chunk at or past its count, or counts more than 128. */
    BAD_CHUNK,
    /** A chunk whose count differs from the first chunk's of the same message id. */
    CHUNK_COUNT_CHANGED,
    /** Chunks that did not all arrive within the reassembly timeout. */
    CHUNKS_TIMED_OUT,
    /** Chunks dropped to stay within the bound on messages or bytes held for reassembly. */
    CHUNKS_EVICTED,
    /** A payload that inflates past the message size bound (a decompression bomb). */
    TOO_LARGE,
    /** A payload that claims gzip or zlib and does not inflate. */
    BAD_COMPRESSION,
    /** A payload that is not one JSON object with a string {@code short_message} and {@code host}. */
    BAD_JSON;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
