package io.auditwatch.ingest.spool;

import io.auditwatch.alerting.AlertEvent;
import io.auditwatch.alerting.AlertKind;
import io.auditwatch.alerting.AlertSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The spool's pipeline alerts: {@link AlertKind#DISK_NEARLY_FULL} when the fill reaches
 * {@code spool.alert-fill}, {@link AlertKind#SPOOL_FULL} when an append has to wait for room. Both
 * resolve when the fill drops {@link #HYSTERESIS} below the alert level, so an outage that keeps the
 * spool at its edge does not send a mail per freed segment.
 */
final class SpoolAlerts {
    private static final Logger log = LoggerFactory.getLogger(SpoolAlerts.class);

    /** Five points of fill: about three segments, well more than one segment freed at a time. */
    static final double HYSTERESIS = 0.05;

    static final String KEY = "spool";

    private final AlertSink sink;
    private final Clock clock;
    private final SpoolSettings settings;
    private boolean nearlyFull;
    private volatile boolean full;

    SpoolAlerts(AlertSink sink, Clock clock, SpoolSettings settings) {
        this.sink = sink;
        this.clock = clock;
        this.settings = settings;
    }

    boolean fullFiring() {
        return full;
    }

    /**
     * An append is waiting for room now; called by the appender.
     *
     * @param diskShortfall null when the spool is at {@code spool.max-bytes}; what is short when its
     *     disk is full or below its free-space floor
     */
    synchronized void full(SpoolHealth h, String diskShortfall) {
        if (!full) {
            full = true;
            if (diskShortfall == null) {
                log.error("Spool full ({} of {} bytes): TCP reads pause and UDP datagrams are dropped until Kafka"
                        + " catches up", h.bytes(), h.capacityBytes());
                send(AlertKind.SPOOL_FULL, AlertEvent.Status.FIRING, "auditwatch spool is full: TCP senders are held"
                        + " back, UDP messages are dropped", h);
            } else {
                log.error("Spool cannot write: {}. TCP reads pause and UDP datagrams are dropped until there is space",
                        diskShortfall);
                send(AlertKind.SPOOL_FULL, AlertEvent.Status.FIRING, "auditwatch spool's disk is full (" + diskShortfall
                        + "): TCP senders are held back, UDP messages are dropped", h);
            }
        }
    }

    /** Re-evaluates the levels; called periodically. */
    synchronized void update(SpoolHealth h, boolean waitingForRoom) {
        double fill = h.fill();
        double resolveBelow = settings.alertFill() - HYSTERESIS;
        if (!nearlyFull && fill >= settings.alertFill()) {
            nearlyFull = true;
            log.warn("Spool {}% full ({} of {} bytes): Kafka is not keeping up", Math.round(fill * 100), h.bytes(),
                    h.capacityBytes());
            send(AlertKind.DISK_NEARLY_FULL, AlertEvent.Status.FIRING, "auditwatch spool is "
                    + Math.round(fill * 100) + "% full", h);
        } else if (nearlyFull && fill < resolveBelow) {
            nearlyFull = false;
            log.info("Spool down to {}% full", Math.round(fill * 100));
            send(AlertKind.DISK_NEARLY_FULL, AlertEvent.Status.RESOLVED, "auditwatch spool is down to "
                    + Math.round(fill * 100) + "% full", h);
        }
        if (full && !waitingForRoom && fill < resolveBelow) {
            full = false;
            log.info("Spool has room again ({} of {} bytes)", h.bytes(), h.capacityBytes());
            send(AlertKind.SPOOL_FULL, AlertEvent.Status.RESOLVED, "auditwatch spool has room again", h);
        }
    }

    private void send(AlertKind kind, AlertEvent.Status status, String summary, SpoolHealth h) {
        if (sink == null) {
            return;
        }
        Map<String, String> details = new LinkedHashMap<>();
        details.put("spool_bytes", Long.toString(h.bytes()));
        details.put("spool_capacity_bytes", Long.toString(h.capacityBytes()));
        details.put("spool_records", Long.toString(h.records()));
        details.put("oldest_record_age_seconds", Long.toString(h.oldestRecordAge().toSeconds()));
        details.put("directory", settings.dir().toAbsolutePath().toString());
        try {
            sink.accept(new AlertEvent(kind, KEY, status, clock.instant(), null, null, null, null, summary, details));
        } catch (RuntimeException e) {
            log.error("Alert sink failed on {} {}", kind, status, e);
        }
    }
}
