package io.auditwatch.ingest.senders;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real syslog sender run as a child process: syslog-ng's {@code loggen} and rsyslog's
 * {@code rsyslogd}. Finds the tools where {@code .ci/run} puts them and kills every process it
 * started.
 */
final class SenderProcess implements AutoCloseable {
    /** Where {@code .ci/run} unpacks Debian's syslog-ng-core (it conflicts with rsyslog as a package). */
    static final Path SYSLOG_NG_ROOT = Path.of("/opt/syslog-ng-core");
    static final Path RSYSLOGD = Path.of("/usr/sbin/rsyslogd");

    private final Process process;
    private final Path log;

    private SenderProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** The loggen binary, or null when neither installed nor unpacked. */
    static Path loggen() {
        for (Path p : List.of(Path.of("/usr/bin/loggen"), SYSLOG_NG_ROOT.resolve("usr/bin/loggen"))) {
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    static boolean rsyslogInstalled() {
        return Files.isExecutable(RSYSLOGD);
    }

    /** Starts {@code command}, its output going to {@code log}. */
    static SenderProcess start(List<String> command, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Path bin = Path.of(command.get(0));
        if (bin.startsWith(SYSLOG_NG_ROOT)) {
            // An unpacked (not installed) syslog-ng finds its plugins and libraries here.
            Map<String, String> env = pb.environment();
            env.put("SYSLOGNG_PREFIX", SYSLOG_NG_ROOT.resolve("usr").toString());
            env.put("LD_LIBRARY_PATH", SYSLOG_NG_ROOT.resolve("usr/lib/syslog-ng").toString());
        }
        return new SenderProcess(pb.start(), log);
    }

    /** Waits for the process to end by itself; returns its exit code. */
    int await(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException("did not finish in " + seconds + " s: " + output());
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
