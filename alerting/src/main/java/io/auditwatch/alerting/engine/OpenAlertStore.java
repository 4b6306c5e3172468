package io.auditwatch.alerting.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditwatch.alerting.OpenAlert;
import io.auditwatch.alerting.outbox.AtomicFiles;
import io.auditwatch.alerting.outbox.Outbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Open alerts, silences and the count of alerts silences held back since the last notification in {@code <outbox>/open-alerts.json} (atomic write), so a restart
 * neither re-sends "AUDIT FAILURE" for an alert already notified nor forgets to send "RECOVERED".
 */
final class OpenAlertStore {
    private static final Logger LOG = LoggerFactory.getLogger(OpenAlertStore.class);
    static final String FILE = "open-alerts.json";

    /** The file's content; {@code version} lets a later format be told apart. */
    record Snapshot(int version, List<OpenAlert> open, List<Silence> silences, Map<String, Integer> heldBack) {
        Snapshot {
            open = open == null ? List.of() : List.copyOf(open);
            silences = silences == null ? List.of() : List.copyOf(silences);
            heldBack = heldBack == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(heldBack));
        }

        static Snapshot empty() {
            return new Snapshot(1, List.of(), List.of(), Map.of());
        }
    }

    private final Path file;
    private final ObjectMapper json = Outbox.mapper();

    OpenAlertStore(Path outboxDir) {
        this.file = outboxDir.resolve(FILE);
    }

    Snapshot load() {
        if (!Files.exists(file)) {
            return Snapshot.empty();
        }
        try {
            return json.readValue(file.toFile(), Snapshot.class);
        } catch (IOException | RuntimeException e) {
            // Keep the file for a person; starting empty can at worst repeat one AUDIT FAILURE per open alert.
            Path bad = file.resolveSibling(FILE + ".unreadable");
            LOG.error("open-alert state {} is unreadable ({}); moved to {}, starting with no open alerts", file, e.getMessage(), bad);
            try {
                Files.move(file, bad, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException ignored) {
                // Next save overwrites it anyway.
            }
            return Snapshot.empty();
        }
    }

    /** Returns false (after logging) if the write failed: alerting goes on in memory. */
    boolean save(List<OpenAlert> open, List<Silence> silences, Map<String, Integer> heldBack) {
        try {
            AtomicFiles.write(file, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(new Snapshot(1, open, silences, heldBack)));
            return true;
        } catch (IOException e) {
            LOG.error("cannot save open-alert state to {} ({}); a restart now may repeat notices", file, e.toString());
            return false;
        }
    }
}
