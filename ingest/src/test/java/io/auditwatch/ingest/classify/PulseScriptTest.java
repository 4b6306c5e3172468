package io.auditwatch.ingest.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.heartbeat.compliance.CisControl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/auditd/auditwatch-pulse run for real: against the recorded {@code auditctl -l} / {@code -s} outputs
 * of src/test/resources/auditctl (README.md there says where they come from), on a copied host tree
 * ({@code --root}), and against the kernel of this machine with the shipped rules loaded and removed.
 */
class PulseScriptTest {
    static final Path SCRIPT = Path.of("..", "deploy", "auditd", "auditwatch-pulse");
    static final Path RULES = Path.of("..", "deploy", "auditd", "docker.rules");
    static final Path RECORDED = Path.of("src", "test", "resources", "auditctl");

    @TempDir
    Path root;

    /** Runs the script with {@code --print} and returns its one line. */
    static String run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("sh", SCRIPT.toString(), "--print"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "auditwatch-pulse did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private String recorded(String rules, String status) throws IOException, InterruptedException {
        return run("--rules", RECORDED.resolve(rules).toString(), "--status", RECORDED.resolve(status).toString(),
                "--root", root.toString());
    }

    /** The {@code cis=} states of a pulse line, control id to state. */
    static Map<String, String> cis(String pulse) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String word : pulse.split(" ")) {
            if (word.startsWith("cis=")) {
                for (String item : word.substring(4).split(",")) {
                    String[] kv = item.split(":");
                    out.put(kv[0], kv[1]);
                }
            }
        }
        return out;
    }

    /** A host tree as Debian's docker.io, containerd and runc packages lay it out, /lib merged into /usr/lib. */
    private void debianHost() throws IOException {
        for (String dir : List.of("var/lib/docker", "etc/docker", "usr/lib/systemd/system", "etc/systemd/system",
                "etc/default", "usr/bin", "usr/sbin")) {
            Files.createDirectories(root.resolve(dir));
        }
        Files.createSymbolicLink(root.resolve("lib"), Path.of("usr/lib"));
        for (String file : List.of("usr/sbin/dockerd", "usr/lib/systemd/system/docker.service",
                "usr/lib/systemd/system/docker.socket", "etc/default/docker", "etc/docker/daemon.json",
                "usr/bin/containerd", "usr/sbin/runc")) {
            Files.createFile(root.resolve(file));
        }
        Files.createSymbolicLink(root.resolve("usr/bin/runc"), Path.of("../sbin/runc"));
    }

    @Test
    void theShippedRulesMakeEveryPresentControlOkAndAbsentOnesNotApplicable() throws Exception {
        debianHost();
        String pulse = recorded("rules-shipped.txt", "status-enabled.txt");
        assertEquals("auditwatch-pulse v=2 enabled=1 cis=1.2.3:ok,1.2.4:ok,1.2.5:ok,1.2.6:ok,1.2.7:ok,1.2.8:ok,"
                + "1.2.9:na,1.2.10:ok,1.2.11:ok,1.2.12:ok", pulse);
    }

    @Test
    void aControlWhosePathExistsButWhoseWatchFailedToLoadIsMissing() throws Exception {
        debianHost();
        Files.createDirectories(root.resolve("etc/sysconfig"));
        Files.createFile(root.resolve("etc/sysconfig/docker"));
        // The recorded load ran on Debian, where /etc/sysconfig does not exist: its watch is not listed.
        assertEquals("missing", cis(recorded("rules-shipped.txt", "status-enabled.txt")).get("1.2.9"));
    }

    @Test
    void removedWatchesShowAsMissing() throws Exception {
        debianHost();
        Map<String, String> states = cis(recorded("rules-some-missing.txt", "status-enabled.txt"));
        assertEquals("missing", states.get("1.2.3"));
        assertEquals("missing", states.get("1.2.5"));
        assertEquals("ok", states.get("1.2.4"));
        assertEquals("ok", states.get("1.2.10"));
    }

    @Test
    void noRulesLeaveEveryPresentControlMissing() throws Exception {
        debianHost();
        Map<String, String> states = cis(recorded("rules-none.txt", "status-enabled.txt"));
        for (CisControl c : CisControl.values()) {
            assertEquals(c == CisControl.C1_2_9 ? "na" : "missing", states.get(c.id()), c.id());
        }
    }

    @Test
    void aBareHostHasNothingApplicable() throws Exception {
        Map<String, String> states = cis(recorded("rules-none.txt", "status-enabled.txt"));
        assertEquals(CisControl.values().length, states.size());
        states.forEach((id, s) -> assertEquals("na", s, id));
    }

    @Test
    void syscallRuleFormsCountAndANeverRuleDoesNot() throws Exception {
        debianHost();
        Map<String, String> states = cis(recorded("rules-equivalent.txt", "status-enabled.txt"));
        assertEquals("ok", states.get("1.2.3"), "-w /usr/sbin/dockerd -p x (loaded as -a always,exit -F path= -F perm=x)");
        assertEquals("ok", states.get("1.2.5"), "-a always,exit -F arch=b64 -S all -F dir=/etc/docker");
        assertEquals("ok", states.get("1.2.6"), "-F dir=/lib/systemd/system/docker.service: /lib is /usr/lib");
        assertEquals("ok", states.get("1.2.7"));
        assertEquals("missing", states.get("1.2.8"), "-a never,exit suppresses auditing of /etc/default/docker");
        assertEquals("ok", states.get("1.2.11"), "-a always,exit -F arch=b64 -S all -F path=/usr/bin/containerd");
        assertEquals("ok", states.get("1.2.12"));
        assertEquals("missing", states.get("1.2.4"));
    }

    @Test
    void optionOrderWhitespaceAndTrailingSlashesDoNotMatter() throws Exception {
        debianHost();
        Path listing = root.resolve("listing.txt");
        // Built from rules-shipped.txt's forms: options reordered, tabs and runs of spaces, a trailing
        // slash, and exit,always as auditctl accepts it on input.
        Files.writeString(listing, String.join("\n",
                "-k docker   -w /usr/sbin/dockerd\t-p rwxa",
                "\t-p wa -w /var/lib/docker/ -k docker",
                "-a exit,always -F key=docker -F dir=/etc/docker -S all",
                "-w /usr/lib/systemd/system/docker.service -p wa -k docker",
                "-F path=/usr/lib/systemd/system/docker.socket -a always,exit -S all",
                "-w /etc/default/docker -p wa -k docker",
                "-w /etc/docker/daemon.json -p wa -k docker",
                "-w /usr/bin/containerd -p rwxa -k docker",
                "-w /usr/bin/runc -p rwxa -k docker", ""));
        String pulse = run("--rules", listing.toString(), "--status", RECORDED.resolve("status-enabled.txt").toString(),
                "--root", root.toString());
        Map<String, String> states = cis(pulse);
        for (CisControl c : CisControl.values()) {
            assertEquals(c == CisControl.C1_2_9 ? "na" : "ok", states.get(c.id()), c.id() + " in " + pulse);
        }
    }

    @Test
    void aWatchOnTheParentDirectoryIsNotAWatchOnTheFile() throws Exception {
        debianHost();
        Path listing = root.resolve("listing.txt");
        Files.writeString(listing, "-w /etc/docker -p wa -k docker\n");
        assertEquals("missing", cis(run("--rules", listing.toString(), "--status",
                RECORDED.resolve("status-enabled.txt").toString(), "--root", root.toString())).get("1.2.10"));
    }

    @Test
    void disabledAuditingIsReported() throws Exception {
        assertTrue(recorded("rules-shipped.txt", "status-disabled.txt").startsWith("auditwatch-pulse v=2 enabled=0 cis="));
    }

    @Test
    void anUnreadableRuleListingSendsNoRuleState() throws Exception {
        assertEquals("auditwatch-pulse v=2 enabled=1",
                run("--rules", root.resolve("absent").toString(), "--status",
                        RECORDED.resolve("status-enabled.txt").toString()));
    }

    /**
     * The kernel of this machine: the shipped rules loaded with {@code auditctl -R}, then removed with
     * {@code auditctl -D -k docker}. What each control should read follows from which of its paths exist here.
     */
    @Test
    void theRealAuditctlWithTheShippedRulesLoadedThenRemoved() throws Exception {
        Path auditctl = Path.of("/usr/sbin/auditctl");
        Assumptions.assumeTrue(Files.isExecutable(auditctl), "auditctl is not installed (Debian package auditd)");
        Exec status = exec("/usr/sbin/auditctl", "-s");
        Assumptions.assumeTrue(status.rc == 0, "auditctl -s fails here (not root, or no kernel audit): " + status.out);
        Exec before = exec("/usr/sbin/auditctl", "-l");
        Assumptions.assumeFalse(before.out.contains("-k docker") || before.out.contains("key=docker"),
                "this host has rules keyed docker of its own; the test would remove them");
        try {
            exec("/usr/sbin/auditctl", "-R", RULES.toString());
            Map<String, String> loaded = cis(run());
            Map<String, String> expected = new LinkedHashMap<>();
            for (CisControl c : CisControl.values()) {
                boolean present = c.paths().stream().anyMatch(p -> Files.exists(Path.of(p)));
                expected.put(c.id(), present ? "ok" : "na");
            }
            assertEquals(expected, loaded);

            assertEquals(0, exec("/usr/sbin/auditctl", "-D", "-k", "docker").rc);
            Map<String, String> removed = cis(run());
            expected.replaceAll((id, s) -> s.equals("ok") ? "missing" : s);
            assertEquals(expected, removed);
        } finally {
            exec("/usr/sbin/auditctl", "-D", "-k", "docker");
        }
    }

    private record Exec(int rc, String out) {
    }

    private static Exec exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", cmd) + " did not finish");
        return new Exec(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
