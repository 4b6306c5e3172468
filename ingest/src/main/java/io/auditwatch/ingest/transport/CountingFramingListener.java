package io.auditwatch.ingest.transport;

import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.auditwatch.ingest.syslog.FramingListener;

/** Counts the framer's findings; the framer itself logs nothing per frame. */
final class CountingFramingListener implements FramingListener {
    private final IngestMetrics metrics;

    CountingFramingListener(IngestMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void oversized(int originalLength) {
        metrics.frameDiscard("oversized");
    }

    @Override
    public void invalidOctetCount() {
        metrics.frameDiscard("invalid_octet_count");
    }
}
