package io.auditwatch.heartbeat.compliance;

import java.util.List;

/**
 * The audit controls of CIS Docker Benchmark v1.2.0 that the pulse reports (deploy/auditd/docker.rules
 * holds the rules, deploy/auditd/auditwatch-pulse the check). v1.6.0 and v1.7.0 of the benchmark
 * number the same watches 1.1.3 to 1.1.18; the v1.2.0 numbers are the ones assessors and
 * docker-bench-security use, so they are the ones on the wire.
 */
public enum CisControl {
    C1_2_3("1.2.3", "Ensure auditing is configured for the Docker daemon", "/usr/bin/dockerd", "/usr/sbin/dockerd"),
    C1_2_4("1.2.4", "Ensure auditing is configured for Docker files and directories - /var/lib/docker", "/var/lib/docker"),
    C1_2_5("1.2.5", "Ensure auditing is configured for Docker files and directories - /etc/docker", "/etc/docker"),
    C1_2_6("1.2.6", "Ensure auditing is configured for Docker files and directories - docker.service",
            "/usr/lib/systemd/system/docker.service", "/lib/systemd/system/docker.service",
            "/etc/systemd/system/docker.service"),
    C1_2_7("1.2.7", "Ensure auditing is configured for Docker files and directories - docker.socket",
            "/usr/lib/systemd/system/docker.socket", "/lib/systemd/system/docker.socket",
            "/etc/systemd/system/docker.socket"),
    C1_2_8("1.2.8", "Ensure auditing is configured for Docker files and directories - /etc/default/docker",
            "/etc/default/docker"),
    C1_2_9("1.2.9", "Ensure auditing is configured for Docker files and directories - /etc/sysconfig/docker",
            "/etc/sysconfig/docker"),
    C1_2_10("1.2.10", "Ensure auditing is configured for Docker files and directories - /etc/docker/daemon.json",
            "/etc/docker/daemon.json"),
    C1_2_11("1.2.11", "Ensure auditing is configured for Docker files and directories - /usr/bin/containerd",
            "/usr/bin/containerd"),
    C1_2_12("1.2.12", "Ensure auditing is configured for Docker files and directories - /usr/sbin/runc",
            "/usr/sbin/runc", "/usr/bin/runc");

    /** The benchmark's name, written before every control id in alerts and reports. */
    public static final String BENCHMARK = "CIS Docker Benchmark v1.2.0";

    private static final CisControl[] ALL = values();

    private final String id;
    private final String title;
    private final List<String> paths;

    CisControl(String id, String title, String... paths) {
        this.id = id;
        this.title = title;
        this.paths = List.of(paths);
    }

    /** {@code 1.2.3}: the id on the wire and in alerts. */
    public String id() {
        return id;
    }

    /** The recommendation's title as the benchmark words it. */
    public String title() {
        return title;
    }

    /** The paths the control watches, each place packages install the file. */
    public List<String> paths() {
        return paths;
    }

    /** The shipped rule for the control's first path, as auditctl lists it. */
    public String rule() {
        return "-w " + paths.get(0) + " -k docker";
    }

    /** The control with this id, or null. */
    public static CisControl byId(String id) {
        for (CisControl c : ALL) {
            if (c.id.equals(id)) {
                return c;
            }
        }
        return null;
    }
}
