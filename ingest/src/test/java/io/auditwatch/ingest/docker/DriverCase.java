package io.auditwatch.ingest.docker;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One way of pointing Docker's syslog driver at auditwatch: a transport, a {@code syslog-format}
 * and a tag template, with what auditwatch must make of it. The wire layouts are moby's format
 * strings (ingest/README.md, "Docker's syslog log driver"), so the expected raw bytes are built from them and compared with
 * what the real engine sent.
 *
 * @param transport the {@code syslog-address} scheme
 * @param format the {@code syslog-format}
 * @param nameAndIdTag true for {@code tag={{.Name}}/{{.ID}}}, false for Docker's default {@code {{.ID}}}
 */
record DriverCase(Transport transport, Format format, boolean nameAndIdTag) {

    /** Facility {@code daemon} (3), Docker's default: PRI = 3 * 8 + severity. */
    static final int FACILITY_DAEMON = 3;
    /** {@code writer.Info()} for stdout. */
    static final int SEVERITY_STDOUT = 6;
    /** {@code writer.Err()} for stderr. */
    static final int SEVERITY_STDERR = 3;

    enum Transport {
        UDP("udp", "udp"), TCP("tcp", "tcp"), TLS("tcp+tls", "tls");

        final String scheme;
        /** The envelope's {@code source.transport}. */
        final String envelopeId;

        Transport(String scheme, String envelopeId) {
            this.scheme = scheme;
            this.envelopeId = envelopeId;
        }
    }

    enum Format {
        /** {@code srslog.UnixFormatter}: {@code "<%d>%s %s[%d]: %s"}, time.Stamp, no HOSTNAME. */
        DEFAULT("", "docker_default", "[A-Z][a-z]{2} [ 1-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9]"),
        /** {@code srslog.RFC3164Formatter}: {@code "<%d>%s %s %s[%d]: %s"}, time.Stamp. */
        RFC3164("rfc3164", "rfc3164", "[A-Z][a-z]{2} [ 1-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9]"),
        /** {@code "<%d>%d %s %s %s %d %s - %s"} with time.RFC3339: whole seconds, local offset. */
        RFC5424("rfc5424", "rfc5424",
                "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})"),
        /**
         * Same layout with microseconds. Docker 20.10.24 writes always six digits
         * ({@code .000000}, e.g. {@code 18:55:21.559470Z}); older moby wrote {@code .999999}, which
         * trims trailing zeros and the dot: accept both.
         */
        RFC5424MICRO("rfc5424micro", "rfc5424",
                "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})");

        /** The {@code syslog-format} value; empty means the option is left out. */
        final String option;
        /** The envelope's {@code format}. */
        final String envelopeFormat;
        final Pattern timestamp;

        Format(String option, String envelopeFormat, String timestamp) {
            this.option = option;
            this.envelopeFormat = envelopeFormat;
            this.timestamp = Pattern.compile(timestamp);
        }

        boolean hasHostname() {
            return this != DEFAULT;
        }

        /** The message moby's formatter writes, without the LF its writer appends. */
        String wire(int severity, String timestamp, String hostname, String tag, long pid, String msg) {
            int pri = FACILITY_DAEMON * 8 + severity;
            return switch (this) {
                case DEFAULT -> "<" + pri + ">" + timestamp + " " + tag + "[" + pid + "]: " + msg;
                case RFC3164 -> "<" + pri + ">" + timestamp + " " + hostname + " " + tag + "[" + pid + "]: " + msg;
                case RFC5424, RFC5424MICRO ->
                        "<" + pri + ">1 " + timestamp + " " + hostname + " " + tag + " " + pid + " " + tag + " - " + msg;
            };
        }
    }

    /** Every transport with every format; the UDP row uses Docker's default tag, the others {{.Name}}/{{.ID}}. */
    static List<DriverCase> all() {
        List<DriverCase> all = new ArrayList<>();
        for (Transport t : Transport.values()) {
            for (Format f : Format.values()) {
                all.add(new DriverCase(t, f, t != Transport.UDP));
            }
        }
        return all;
    }

    /** Container name, also a valid marker fragment: {@code aw-tls-rfc5424micro}. */
    String name() {
        return "aw-" + transport.envelopeId + "-" + (format == Format.DEFAULT ? "default" : format.option);
    }

    /**
     * Framing as auditwatch reports it: Docker's {@code tcp+tls} uses octet counting for the
     * RFC 5424 formats only ({@code RFC5425MessageLengthFramer}), LF framing everywhere else on TCP.
     */
    String framing() {
        return switch (transport) {
            case UDP -> "datagram";
            case TCP -> "lf";
            case TLS -> format == Format.RFC5424 || format == Format.RFC5424MICRO ? "octet_counting" : "lf";
        };
    }

    @Override
    public String toString() {
        return transport.scheme + " " + (format == Format.DEFAULT ? "default" : format.option)
                + (nameAndIdTag ? " tag={{.Name}}/{{.ID}}" : " tag={{.ID}}");
    }
}
