package io.auditwatch.service;

import io.auditwatch.alerting.PrivateFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start-up, reports what under the data directory and the outbox is looser than the modes
 * {@link PrivateFiles} creates (directories 0700, files 0600): left by an older version, restored
 * from a backup, or created by hand. It warns and sets {@code auditwatch_files_loose}; it changes
 * nothing, since a mode someone set on purpose is theirs to change (deploy/README.md, "Files and permissions").
 */
final class FileModeCheck {
    private static final Logger LOG = LoggerFactory.getLogger(FileModeCheck.class);

    /** Paths named in the warning; the count covers the rest. */
    static final int NAMED = 5;

    private FileModeCheck() {
    }

    /**
     * @param brokerDir the embedded broker's directory: checked itself, its content is Kafka's
     * @return the loose paths
     */
    static List<Path> check(Path dataDir, Path outboxDir, Path brokerDir) {
        Path broker = brokerDir.toAbsolutePath().normalize();
        List<Path> loose = new ArrayList<>(PrivateFiles.looser(dataDir,
                p -> !p.toAbsolutePath().normalize().equals(broker)));
        Path outbox = outboxDir.toAbsolutePath().normalize();
        if (!outbox.startsWith(dataDir.toAbsolutePath().normalize())) {
            loose.addAll(PrivateFiles.looser(outboxDir, p -> true));
        }
        if (!loose.isEmpty()) {
            List<String> named = loose.stream().limit(NAMED).map(p -> p + " " + PrivateFiles.mode(p)).toList();
            LOG.warn("{} directories and files of auditwatch are readable or writable by group or others (expected"
                    + " rwx------ directories, rw------- files): {}{}; fix with chmod -R go-rwx", loose.size(), named,
                    loose.size() > NAMED ? " and " + (loose.size() - NAMED) + " more" : "");
        }
        return loose;
    }
}
