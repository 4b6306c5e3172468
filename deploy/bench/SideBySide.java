import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * auditwatch and rsyslog (imtcp / imudp / TLS -> omkafka) side by side, in the same run, against one
 * Kafka broker that runs as its own process, driven by syslog-ng's {@code loggen}. Run by
 * {@code deploy/bench/run}, which documents the options; ingest/README.md, "Side by side with rsyslog",
 * says what each figure means and holds the measured tables.
 *
 * <p>Every case starts its forwarder afresh (new data directory, new topic with LogAppendTime), sends,
 * then counts what landed in the topic. Rates come from the records' LogAppendTime window, CPU from
 * /proc of the forwarder's and the broker's processes, peak RSS from VmHWM, heap from auditwatch's own
 * /metrics, latency from the receive time each forwarder writes into the record to its LogAppendTime.
 */
public final class SideBySide {

    private static final Pattern RECEIVED_AT = Pattern.compile("\"received_at\":\"([^\"]+)\"");
    private static final Pattern HEAP = Pattern.compile("^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\} ([0-9.eE+]+)",
            Pattern.MULTILINE);
    private static final Pattern HEARTBEAT_RECORDS = Pattern.compile("^auditwatch_heartbeat_events_total\\{[^}]*\\} ([0-9.eE+]+)",
            Pattern.MULTILINE);
    private static final Pattern LOGGEN_COUNT = Pattern.compile("count=(\\d+)");
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private final Map<String, String> opt;
    private final Path work;
    private final Path repo;
    private final Path loggen;
    private final int messages;
    private final List<String> rows = new ArrayList<>();
    private final Map<String, Double> rates = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();
    /** Set by --profile: a JFR recording of auditwatch's first TCP maximum-rate case. */
    private final Profile profile;
    private Proc broker;
    private String bootstrap;
    private int topicSeq;
    private int loggenSeq;

    private SideBySide(Map<String, String> opt) {
        this.opt = opt;
        this.work = Path.of(opt.get("work"));
        this.repo = Path.of(opt.get("repo"));
        this.loggen = Path.of(opt.get("loggen"));
        this.messages = Integer.parseInt(opt.get("messages"));
        this.profile = "true".equals(opt.get("profile")) ? new Profile(work.resolve("auditwatch.jfr")) : null;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            opt.put(a.substring(2, eq), a.substring(eq + 1));
        }
        SideBySide b = new SideBySide(opt);
        int status;
        try {
            status = b.run();
        } finally {
            b.stopAll();
        }
        System.exit(status);
    }

    private int run() throws Exception {
        boolean quick = "true".equals(opt.get("quick"));
        List<String> cases = List.of(opt.getOrDefault("cases", "tcp,variants,lf,tls,udp,latency").split(","));
        int[] udpRates = Arrays.stream(opt.getOrDefault("udp-rates", quick ? "5000" : "20000,60000").split(","))
                .mapToInt(Integer::parseInt).toArray();
        startBroker();
        System.out.printf(Locale.ROOT, "%s, %d cores, %d messages of 250 bytes per case%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), messages);
        if (!quick) {
            warmUp();
        }
        header();
        List<Forwarder> tcp = new ArrayList<>();
        if (cases.contains("tcp")) {
            tcp.addAll(List.of(Forwarder.RSYSLOG, Forwarder.SHIPPED));
        }
        if (cases.contains("variants") && !quick) {
            tcp.add(Forwarder.SPOOL_OFF);
            tcp.add(Forwarder.FSYNC_INTERVAL);
        }
        if (cases.contains("producer")) {
            tcp.add(Forwarder.LINGER_20);
            tcp.add(Forwarder.NO_COMPRESSION);
        }
        for (Forwarder f : tcp) {
            maxRate(f, Wire.TCP_COUNTED);
        }
        if (profile != null) {
            // Recorded apart: JFR's own cost must not be in the measured row.
            maxRate(Forwarder.SHIPPED, Wire.TCP_COUNTED, true);
        }
        if (!quick) {
            for (Wire w : List.of(Wire.TCP_LF, Wire.TLS)) {
                if (cases.contains(w == Wire.TLS ? "tls" : "lf")) {
                    maxRate(Forwarder.RSYSLOG, w);
                    maxRate(Forwarder.SHIPPED, w);
                }
            }
        }
        if (cases.contains("udp")) {
            for (int rate : udpRates) {
                udp(Forwarder.RSYSLOG, rate);
                udp(Forwarder.SHIPPED, rate);
            }
        }
        if (cases.contains("latency")) {
            // Every forwarder whose maximum TCP rate this run measured, so the variants show what the tail is made of.
            for (Forwarder f : List.of(Forwarder.RSYSLOG, Forwarder.SHIPPED, Forwarder.SPOOL_OFF, Forwarder.FSYNC_INTERVAL)) {
                Double max = rates.get(f.id + "/" + Wire.TCP_COUNTED.id);
                if (max != null) {
                    latency(f, (int) Math.max(1000, max / 2), quick ? 3 : 20);
                }
            }
        }
        if (opt.containsKey("scale")) {
            for (String n : opt.get("scale").split(",")) {
                scale(Integer.parseInt(n), Integer.parseInt(opt.getOrDefault("nodes", "1000")));
            }
        }
        if (opt.containsKey("soak")) {
            Double max = rates.get(Forwarder.SHIPPED.id + "/" + Wire.TCP_COUNTED.id);
            soak(max == null ? 20_000 : (int) Math.max(1000, max / 2), Duration.parse(opt.get("soak")));
        }
        System.out.println();
        ratio("TCP octet-counted", Wire.TCP_COUNTED);
        if (!quick) {
            ratio("TCP LF", Wire.TCP_LF);
            ratio("TLS", Wire.TLS);
        }
        if (profile != null) {
            System.out.println();
            profile.print();
        }
        if (!failures.isEmpty()) {
            System.out.println();
            failures.forEach(f -> System.out.println("FAILED: " + f));
            return 1;
        }
        return 0;
    }

    // ---- cases ---------------------------------------------------------------------------------

    /**
     * One unreported auditwatch run before the cases: it creates auditwatch's own topics (heartbeat
     * state, liveness, alerts, audit, dead letters) and warms the broker's JIT, which would otherwise
     * be charged to whichever auditwatch case comes first.
     */
    private void warmUp() throws Exception {
        String topic = newTopic();
        try (Running r = start(Forwarder.SHIPPED, topic)) {
            int n = Math.min(messages, 200_000);
            loggen(Wire.TCP_COUNTED, r, n, 10_000_000, 0);
            count(topic, n, false);
        }
    }

    private void maxRate(Forwarder f, Wire wire) throws Exception {
        maxRate(f, wire, false);
    }

    /** @param record with a JFR recording ({@code --profile}): a case of its own, its rate not kept for the ratios */
    private void maxRate(Forwarder f, Wire wire, boolean record) throws Exception {
        String topic = newTopic();
        try (Running r = start(f, topic, record ? profile.file : null)) {
            Cpu before = cpu(r);
            int code = loggen(wire, r, messages, 10_000_000, 0);
            Landed landed = count(topic, messages, false);
            Cpu after = cpu(r);
            double rate = landed.rate();
            if (!record) {
                rates.put(f.id + "/" + wire.id, rate);
            }
            report(f, wire.id, record ? "max, JFR" : "max", landed, before, after, r);
            if (code != 0 || landed.count != messages) {
                failures.add(f.id + " " + wire.id + ": " + landed.count + " of " + messages + " landed (loggen exit " + code + ")");
            }
        }
        if (record) {
            profile.load(); // the JVM wrote the recording when it exited
        }
    }

    private void udp(Forwarder f, int rate) throws Exception {
        String topic = newTopic();
        try (Running r = start(f, topic)) {
            long drops = udpReceiveErrors();
            Cpu before = cpu(r);
            int n = Math.min(messages, rate * 10);
            loggen(Wire.UDP, r, n, rate, 0);
            Landed landed = count(topic, n, false);
            Cpu after = cpu(r);
            report(f, "udp", rate + "/s", landed, before, after, r);
            System.out.printf(Locale.ROOT, "    %-22s sent %,d, lost %,d (%.2f%%), kernel receive-buffer drops %,d%n", "",
                    n, n - landed.count, 100.0 * (n - landed.count) / n, udpReceiveErrors() - drops);
        }
    }

    private void latency(Forwarder f, int rate, int seconds) throws Exception {
        String topic = newTopic();
        try (Running r = start(f, topic)) {
            int n = rate * seconds;
            Cpu before = cpu(r);
            loggen(Wire.TCP_COUNTED, r, n, rate, 0);
            Landed landed = count(topic, n, true);
            Cpu after = cpu(r);
            report(f, "tcp-octet", rate + "/s", landed, before, after, r);
            long[] l = landed.latenciesMicros;
            Arrays.sort(l);
            System.out.printf(Locale.ROOT, "    %-22s receive -> LogAppendTime: p50 %s, p99 %s, p99.9 %s, max %s (%,d records)%n", "",
                    ms(pct(l, 50)), ms(pct(l, 99)), ms(pct(l, 99.9)), ms(l.length == 0 ? -1 : l[l.length - 1]), l.length);
            if (landed.count != n) {
                failures.add(f.id + " latency run: " + landed.count + " of " + n + " landed");
            }
        }
    }

    private void ratio(String what, Wire wire) {
        Double base = rates.get(Forwarder.RSYSLOG.id + "/" + wire.id);
        for (Forwarder f : Forwarder.values()) {
            Double r = rates.get(f.id + "/" + wire.id);
            if (f != Forwarder.RSYSLOG && r != null && base != null && base > 0) {
                System.out.printf(Locale.ROOT, "%-20s %-24s %.2fx rsyslog's msgs/s%n", what, f.id, r / base);
            }
        }
    }

    /**
     * 1, 2, 3... shipped instances on one topic and one broker, each with its own data directory and
     * ports, all in the heartbeat's consumer group; one loggen per instance sends its share of
     * {@code messages} at full rate over LF-framed TCP, from {@code nodes} distinct HOSTNAMEs (so the
     * keys spread over the partitions as an estate's would). Prints the aggregate rate, the CPU of all
     * instances per 1M, and how the heartbeat's records divided between the instances.
     */
    private void scale(int instances, int nodes) throws Exception {
        Path lines = work.resolve("nodes-" + nodes + ".txt");
        if (!Files.exists(lines)) {
            StringBuilder b = new StringBuilder();
            for (int i = 1; i <= nodes; i++) {
                String head = String.format(Locale.ROOT, "<38>1 2026-12-04T00:00:00.000Z node-%05d bench 1234 - - ", i);
                b.append(head).append("x".repeat(250 - head.length())).append('\n');
            }
            Files.writeString(lines, b);
        }
        String topic = newTopic();
        List<Running> running = new ArrayList<>();
        try {
            for (int i = 0; i < instances; i++) {
                running.add(start(Forwarder.SHIPPED, topic, null, i));
            }
            double cpuBefore = 0;
            for (Running r : running) {
                cpuBefore += r.proc.cpuSeconds();
            }
            double brokerBefore = broker.cpuSeconds();
            int share = messages / instances;
            List<Proc> senders = new ArrayList<>();
            for (Running r : running) {
                senders.add(startLoggen(List.of(loggen.toString(), "-Q", "-i", "-S", "-R", lines.toString(), "-d", "-l",
                        "-n", Integer.toString(share), "-r", "10000000", "-I", "3600", "127.0.0.1", Integer.toString(r.tcpPort))));
            }
            for (Proc p : senders) {
                awaitLoggen(p, share);
            }
            Landed landed = count(topic, share * instances, false);
            double cpuAfter = 0;
            for (Running r : running) {
                cpuAfter += r.proc.cpuSeconds();
            }
            // The heartbeat may still be reading when the last record landed: wait until its counts stand still.
            StringBuilder division = new StringBuilder();
            String previous = null;
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); System.nanoTime() < deadline; ) {
                division.setLength(0);
                for (Running r : running) {
                    division.append(' ').append(String.format(Locale.ROOT, "%,.0f", r.heartbeatRecords()));
                }
                if (division.toString().equals(previous)) {
                    break;
                }
                previous = division.toString();
                TimeUnit.SECONDS.sleep(2); // a polling period, not synchronisation
            }
            double perMillion = landed.count == 0 ? Double.NaN : 1e6 / landed.count;
            String row = String.format(Locale.ROOT, "%-24s %-10s %-8s %,12.0f %,10d %14.2f %14.2f", "auditwatch x " + instances,
                    "tcp-lf", nodes + " nodes", landed.rate(), landed.count, (cpuAfter - cpuBefore) * perMillion,
                    (broker.cpuSeconds() - brokerBefore) * perMillion);
            rows.add(row);
            System.out.println(row);
            System.out.println("    " + " ".repeat(22) + " records judged by each instance's heartbeat:" + division);
            if (landed.count != (long) share * instances) {
                failures.add("scale x" + instances + ": " + landed.count + " of " + share * instances + " landed");
            }
        } finally {
            for (Running r : running) {
                r.close();
            }
        }
    }

    /**
     * The shipped configuration at a fixed rate for a long time: heap (peak of the 500 ms samples) and
     * resident memory per minute, to show whether memory stays flat.
     */
    private void soak(int rate, Duration length) throws Exception {
        String topic = newTopic();
        try (Running r = start(Forwarder.SHIPPED, topic)) {
            int n = (int) Math.min(Integer.MAX_VALUE, rate * length.toSeconds());
            Thread minutes = new Thread(() -> {
                for (int minute = 1; !Thread.currentThread().isInterrupted(); minute++) {
                    try {
                        TimeUnit.MINUTES.sleep(1); // a sampling period, not synchronisation
                    } catch (InterruptedException e) {
                        return;
                    }
                    System.out.printf(Locale.ROOT, "    soak minute %2d: peak heap %s, RSS %s%n", minute,
                            mib(r.heap.getAndSet(0)), mib(r.proc.rssKib() * 1024));
                }
            }, "soak-minutes");
            minutes.setDaemon(true);
            Cpu before = cpu(r);
            minutes.start();
            loggen(Wire.TCP_COUNTED, r, n, rate, 0);
            minutes.interrupt();
            Landed landed = count(topic, n, false);
            Cpu after = cpu(r);
            report(Forwarder.SHIPPED, "tcp-octet", rate + "/s soak", landed, before, after, r);
            if (landed.count != n) {
                failures.add("soak: " + landed.count + " of " + n + " landed");
            }
        }
    }

    private static String mib(long bytes) {
        return bytes <= 0 ? "-" : (bytes >> 20) + " MiB";
    }

    /**
     * Where auditwatch spends its CPU, from a JFR recording's execution samples: by thread, by the
     * method on top of the stack (self time), and by each auditwatch class anywhere on the stack
     * (inclusive time).
     */
    private static final class Profile {
        final Path file;
        private final Map<String, Integer> threads = new java.util.HashMap<>();
        private final Map<String, Integer> self = new java.util.HashMap<>();
        private final Map<String, Integer> inclusive = new java.util.HashMap<>();
        private int samples;

        Profile(Path file) {
            this.file = file;
        }

        void load() throws IOException {
            samples = 0;
            if (!Files.exists(file)) {
                return;
            }
            for (jdk.jfr.consumer.RecordedEvent e : jdk.jfr.consumer.RecordingFile.readAllEvents(file)) {
                if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                    continue;
                }
                samples++;
                jdk.jfr.consumer.RecordedThread t = e.getThread("sampledThread");
                String thread = t == null || t.getJavaName() == null ? "?" : t.getJavaName().replaceAll("\\d+", "#");
                threads.merge(thread, 1, Integer::sum);
                List<jdk.jfr.consumer.RecordedFrame> frames = e.getStackTrace().getFrames();
                if (!frames.isEmpty()) {
                    self.merge(name(frames.get(0)), 1, Integer::sum);
                }
                java.util.Set<String> seen = new java.util.HashSet<>();
                for (jdk.jfr.consumer.RecordedFrame f : frames) {
                    String type = f.getMethod().getType().getName();
                    if (type.startsWith("io.auditwatch.") && !type.contains("$$Lambda") && seen.add(type)) {
                        inclusive.merge(type.substring(type.lastIndexOf('.') + 1), 1, Integer::sum);
                    }
                }
            }
        }

        private static String name(jdk.jfr.consumer.RecordedFrame f) {
            String type = f.getMethod().getType().getName();
            return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
        }

        void print() {
            System.out.printf(Locale.ROOT, "Profile of auditwatch shipped tcp-octet max (%,d execution samples, JFR, %s)%n",
                    samples, file);
            top("by thread", threads, 8);
            top("by auditwatch class on the stack (inclusive)", inclusive, 15);
            top("by method on top of the stack (self)", self, 20);
        }

        private void top(String title, Map<String, Integer> counts, int n) {
            System.out.println("  " + title + ":");
            counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(n)
                    .forEach(en -> System.out.printf(Locale.ROOT, "    %5.1f%%  %s%n",
                            100.0 * en.getValue() / Math.max(1, samples), en.getKey()));
        }
    }

    // ---- output --------------------------------------------------------------------------------

    private static void header() {
        System.out.printf(Locale.ROOT, "%-24s %-10s %-8s %12s %10s %14s %14s %10s %10s%n", "forwarder", "wire", "load",
                "msgs/s", "landed", "fwd CPU s/1M", "broker CPU/1M", "peak RSS", "peak heap");
    }

    private void report(Forwarder f, String wire, String load, Landed landed, Cpu before, Cpu after, Running r) {
        double perMillion = landed.count == 0 ? Double.NaN : 1e6 / landed.count;
        String row = String.format(Locale.ROOT, "%-24s %-10s %-8s %,12.0f %,10d %14.2f %14.2f %8d M %8s", f.id, wire, load,
                landed.rate(), landed.count, (after.forwarder - before.forwarder) * perMillion,
                (after.broker - before.broker) * perMillion, r.proc.peakRssKib() / 1024,
                r.heap == null ? "-" : r.heap.get() / (1024 * 1024) + " M");
        rows.add(row);
        System.out.println(row);
    }

    private static long pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static String ms(long micros) {
        return micros < 0 ? "-" : String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
    }

    // ---- forwarders ----------------------------------------------------------------------------

    enum Forwarder {
        RSYSLOG("rsyslog"),
        SHIPPED("auditwatch shipped"),
        SPOOL_OFF("auditwatch spool off"),
        FSYNC_INTERVAL("auditwatch fsync 1s"),
        /** Producer settings other than the shipped ones (ingest/README.md, "Producer settings"), by a properties file. */
        LINGER_20("auditwatch linger 20ms"),
        NO_COMPRESSION("auditwatch uncompressed");

        final String id;

        Forwarder(String id) {
            this.id = id;
        }
    }

    enum Wire {
        TCP_COUNTED("tcp-octet"), TCP_LF("tcp-lf"), TLS("tls"), UDP("udp");

        final String id;

        Wire(String id) {
            this.id = id;
        }
    }

    private final class Running implements AutoCloseable {
        final Proc proc;
        final int tcpPort;
        final int tlsPort;
        final int udpPort;
        final AtomicLong heap;
        final Thread sampler;

        final int adminPort;

        Running(Proc proc, int tcpPort, int tlsPort, int udpPort, int adminPort) {
            this.proc = proc;
            this.adminPort = adminPort;
            this.tcpPort = tcpPort;
            this.tlsPort = tlsPort;
            this.udpPort = udpPort;
            this.heap = adminPort > 0 ? new AtomicLong() : null;
            this.sampler = adminPort > 0 ? new Thread(() -> sampleHeap(adminPort), "heap-sampler") : null;
            if (sampler != null) {
                sampler.setDaemon(true);
            }
        }

        /** The sum of auditwatch_heartbeat_events_total on this instance's /metrics. */
        double heartbeatRecords() {
            String metrics = http("http://127.0.0.1:" + adminPort + "/metrics");
            return metrics == null ? 0 : sum(HEARTBEAT_RECORDS, metrics);
        }

        private void sampleHeap(int adminPort) {
            while (!Thread.currentThread().isInterrupted()) {
                String metrics = http("http://127.0.0.1:" + adminPort + "/metrics");
                if (metrics != null) {
                    heap.accumulateAndGet((long) sum(HEAP, metrics), Math::max);
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(500); // a sampling period, not synchronisation
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        public void close() {
            if (sampler != null) {
                sampler.interrupt();
            }
            proc.stop();
        }
    }

    private Running start(Forwarder f, String topic) throws Exception {
        return start(f, topic, null);
    }

    /** @param jfr where auditwatch writes a JFR recording ("profile" settings) when it exits, or null */
    private Running start(Forwarder f, String topic, Path jfr) throws Exception {
        return start(f, topic, jfr, 0);
    }

    /** @param instance 0, or the number of one of several instances on the same topic (own folder and ports) */
    private Running start(Forwarder f, String topic, Path jfr, int instance) throws Exception {
        Path dir = Files.createDirectories(work.resolve(instance == 0 ? topic : topic + "-" + instance));
        int tcp = freePort();
        int tls = freePort();
        int udp = freeUdpPort();
        if (f == Forwarder.RSYSLOG) {
            Path conf = dir.resolve("rsyslog.conf");
            Files.writeString(conf, rsyslogConf(dir, topic, tcp, tls, udp));
            Proc p = Proc.start(List.of(opt.get("rsyslogd"), "-n", "-f", conf.toString(), "-i", dir.resolve("pid").toString()),
                    dir.resolve("rsyslog.log"), Map.of());
            waitForPort(p, tcp);
            waitForPort(p, tls);
            return new Running(p, tcp, tls, udp, 0);
        }
        int admin = freePort();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AUDITWATCH_DATA_DIR", dir.resolve("data").toString());
        env.put("AUDITWATCH_KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("AUDITWATCH_KAFKA_TOPIC", topic);
        env.put("AUDITWATCH_LISTENERS_TCP_HOST", "127.0.0.1");
        env.put("AUDITWATCH_LISTENERS_TCP_PORT", Integer.toString(tcp));
        env.put("AUDITWATCH_LISTENERS_UDP_HOST", "127.0.0.1");
        env.put("AUDITWATCH_LISTENERS_UDP_PORT", Integer.toString(udp));
        env.put("AUDITWATCH_LISTENERS_TLS_HOST", "127.0.0.1");
        env.put("AUDITWATCH_LISTENERS_TLS_PORT", Integer.toString(tls));
        env.put("AUDITWATCH_LISTENERS_TLS_CERT_FILE", work.resolve("pki/server.pem").toString());
        env.put("AUDITWATCH_LISTENERS_TLS_KEY_FILE", work.resolve("pki/server.key").toString());
        env.put("AUDITWATCH_ADMIN_PORT", Integer.toString(admin));
        env.put("AUDITWATCH_ALERTING_OUTBOX_DIR", dir.resolve("outbox").toString());
        if (f == Forwarder.SPOOL_OFF) {
            env.put("AUDITWATCH_SPOOL_ENABLED", "false");
        } else if (f == Forwarder.FSYNC_INTERVAL) {
            env.put("AUDITWATCH_SPOOL_FSYNC", "interval");
        } else if (f == Forwarder.LINGER_20 || f == Forwarder.NO_COMPRESSION) {
            Path props = dir.resolve("producer.properties");
            Files.writeString(props, f == Forwarder.LINGER_20 ? "linger.ms=20\nbatch.size=524288\n" : "compression.type=none\n");
            env.put("AUDITWATCH_KAFKA_CLIENT_PROPERTIES_FILE", props.toString());
        }
        List<String> cmd = new ArrayList<>(List.of(opt.get("java"), "-Xmx" + opt.get("heap"), "-XX:+ExitOnOutOfMemoryError"));
        if (jfr != null) {
            cmd.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=" + jfr);
        }
        cmd.addAll(List.of("-jar", opt.get("jar"), "run", "--config", repo.resolve("config/auditwatch.yaml").toString()));
        Proc p = Proc.start(cmd, dir.resolve("auditwatch.log"), env);
        waitForReady(p, admin);
        Running r = new Running(p, tcp, tls, udp, admin);
        r.sampler.start();
        return r;
    }

    private String rsyslogConf(Path dir, String topic, int tcp, int tls, int udp) {
        Path pki = work.resolve("pki");
        return """
                global(workDirectory="%s"
                       defaultNetstreamDriverCAFile="%s"
                       defaultNetstreamDriverCertFile="%s"
                       defaultNetstreamDriverKeyFile="%s")
                module(load="imtcp")
                input(type="imtcp" port="%d" address="127.0.0.1")
                input(type="imtcp" port="%d" address="127.0.0.1" streamDriver.name="gtls" streamDriver.mode="1"
                      streamDriver.authMode="anon")
                module(load="imudp")
                input(type="imudp" port="%d" address="127.0.0.1")
                module(load="omkafka")
                template(name="bench" type="string" string="%%timegenerated:::date-rfc3339%% %%rawmsg%%")
                action(type="omkafka" broker=["%s"] topic="%s" template="bench" resubmitOnFailure="on"
                       confParam=["request.required.acks=-1", "enable.idempotence=true",
                                  "queue.buffering.max.messages=1000000"])
                """.formatted(dir, pki.resolve("ca.pem"), pki.resolve("server.pem"), pki.resolve("server.key"),
                tcp, tls, udp, bootstrap, topic);
    }

    private int loggen(Wire wire, Running r, int n, int rate, int connections) throws Exception {
        // loggen stops after -I seconds (10 by default) even when -n is not reached yet.
        List<String> cmd = new ArrayList<>(List.of(loggen.toString(), "-Q", "-s", "250", "-n", Integer.toString(n),
                "-r", Integer.toString(rate), "-I", "3600"));
        int port = r.tcpPort;
        switch (wire) {
            case TCP_COUNTED -> cmd.addAll(List.of("-i", "-S", "-P"));
            case TCP_LF -> cmd.addAll(List.of("-i", "-S", "-P", "-F"));
            case TLS -> {
                // loggen's ssl plugin is a transport of its own: -i or -S beside it is "2 plugins activated".
                cmd.addAll(List.of("-U", "-P"));
                port = r.tlsPort;
            }
            case UDP -> {
                // No octet count inside a datagram: RFC 5426.
                cmd.addAll(List.of("-i", "-D", "-P", "-F"));
                port = r.udpPort;
            }
        }
        cmd.addAll(List.of("127.0.0.1", Integer.toString(port)));
        return awaitLoggen(startLoggen(cmd), n);
    }

    private Proc startLoggen(List<String> cmd) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        if (opt.containsKey("syslog-ng-prefix")) {
            env.put("SYSLOGNG_PREFIX", opt.get("syslog-ng-prefix") + "/usr");
            env.put("LD_LIBRARY_PATH", opt.get("syslog-ng-prefix") + "/usr/lib/syslog-ng");
        }
        return Proc.start(cmd, work.resolve("loggen-" + topicSeq + "-" + (++loggenSeq) + ".log"), env);
    }

    /** loggen's exit code, or -1 (and a failure) when it did not send all {@code n} messages. */
    private int awaitLoggen(Proc p, int n) throws Exception {
        int code = p.await(Duration.ofMinutes(30));
        Matcher sent = LOGGEN_COUNT.matcher(Files.readString(p.log));
        if (code == 0 && !(sent.find() && Long.parseLong(sent.group(1)) == n)) {
            failures.add("loggen did not send " + n + " messages, see " + p.log);
            return -1;
        }
        return code;
    }

    // ---- Kafka ---------------------------------------------------------------------------------

    private void startBroker() throws Exception {
        Path dir = Files.createDirectories(work.resolve("broker"));
        int port = freePort();
        int controller = freePort();
        bootstrap = "127.0.0.1:" + port;
        Path conf = dir.resolve("server.properties");
        Files.writeString(conf, String.join("\n",
                "node.id=1", "process.roles=broker,controller",
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "controller.quorum.voters=1@127.0.0.1:" + controller,
                "log.dirs=" + dir.resolve("data"),
                "offsets.topic.replication.factor=1", "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1", "group.initial.rebalance.delay.ms=0", ""));
        String cp = opt.get("kafka-libs") + "/*";
        List<String> jvm = List.of(opt.get("java"), "-Xmx1g", "-Xms1g",
                "-Dlog4j2.configurationFile=" + repo.resolve("deploy/local/kafka/log4j2.properties"), "-cp", cp);
        List<String> format = new ArrayList<>(jvm);
        format.addAll(List.of("kafka.tools.StorageTool", "format", "--ignore-formatted",
                "--cluster-id", "5L6g3nShT-eMCtK--X86sw", "--config", conf.toString()));
        int code = Proc.start(format, dir.resolve("format.log"), Map.of()).await(Duration.ofMinutes(2));
        if (code != 0) {
            throw new IllegalStateException("kafka-storage format failed, see " + dir.resolve("format.log"));
        }
        List<String> run = new ArrayList<>(jvm);
        run.addAll(List.of("kafka.Kafka", conf.toString()));
        broker = Proc.start(run, dir.resolve("broker.log"), Map.of());
        waitForPort(broker, port);
        try (Admin admin = admin()) {
            admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
        }
    }

    private Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(p);
    }

    /** A fresh topic per case, partitioned like the shipped configuration, stamped by the broker. */
    private String newTopic() throws Exception {
        String topic = "bench-" + (++topicSeq);
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 6, (short) 1)
                    .configs(Map.of("message.timestamp.type", "LogAppendTime",
                            // auditwatch refuses a topic that cannot hold its largest record (its size budget)
                            "max.message.bytes", "8388608"))))
                    .all().get(60, TimeUnit.SECONDS);
        }
        return topic;
    }

    /**
     * Reads the topic from the start until {@code expected} records are there, or nothing new arrived
     * for the idle time (what is missing then is lost).
     */
    private Landed count(String topic, int expected, boolean latencies) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        Duration idle = Duration.parse(opt.get("idle"));
        long[] lat = latencies ? new long[expected] : new long[0];
        long count = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo i : c.partitionsFor(topic)) {
                parts.add(new TopicPartition(topic, i.partition()));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            long lastProgress = System.nanoTime();
            while (count < expected && System.nanoTime() - lastProgress < idle.toNanos()) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    long appended = r.timestamp();
                    first = Math.min(first, appended);
                    last = Math.max(last, appended);
                    if (latencies && count < lat.length) {
                        Instant received = receivedAt(r.value());
                        lat[(int) count] = received == null ? -1
                                : TimeUnit.MILLISECONDS.toMicros(appended) - TimeUnit.SECONDS.toMicros(received.getEpochSecond())
                                        - received.getNano() / 1000;
                    }
                    count++;
                    lastProgress = System.nanoTime();
                }
            }
        }
        long[] kept = latencies ? Arrays.stream(lat, 0, (int) Math.min(count, lat.length)).filter(v -> v >= 0).toArray() : lat;
        return new Landed(count, first, last, kept);
    }

    /** auditwatch's envelope field, or rsyslog's template prefix (timegenerated, RFC 3339). */
    private static Instant receivedAt(byte[] value) {
        String head = new String(value, 0, Math.min(value.length, 2048), StandardCharsets.UTF_8);
        Matcher m = RECEIVED_AT.matcher(head);
        try {
            if (m.find()) {
                return Instant.parse(m.group(1));
            }
            int sp = head.indexOf(' ');
            return sp > 0 ? OffsetDateTime.parse(head.substring(0, sp)).toInstant() : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private record Landed(long count, long firstAppend, long lastAppend, long[] latenciesMicros) {
        double rate() {
            long windowMs = lastAppend - firstAppend;
            return count < 2 || windowMs <= 0 ? Double.NaN : (count - 1) * 1000.0 / windowMs;
        }
    }

    // ---- processes -----------------------------------------------------------------------------

    private record Cpu(double forwarder, double broker) {
    }

    private Cpu cpu(Running r) {
        return new Cpu(r.proc.cpuSeconds(), broker.cpuSeconds());
    }

    private static final class Proc {
        private static final List<Proc> ALL = new ArrayList<>();
        final Process process;
        final Path log;

        private Proc(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        static synchronized Proc start(List<String> cmd, Path log, Map<String, String> env) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(env);
            Proc p = new Proc(pb.start(), log);
            ALL.add(p);
            return p;
        }

        int await(Duration max) throws InterruptedException {
            if (!process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS)) {
                stop();
                throw new IllegalStateException("did not finish within " + max + ": " + process.info().commandLine().orElse(""));
            }
            return process.exitValue();
        }

        /** utime + stime of the process, in seconds. */
        double cpuSeconds() {
            try {
                String stat = String.join(" ", Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "stat")));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) TICKS_PER_SECOND;
            } catch (IOException | RuntimeException e) {
                return Double.NaN;
            }
        }

        long rssKib() {
            return status("VmRSS:");
        }

        long peakRssKib() {
            return status("VmHWM:");
        }

        private long status(String field) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                    if (line.startsWith(field)) {
                        return Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // gone
            }
            return -1;
        }

        void stop() {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private void stopAll() {
        List<Proc> all;
        synchronized (Proc.class) {
            all = new ArrayList<>(Proc.ALL);
        }
        for (int i = all.size() - 1; i >= 0; i--) {
            all.get(i).stop();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static int freeUdpPort() throws IOException {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Polls until the port accepts a connection; gives up when the process ends or after two minutes. */
    private static void waitForPort(Proc p, int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline && p.process.isAlive()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                TimeUnit.MILLISECONDS.sleep(100); // polling interval
            }
        }
        throw new IllegalStateException("port " + port + " never opened; see " + p.log);
    }

    private static void waitForReady(Proc p, int adminPort) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline && p.process.isAlive()) {
            if (http("http://127.0.0.1:" + adminPort + "/ready") != null) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(200); // polling interval
        }
        throw new IllegalStateException("auditwatch never became ready; see " + p.log);
    }

    /** The sum of the values of every sample {@code series} (value in its group 1) matches on a /metrics page. */
    private static double sum(Pattern series, String metrics) {
        Matcher m = series.matcher(metrics);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    /** The body of a 200 answer, or null. */
    private static String http(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(5000);
            if (c.getResponseCode() != 200) {
                return null;
            }
            try (InputStream in = c.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            return null;
        }
    }

    /** InErrors + RcvbufErrors of the Udp line of /proc/net/snmp: datagrams the kernel dropped. */
    private static long udpReceiveErrors() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"));
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).startsWith("Udp:") && lines.get(i + 1).startsWith("Udp:")) {
                List<String> names = List.of(lines.get(i).split("\\s+"));
                String[] values = lines.get(i + 1).split("\\s+");
                return Long.parseLong(values[names.indexOf("RcvbufErrors")]);
            }
        }
        return -1;
    }
}
