package io.auditwatch.service;

import io.auditwatch.service.admin.OutageRow;
import io.auditwatch.service.admin.StatusView;
import io.auditwatch.service.report.Reports;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last {@link StatusView#OUTAGE_DAYS} days' outages for {@code /status}, read from the alert history by a
 * scheduled {@link #refresh()} so that a page load never waits on Kafka. Null until the first read and
 * while the history cannot be read.
 */
final class RecentOutages implements Supplier<List<OutageRow>> {
    private static final Logger LOG = LoggerFactory.getLogger(RecentOutages.class);
    /** How often the history is read again: an outage is on the page within a minute of its alert. */
    static final Duration REFRESH = Duration.ofMinutes(1);

    private final Reports reports;
    private final Clock clock;
    private final AtomicReference<List<OutageRow>> last = new AtomicReference<>();

    RecentOutages(Reports reports, Clock clock) {
        this.reports = reports;
        this.clock = clock;
    }

    void refresh() {
        Instant now = clock.instant();
        try {
            last.set(reports.outages(now.minus(Duration.ofDays(StatusView.OUTAGE_DAYS)), now).stream()
                    .map(o -> new OutageRow(o.node(), o.kind(), o.summary(), o.detected(), o.alerted(), o.resolved(),
                            o.mailed()))
                    .toList());
        } catch (RuntimeException e) {
            last.set(null);
            LOG.warn("status page outages: alert history not read ({})", e.toString());
        }
    }

    @Override
    public List<OutageRow> get() {
        return last.get();
    }
}
