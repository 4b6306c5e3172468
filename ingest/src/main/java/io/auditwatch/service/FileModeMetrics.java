package io.auditwatch.service;

import io.auditwatch.alerting.MeterDoc;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/** The meter of the start-up check of the data files' modes ({@link FileModeCheck}), declared in {@link #METERS}. */
public final class FileModeMetrics {
    static final MeterDoc LOOSE = MeterDoc.gauge("auditwatch.files.loose", "files",
            "Directories and files under data-dir and the outbox that group or others may access, found at start-up"
                    + " (expected 0: directories 0700, files 0600), in files");

    /** Every meter this class registers. */
    public static final List<MeterDoc> METERS = List.of(LOOSE);

    private FileModeMetrics() {
    }

    static void register(MeterRegistry registry, int loose) {
        LOOSE.gauge(() -> loose).register(registry);
    }
}
