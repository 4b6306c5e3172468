package io.auditwatch.service;

import io.auditwatch.alerting.AlertingMetrics;
import io.auditwatch.alerting.MeterDoc;
import io.auditwatch.heartbeat.HeartbeatMetrics;
import io.auditwatch.heartbeat.kafka.HeartbeatConsumerMetrics;
import io.auditwatch.heartbeat.NodeNames;
import io.auditwatch.ingest.kafka.KafkaMetrics;
import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.auditwatch.ingest.spool.SpoolMetrics;
import io.auditwatch.service.admin.AdminMetrics;
import io.micrometer.core.instrument.Meter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Renders {@code deploy/prometheus/METRICS.md} from the meter declarations of every module's
 * {@code *Metrics} class; {@link MetricsReferenceTest} fails when the file differs.
 */
public final class MetricsReference {
    /** The file, relative to the ingest module (Surefire's working directory). */
    static final Path FILE = Path.of("..", "deploy", "prometheus", "METRICS.md");
    static final String REGENERATE = "mvn -B -o -q test -pl ingest -am -Dtest=MetricsReferenceTest "
            + "-Dsurefire.failIfNoSpecifiedTests=false -Dauditwatch.metrics.write=true";

    /** Each part's declarations, in the order of the data path, then the service. */
    static final Map<String, List<MeterDoc>> PARTS = parts();

    private static final Pattern TYPE_LINE = Pattern.compile("^# TYPE (\\S+) (\\S+)$", Pattern.MULTILINE);

    private MetricsReference() {
    }

    private static Map<String, List<MeterDoc>> parts() {
        Map<String, List<MeterDoc>> m = new LinkedHashMap<>();
        m.put("Listeners and pipeline (`IngestMetrics`)", IngestMetrics.METERS);
        m.put("Kafka publisher (`KafkaMetrics`)", KafkaMetrics.METERS);
        m.put("Disk spool (`SpoolMetrics`)", SpoolMetrics.METERS);
        m.put("Heartbeat (`HeartbeatMetrics`)", HeartbeatMetrics.METERS);
        m.put("Heartbeat consumer supervision (`HeartbeatConsumerMetrics`)", HeartbeatConsumerMetrics.METERS);
        m.put("Alerting and alert history (`AlertingMetrics`)", AlertingMetrics.METERS);
        m.put("Admin server (`AdminMetrics`)", AdminMetrics.METERS);
        m.put("Data files (`FileModeMetrics`)", FileModeMetrics.METERS);
        return m;
    }

    static List<MeterDoc> all() {
        return PARTS.values().stream().flatMap(List::stream).toList();
    }

    /** The Prometheus type of a declaration's family; timers carry SLO buckets, so they are histograms. */
    static String prometheusType(MeterDoc d) {
        return d.type() == Meter.Type.TIMER ? "histogram" : d.type().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Every family a declaration renders (name to Prometheus type): a timer adds a {@code _max} gauge. */
    static Map<String, String> families(MeterDoc d) {
        Map<String, String> f = new TreeMap<>();
        f.put(d.prometheusName(), prometheusType(d));
        if (d.type() == Meter.Type.TIMER) {
            f.put(d.prometheusName() + "_max", "gauge");
        }
        return f;
    }

    /** The {@code auditwatch_} families of a scrape in the Prometheus text format, name to type. */
    public static Map<String, String> scrapedFamilies(String scrape) {
        Map<String, String> f = new TreeMap<>();
        Matcher m = TYPE_LINE.matcher(scrape);
        while (m.find()) {
            if (m.group(1).startsWith("auditwatch_")) {
                f.put(m.group(1), m.group(2));
            }
        }
        return f;
    }

    static String render() {
        StringBuilder out = new StringBuilder();
        out.append("# auditwatch metrics\n\n")
                .append("<!-- Generated from the *Metrics classes; do not edit. Regenerate with:\n     ")
                .append(REGENERATE).append(" -->\n\n")
                .append("Every meter auditwatch registers, as Prometheus scrapes it from `/metrics` on the admin port.\n")
                .append("Each is declared once, in its part's `*Metrics` class, with a Micrometer dotted name\n")
                .append("(`auditwatch.kafka.publish`); the Prometheus registry renders it with `_`, adds the base unit\n")
                .append("(`_bytes`, `_seconds`) and `_total` for counters. Units are base units. A histogram is\n")
                .append("scraped as `_bucket`, `_count` and `_sum` series plus a `_max` gauge. Label values are closed\n")
                .append("sets; the only open one, `node`, holds tracked node names: every inventory node's pairs and\n")
                .append("at most ").append(HeartbeatMetrics.MAX_LABELLED_ENROLLED_PAIRS)
                .append(" enrolled (node, stream) pairs, each value at most ").append(NodeNames.MAX_LABEL_BYTES)
                .append(" bytes, whatever senders send\n(ingest/README.md, \"Header hygiene\").\n");
        PARTS.forEach((part, meters) -> {
            out.append("\n## ").append(part).append("\n\n")
                    .append("| Name | Type | Unit | Labels | Description |\n")
                    .append("|---|---|---|---|---|\n");
            for (MeterDoc d : meters) {
                String labels = d.tags().isEmpty() ? "" : d.tags().entrySet().stream()
                        .map(e -> "`" + e.getKey() + "`: " + e.getValue())
                        .collect(Collectors.joining("<br>"));
                out.append("| `").append(d.prometheusName()).append("` | ").append(prometheusType(d)).append(" | ")
                        .append(d.unit()).append(" | ").append(cell(labels)).append(" | ").append(cell(d.doc()))
                        .append(" |\n");
            }
        });
        return out.toString();
    }

    /**
     * The {@code auditwatch_} families of a Prometheus text scrape that no declaration renders, or
     * renders with another type: a meter registered outside its {@code *Metrics} class shows here.
     */
    public static Map<String, String> undeclared(String scrape) {
        Map<String, String> declared = new TreeMap<>();
        all().forEach(d -> declared.putAll(families(d)));
        Map<String, String> out = new TreeMap<>();
        scrapedFamilies(scrape).forEach((name, type) -> {
            if (!type.equals(declared.get(name))) {
                out.put(name, type + (declared.containsKey(name) ? ", declared " + declared.get(name) : ", not declared"));
            }
        });
        return out;
    }

    private static String cell(String s) {
        return s.replace("|", "\\|");
    }
}
