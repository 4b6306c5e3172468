package io.auditwatch.service.report;

import io.auditwatch.heartbeat.kafka.HeartbeatConsumer;
import io.auditwatch.service.config.Config;
import io.auditwatch.service.config.KafkaClientProperties;
import io.auditwatch.service.config.Keys;
import io.auditwatch.service.kafka.KafkaAlertHistory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The assessor report (ingest/README.md, "Assessor report"): read the alert history, heartbeat state and
 * operator-audit topics with bounded reads ({@link TopicSnapshot}) and render the result. The same on the
 * command line ({@code auditwatch report}) and on the admin server ({@code GET /api/report}).
 */
public final class Reports {
    /** The period when none is given: the 30 days before now, what an assessor usually asks for. */
    public static final Duration DEFAULT_PERIOD = Duration.ofDays(30);

    private final Map<String, Object> clientConfig;
    private final String operatorTopic;
    private final ReportBuilder builder;
    private final Clock clock;
    private final int maxRecords;
    private final Duration timeout;

    Reports(Map<String, Object> clientConfig, String operatorTopic, List<String> isso, List<String> sa, Clock clock,
            int maxRecords, Duration timeout) {
        this.clientConfig = Map.copyOf(clientConfig);
        this.operatorTopic = operatorTopic;
        this.builder = new ReportBuilder(isso, sa);
        this.clock = clock;
        this.maxRecords = maxRecords;
        this.timeout = timeout;
    }

    /**
     * @param bootstrapServers the cluster the service writes to (the embedded broker's address when it has
     *     none configured)
     */
    public static Reports of(Config config, String bootstrapServers, Clock clock) {
        Map<String, Object> c = new LinkedHashMap<>(KafkaClientProperties.read(config));
        c.put("bootstrap.servers", bootstrapServers);
        return new Reports(c, config.get(Keys.KAFKA_OPERATOR_AUDIT_TOPIC), config.get(Keys.ALERT_ISSO),
                config.get(Keys.ALERT_SA), clock, TopicSnapshot.MAX_RECORDS, TopicSnapshot.TIMEOUT);
    }

    /** The cluster a command-line report reads: the configured one, else the local embedded broker. */
    public static String bootstrapServers(Config config) {
        List<String> bootstrap = config.get(Keys.KAFKA_BOOTSTRAP);
        return bootstrap.isEmpty() ? "127.0.0.1:" + config.get(Keys.KAFKA_EMBEDDED_PORT) : String.join(",", bootstrap);
    }

    /** The report of {@code [from, to)}. */
    public AssessorReport report(Instant from, Instant to) {
        ReportBuilder.Inputs in = new ReportBuilder.Inputs(read(KafkaAlertHistory.TOPIC),
                read(HeartbeatConsumer.STATE_TOPIC), read(operatorTopic));
        return builder.build(in, from, to, clock.instant());
    }

    /** Outages (of nodes and of auditwatch) that overlap {@code [from, to)}, from the alert history only. */
    public List<AssessorReport.Outage> outages(Instant from, Instant to) {
        TopicSnapshot none = new TopicSnapshot("", false, List.of(), true, "");
        AssessorReport r = builder.build(new ReportBuilder.Inputs(read(KafkaAlertHistory.TOPIC), none,
                new TopicSnapshot(operatorTopic, false, List.of(), true, "")), from, to, clock.instant());
        return java.util.stream.Stream.concat(r.nodes().stream().flatMap(n -> n.outages().stream()),
                r.pipelineOutages().stream()).sorted(java.util.Comparator.comparing(AssessorReport.Outage::detected)).toList();
    }

    private TopicSnapshot read(String topic) {
        return TopicSnapshot.read(clientConfig, topic, maxRecords, timeout);
    }

    public static byte[] render(AssessorReport report, ReportFormat format) {
        return switch (format) {
            case JSON -> ReportJson.render(report);
            case HTML -> ReportHtml.render(report).getBytes(StandardCharsets.UTF_8);
            case CSV -> ReportCsv.render(report).getBytes(StandardCharsets.UTF_8);
        };
    }

    /**
     * The period of {@code from} and {@code to} as given (each null when not given): {@code to} defaults to
     * {@code now}, {@code from} to {@link #DEFAULT_PERIOD} before {@code to}.
     *
     * @throws IllegalArgumentException for a bound of neither form, or {@code from} not before {@code to}
     */
    public static AssessorReport.Period period(String from, String to, Instant now) {
        Instant end = to == null ? now : parseBound("to", to);
        Instant start = from == null ? end.minus(DEFAULT_PERIOD) : parseBound("from", from);
        if (!start.isBefore(end)) {
            throw new IllegalArgumentException("from must be before to: " + start + " / " + end);
        }
        return new AssessorReport.Period(start, end);
    }

    /** The report of {@code period}. */
    public AssessorReport report(AssessorReport.Period period) {
        return report(period.from(), period.to());
    }

    /**
     * A period bound as given on the command line or in the query: an ISO-8601 instant
     * ({@code 2026-11-01T00:00:00Z}) or a date ({@code 2026-11-01}, its start in UTC).
     *
     * @throws IllegalArgumentException naming the parameter and the expected forms
     */
    static Instant parseBound(String name, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e2) {
                throw new IllegalArgumentException(name + " must be an ISO-8601 instant (2026-11-01T00:00:00Z) or a date "
                        + "(2026-11-01), got: " + text);
            }
        }
    }
}
