package io.auditwatch.ingest.envelope.bench;

import io.auditwatch.ingest.classify.Classification;
import io.auditwatch.ingest.classify.Classifier;
import io.auditwatch.ingest.envelope.Envelope;
import io.auditwatch.ingest.envelope.NodeSource;
import io.auditwatch.ingest.envelope.Transport;
import io.auditwatch.ingest.syslog.Framing;
import io.auditwatch.ingest.syslog.SyslogMessage;
import io.auditwatch.ingest.syslog.SyslogParser;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The envelopes the envelope benchmarks encode, built the way the ingest pipeline builds them (parsed, classified). */
final class Envelopes {

    private Envelopes() {
    }

    /** A typical container log line over TLS, 250 bytes: Docker {@code rfc5424micro}, an nginx access-log line. */
    static Envelope container250() {
        return envelope(padded("<30>1 2026-11-23T17:00:01.616647+00:00 docker-host-01 nginx:alpine/web/3f2a9c1d0b7e 1787791 "
                    + "nginx:alpine/web/3f2a9c1d0b7e - 172.17.0.1 - - [23/Nov/2026:17:00:01 +0000] "
                    + "\"GET /api/v1/items?page=2 HTTP/1.1\" 200 512 \"-\" \"curl/8.5.0\" ", 250));
    }

    /**
     * An auditd SYSCALL record of a watch hit as audisp-syslog sends it (RFC 3164), its MSG copied
     * from src/test/resources/classify/auditd-captured-enriched.log (auditd 3.0.9, ENRICHED, with the
     * 0x1D separator): classified with its fields.
     */
    static Envelope auditdWithFields() {
        return envelope(("<86>Nov 23 17:00:01 node-7 audisp-syslog: node=aw-sandbox type=SYSCALL "
                + "msg=audit(1795458557.164:4): arch=c000003e syscall=59 success=yes exit=0 a0=558316dba550 "
                + "a1=558316dba5f0 a2=558316d9db70 a3=a3c94b37bfb2dd5d items=2 ppid=10984 pid=10992 auid=4294967295 "
                + "uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm=\"dockerd\" "
                + "exe=\"/tmp/aw-audit/bin/dockerd\" key=\"docker\"\u001dARCH=x86_64 SYSCALL=execve AUID=\"unset\" "
                + "UID=\"root\" GID=\"root\" EUID=\"root\" SUID=\"root\" FSUID=\"root\" EGID=\"root\" SGID=\"root\" "
                + "FSGID=\"root\"").getBytes(StandardCharsets.UTF_8));
    }

    /** One full Docker piece: a 16 KiB container line in RFC 5424 (the line Docker cuts longer ones at). */
    static Envelope container16k() {
        return envelope(padded("<30>1 2026-11-23T17:00:01.616647+00:00 docker-host-01 app/worker/3f2a9c1d0b7e 1787791 "
                    + "app/worker/3f2a9c1d0b7e - {\"level\":\"info\",\"msg\":\"batch done\",\"items\":[", 16 * 1024));
    }

    /** The envelope the pipeline builds for {@code raw} received over TLS (ingest/README.md, "The envelope"). */
    private static Envelope envelope(byte[] raw) {
        SyslogMessage m = SyslogParser.parse(raw);
        Classification c = new Classifier().classify(m.appName(), m.hostname(), m.msg());
        Instant received = Instant.parse("2026-11-23T17:00:01.842Z");
        return new Envelope(UUID.fromString("01a20959-adb2-7d74-9a16-ef49da064c4d"), received, "docker-host-01",
                NodeSource.CERTIFICATE, c.stream(), Transport.TLS, "tls", "10.20.0.17", 51234, "docker-host-01",
                Framing.OCTET_COUNTING, false, -1, m, m.eventTime(received, null), c, List.of(), raw, List.of(),
                null, null);
    }

    /** {@code header} followed by ASCII letters up to {@code size} bytes. */
    private static byte[] padded(String header, int size) {
        StringBuilder s = new StringBuilder(header);
        for (int i = 0; s.length() < size; i++) {
            s.append((char) ('a' + i % 26));
        }
        s.setLength(size);
        return s.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
