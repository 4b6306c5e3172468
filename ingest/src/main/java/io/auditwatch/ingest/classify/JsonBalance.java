package io.auditwatch.ingest.classify;

/**
 * Tracks, byte by byte, whether text that began with <code>&#123;</code> or {@code [} has closed its
 * outermost value: bracket depth outside strings, with backslash escapes. Works on UTF-8 bytes
 * directly, since every structural byte is ASCII and no byte of a multi-byte UTF-8 sequence is.
 * Not a validator: it only answers "could this JSON text be complete here".
 */
final class JsonBalance {
    private boolean started;
    private boolean json;
    private boolean closed;
    private boolean inString;
    private boolean escaped;
    private int depth;

    /** Feeds the next bytes of the text. */
    void feed(byte[] b) {
        for (byte x : b) {
            if (!started) {
                if (x == ' ' || x == '\t' || x == '\r' || x == '\n') {
                    continue;
                }
                started = true;
                json = x == '{' || x == '[';
                if (!json) {
                    return;
                }
                depth = 1;
                continue;
            }
            if (!json) {
                return;
            }
            if (closed) {
                if (x != ' ' && x != '\t' && x != '\r' && x != '\n') {
                    json = false;
                    closed = false;
                    return;
                }
                continue;
            }
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (x == '\\') {
                    escaped = true;
                } else if (x == '"') {
                    inString = false;
                }
            } else if (x == '"') {
                inString = true;
            } else if (x == '{' || x == '[') {
                depth++;
            } else if (x == '}' || x == ']') {
                depth--;
                if (depth == 0) {
                    closed = true;
                }
            }
        }
    }

    /** True when the text so far is one JSON object or array whose outermost bracket has closed. */
    boolean closed() {
        return json && closed;
    }
}
