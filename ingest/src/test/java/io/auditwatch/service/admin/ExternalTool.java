package io.auditwatch.service.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Debian's promtool / prometheus / chromium from the tests; skips when a tool is absent. */
final class ExternalTool {

    /** Output and exit code of a finished process. */
    record Outcome(int exitCode, String output) {
    }

    static boolean installed(String path) {
        return Files.isExecutable(Path.of(path));
    }

    /**
     * Runs {@code command} with {@code stdin} as input, stderr merged into the output, killed
     * after {@code timeoutSeconds}.
     */
    static Outcome run(List<String> command, byte[] stdin, long timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            }
            byte[][] out = new byte[1][];
            Thread reader = new Thread(() -> {
                try {
                    out[0] = p.getInputStream().readAllBytes();
                } catch (IOException e) {
                    out[0] = ("read failed: " + e).getBytes(StandardCharsets.UTF_8);
                }
            });
            reader.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new IllegalStateException(command.get(0) + " did not finish in " + timeoutSeconds + " s");
            }
            reader.join(TimeUnit.SECONDS.toMillis(10));
            return new Outcome(p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private ExternalTool() {
    }
}
