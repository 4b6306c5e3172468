package io.auditwatch.ingest.pipeline;

import io.auditwatch.ingest.envelope.DockerLog;
import io.auditwatch.ingest.fluentd.ForwardEntry;
import io.auditwatch.ingest.gelf.GelfMessage;
import io.auditwatch.ingest.syslog.Framing;
import io.auditwatch.ingest.syslog.SyslogFormat;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One container line as Docker's fluentd or gelf driver sent it, mapped onto the fields the syslog
 * path uses (ingest/README.md, "Docker's fluentd and gelf drivers", has the table).
 *
 * @param format {@link SyslogFormat#FLUENTD} or {@link SyslogFormat#GELF}
 * @param framing how the event was delimited on the wire
 * @param tag the tag (the classifier reads it like a syslog TAG: Docker's default is the container ID)
 * @param hostname the sender's host name (gelf {@code host}); null for fluentd, which sends none
 * @param severity 6 for stdout, 3 for stderr, as Docker's syslog driver; -1 when unknown
 * @param eventTime the driver's timestamp, or null
 * @param message the line, without its newline
 * @param utf8Valid false when the driver sent bytes that are not UTF-8
 * @param raw the event's bytes as received (MessagePack for fluentd, the JSON for gelf)
 * @param docker the container's fields
 */
public record DockerLine(SyslogFormat format, Framing framing, String tag, String hostname, int severity,
        Instant eventTime, String message, boolean utf8Valid, byte[] raw, DockerLog docker) {

    /** Syslog severities Docker uses for the two streams (its syslog and gelf drivers agree). */
    static final int STDOUT_SEVERITY = 6;
    static final int STDERR_SEVERITY = 3;

    private static final Set<String> FLUENTD_FIELDS = Set.of("container_id", "container_name", "source", "log",
            "partial_message", "partial_id", "partial_ordinal", "partial_last");
    private static final Set<String> GELF_FIELDS = Set.of("container_id", "container_name", "image_id", "image_name",
            "tag");

    /**
     * One event of a Forward request from Docker's fluentd driver: {@code log} is the line,
     * {@code source} the stream; with {@code partial_message} the piece's place in its line.
     */
    public static DockerLine fromFluentd(String tag, ForwardEntry e, String chunk) {
        Map<String, String> r = e.record();
        String source = r.get("source");
        Map<String, String> extra = new LinkedHashMap<>(r);
        extra.keySet().removeAll(FLUENTD_FIELDS);
        DockerLog.Partial partial = null;
        if ("true".equals(r.get("partial_message")) && r.get("partial_id") != null) {
            partial = new DockerLog.Partial(r.get("partial_id"), ordinal(r.get("partial_ordinal")),
                    "true".equals(r.get("partial_last")));
        }
        DockerLog docker = new DockerLog("fluentd", source, r.get("container_id"), r.get("container_name"), null, null,
                tag, chunk, partial, extra);
        String log = r.getOrDefault("log", "");
        return new DockerLine(SyslogFormat.FLUENTD, Framing.MSGPACK, tag, null, severity(source), e.time(), log,
                e.utf8Valid(), e.raw(), docker);
    }

    /** A GELF message from Docker's gelf driver: {@code short_message} is the line, {@code level} the stream. */
    public static DockerLine fromGelf(GelfMessage m, Framing framing) {
        Map<String, String> a = m.additional();
        String source = m.level() == STDOUT_SEVERITY ? "stdout" : m.level() == STDERR_SEVERITY ? "stderr" : null;
        Map<String, String> extra = new LinkedHashMap<>(a);
        extra.keySet().removeAll(GELF_FIELDS);
        if (m.fullMessage() != null) {
            extra.put("full_message", m.fullMessage());
        }
        DockerLog docker = new DockerLog("gelf", source, a.get("container_id"), a.get("container_name"),
                a.get("image_name"), a.get("image_id"), a.get("tag"), null, null, extra);
        return new DockerLine(SyslogFormat.GELF, framing, a.get("tag"), m.host(), m.level(), m.timestamp(),
                m.shortMessage(), m.utf8Valid(), m.raw(), docker);
    }

    /** The pieces of one Docker line are told apart from other lines by tag and stream. */
    String reassemblyKey() {
        return tag + "\u0000" + severity;
    }

    List<String> flags() {
        return docker.partial() != null ? List.of("partial") : List.of();
    }

    private static int severity(String source) {
        return "stdout".equals(source) ? STDOUT_SEVERITY : "stderr".equals(source) ? STDERR_SEVERITY : -1;
    }

    private static int ordinal(String s) {
        try {
            return s == null ? 0 : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
