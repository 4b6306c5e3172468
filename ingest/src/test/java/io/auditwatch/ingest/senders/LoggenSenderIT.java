package io.auditwatch.ingest.senders;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.service.TestService;
import io.auditwatch.ingest.envelope.EnvelopeCodec;
import io.auditwatch.ingest.transport.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * syslog-ng's {@code loggen} (Debian's syslog-ng-core) as a real sender: several connections,
 * thousands of numbered messages, over TCP with syslog-protocol octet counting, TCP with LF framing,
 * TLS and UDP. Every message must land in {@code audit.events} exactly once. Skipped when loggen is
 * absent; {@code .ci/run} unpacks it to /opt/syslog-ng-core.
 */
class LoggenSenderIT {
    static Path loggen;
    static int tlsPort;
    static String lastOutput = "";

    @RegisterExtension
    static final TestService service = TestService.configuredBy(dir -> {
        loggen = SenderProcess.loggen();
        assumeTrue(loggen != null, "loggen is not installed (.ci/run unpacks Debian's syslog-ng-core to /opt/syslog-ng-core)");
        TestPki pki = new TestPki(dir);
        pki.ca("ca");
        pki.leaf("server", "ca", "auditwatch.test", "DNS:auditwatch.test,IP:127.0.0.1");
        tlsPort = TestService.freeTcpPort();
        return TestService.tlsListener(tlsPort, pki.file("server.crt"), pki.file("server.key"), null);
    });

    @Test
    void tcpSyslogProtocolOctetCountedFromFourConnections() throws Exception {
        // -P: RFC 5424 with a BOM before MSG, octet counting whose count includes the trailing LF.
        run("tcp-5424", 4, 5000, 2500, "--inet", "--stream", "--syslog-proto", Integer.toString(service.tcpPort()));
        List<JsonNode> got = awaitAll(e -> e.at("/source/transport").asText().equals("tcp")
                && e.get("framing").asText().equals("octet_counting"), 4, 5000);
        JsonNode first = got.get(0);
        assertEquals("rfc5424", first.get("format").asText());
        assertTrue(first.at("/syslog/bom").asBoolean(), first.toString());
        assertEquals("prg00000", first.at("/syslog/app_name").asText());
        // loggen says HOSTNAME "localhost": no identity, so the sender's address decides.
        assertEquals("127.0.0.1", first.get("node").asText());
        assertEquals("address", first.get("node_source").asText());
        assertTrue(first.get("raw").asText().startsWith("<38>1 "), first.toString());
    }

    @Test
    void tcpLegacyFormatLfFramed() throws Exception {
        // Without -P: "<38>2026-12-01T21:22:44 localhost prg00000[1234]: seq: ..." framed by LF.
        run("tcp-lf", 1, 3000, 3000, "--inet", "--stream", Integer.toString(service.tcpPort()));
        List<JsonNode> got = awaitAll(e -> e.at("/source/transport").asText().equals("tcp")
                && e.get("framing").asText().equals("lf"), 1, 3000);
        JsonNode first = got.get(0);
        assertEquals("rfc3164", first.get("format").asText(), first.toString());
        assertEquals("prg00000", first.at("/syslog/app_name").asText());
        assertEquals("1234", first.at("/syslog/proc_id").asText());
    }

    @Test
    void tlsFromTwoConnections() throws Exception {
        // The ssl plugin is TCP by itself; adding --inet would start the socket plugin too.
        run("tls", 2, 3000, 3000, "--use-ssl", "--syslog-proto", Integer.toString(tlsPort));
        List<JsonNode> got = awaitAll(e -> e.at("/source/transport").asText().equals("tls"), 2, 3000);
        assertEquals("octet_counting", got.get(0).get("framing").asText());
    }

    @Test
    void udpDatagrams() throws Exception {
        // A modest rate: the kernel may drop datagrams a busy CI machine cannot read in time, and
        // /proc/net/snmp says how many; everything the kernel delivered must be in Kafka.
        long dropsBefore = UdpDrops.receiveBufferErrors();
        run("udp", 1, 1000, 1000, "--inet", "--dgram", Integer.toString(service.udpPort()));
        Predicate<JsonNode> udp = e -> e.at("/source/transport").asText().equals("udp");
        long kernelDrops = UdpDrops.receiveBufferErrors() - dropsBefore;
        List<JsonNode> got = kernelDrops == 0 ? awaitAll(udp, 1, 1000) : awaitAtLeast(udp, 1000 - kernelDrops);
        assertEquals("datagram", got.get(0).get("framing").asText());
    }

    /** Runs loggen to the end: {@code connections} x {@code perConnection} messages at {@code rate}/s each. */
    private static void run(String name, int connections, int perConnection, int rate, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(loggen.toString(), "--quiet",
                "--active-connections=" + connections, "--number=" + perConnection, "--rate=" + rate, "--size=300"));
        List<String> rest = new ArrayList<>(List.of(args));
        cmd.addAll(rest.subList(0, rest.size() - 1));
        cmd.add("127.0.0.1");
        cmd.add(rest.get(rest.size() - 1));
        try (SenderProcess p = SenderProcess.start(cmd, service.dir().resolve("loggen-" + name + ".log"))) {
            assertEquals(0, p.await(120), "loggen failed: " + p.output());
            lastOutput = p.output();
            // loggen exits 0 also when it could not connect or start; it says so on stderr.
            assertFalse(lastOutput.contains("error ["), "loggen reported an error: " + lastOutput);
        }
    }

    /**
     * Waits until the envelopes matching {@code which} cover every (thread, seq) loggen sent, then
     * checks that none came twice.
     */
    private static List<JsonNode> awaitAll(Predicate<JsonNode> which, int threads, int perThread) {
        Map<String, Integer> seen = new HashMap<>();
        List<JsonNode> matching = new ArrayList<>();
        awaitDistinct(which, threads * perThread, seen, matching);
        assertEquals(threads * perThread, seen.size(), "distinct messages");
        assertEquals(threads * perThread, matching.size(), "envelopes (a duplicate would make more)");
        for (int t = 0; t < threads; t++) {
            for (int s = 0; s < perThread; s++) {
                assertEquals(1, seen.getOrDefault(key(t, s), 0), "thread " + t + " seq " + s);
            }
        }
        return matching;
    }

    private static List<JsonNode> awaitAtLeast(Predicate<JsonNode> which, long count) {
        Map<String, Integer> seen = new HashMap<>();
        List<JsonNode> matching = new ArrayList<>();
        awaitDistinct(which, count, seen, matching);
        assertEquals(seen.size(), matching.size(), "no duplicates");
        return matching;
    }

    /** Reads until {@code count} distinct loggen messages match {@code which}; says what arrived when they do not. */
    private static void awaitDistinct(Predicate<JsonNode> which, long count, Map<String, Integer> seen, List<JsonNode> matching) {
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                collect(which, seen, matching);
                return seen.size() >= count;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(seen.size() + " of " + count + " loggen messages arrived; "
                    + envelopes.size() + " envelopes in all, the last: " + (envelopes.isEmpty() ? "-" : envelopes.get(envelopes.size() - 1))
                    + "; loggen said: " + lastOutput, e);
        }
    }

    /** Every envelope read so far, decoded once. */
    private static final List<JsonNode> envelopes = new ArrayList<>();

    private static void collect(Predicate<JsonNode> which, Map<String, Integer> seen, List<JsonNode> matching) {
        List<ConsumerRecord<byte[], byte[]>> all = service.events().poll();
        for (int i = envelopes.size(); i < all.size(); i++) {
            envelopes.add(EnvelopeCodec.read(all.get(i).value()));
        }
        seen.clear();
        matching.clear();
        for (JsonNode e : envelopes) {
            if (e.at("/syslog/app_name").asText().equals("prg00000") && which.test(e)) {
                matching.add(e);
                seen.merge(messageKey(EnvelopeCodec.message(e)), 1, Integer::sum);
            }
        }
    }

    /** "thread/seq" of a loggen message "seq: 0000000012, thread: 0003, runid: ...". */
    static String messageKey(String message) {
        int seq = message.indexOf("seq: ");
        int thread = message.indexOf("thread: ");
        if (seq < 0 || thread < 0) {
            return "unreadable: " + message;
        }
        return key(Integer.parseInt(message.substring(thread + 8, thread + 12)),
                Integer.parseInt(message.substring(seq + 5, seq + 15)));
    }

    static String key(int thread, int seq) {
        return thread + "/" + seq;
    }
}
