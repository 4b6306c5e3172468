package io.auditwatch.ingest.syslog.bench;

import java.nio.charset.StandardCharsets;

/**
 * Docker-shaped benchmark messages of 250 bytes each: an nginx access-log line from a container whose
 * tag is {@code {{.ImageName}}/{{.Name}}/{{.ID}}}, in each of Docker's formats (ingest/README.md, "Docker's syslog log driver").
 */
final class Messages {

    /** A typical container log line; the size every benchmark in ingest/README.md uses. */
    static final int SIZE = 250;

    private static final String TAG = "nginx:alpine/web/3f2a9c1d0b7e";
    private static final String LINE = "172.17.0.1 - - [23/Nov/2026:17:00:01 +0000] \"GET /api/v1/items?page=2 HTTP/1.1\" 200 512 \"-\" \"curl/8.5.0\" ";

    private Messages() {
    }

    /** Docker {@code rfc5424micro}. */
    static byte[] rfc5424() {
        return padded("<30>1 2026-11-23T17:00:01.616647+00:00 docker-host-01 " + TAG + " 1787791 " + TAG + " - ");
    }

    /** Docker {@code rfc3164}. */
    static byte[] rfc3164() {
        return padded("<30>Nov 23 17:00:01 docker-host-01 " + TAG + "[1787791]: ");
    }

    /** Docker's default format: RFC 3164 without HOSTNAME. */
    static byte[] dockerDefault() {
        return padded("<30>Nov 23 17:00:01 " + TAG + "[1787791]: ");
    }

    private static byte[] padded(String header) {
        StringBuilder s = new StringBuilder(header).append(LINE);
        for (int i = 0; s.length() < SIZE; i++) {
            s.append((char) ('a' + i % 26));
        }
        s.setLength(SIZE);
        return s.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
