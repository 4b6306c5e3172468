package io.auditwatch.ingest.docker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A private Docker engine (Debian's {@code docker.io}) for one test class: dockerd started as a
 * child process with its own data root, exec root, pidfile, config file and unix socket, no
 * networking of its own ({@code --bridge=none}, no iptables) and the {@code vfs} storage driver,
 * which needs no overlay support; and an image imported from Debian's {@code busybox-static} binary,
 * so no registry is involved. {@link #close()} stops dockerd by PID, then everything it started.
 *
 * <p>{@link #startNetworked} starts the same engine with networking of its own, for containers that
 * publish ports, reach each other by name and reach the host: a private Linux bridge (its own name
 * and a 10.213.x.0/24 subnet no route on the host uses yet) as the default network, user-defined
 * networks from 10.214.x.0/24, still no iptables (published ports go through docker-proxy, the
 * host reaches the containers on the bridge directly), and overlay2, which copies no image layer
 * per container as vfs does.
 *
 * <p>{@link #start} aborts the calling test class (JUnit assumption) with dockerd's log tail when
 * the engine cannot run here: not root, docker.io or busybox-static missing, or dockerd exiting or
 * not answering (no cgroups, no permission to mount, ...).
 */
public final class DockerEngine implements AutoCloseable {
    static final Path DOCKERD = Path.of("/usr/sbin/dockerd");
    /** Debian's client, not whatever {@code docker} comes first on the PATH. */
    static final Path DOCKER = Path.of("/usr/bin/docker");
    static final Path BUSYBOX = Path.of("/bin/busybox");
    static final String IMAGE = "auditwatch-it/busybox:static";

    /** dockerd 20.10 on vfs answers in about 1 s here; 60 s covers a loaded 2-core CI machine. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** dockerd stops its containerd and exits within about 1 s of SIGTERM; then kill -9. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    /** A {@code docker} CLI call: a container run here takes about 1 s. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);
    /** sun_path holds 108 bytes on Linux; stay well below it. */
    private static final int MAX_SOCKET_PATH = 100;
    private static final int LOG_TAIL_LINES = 25;

    private final Process dockerd;
    private final Path root;
    private final Path socketDir;
    private final boolean ownSocketDir;
    private final Path log;
    private final List<ProcessHandle> children = new ArrayList<>();
    /** The private bridge of a networked engine, null without networking. */
    private final Bridge bridge;

    private DockerEngine(Process dockerd, Path root, Path socketDir, boolean ownSocketDir, Path log, Bridge bridge) {
        this.dockerd = dockerd;
        this.root = root;
        this.socketDir = socketDir;
        this.ownSocketDir = ownSocketDir;
        this.log = log;
        this.bridge = bridge;
    }

    /** Starts dockerd under {@code root} and imports {@link #IMAGE}; aborts the test class where it cannot run. */
    static DockerEngine start(Path root) throws IOException {
        return start(root, null);
    }

    /**
     * Starts dockerd under {@code root} with a private bridge network (see the class comment) and
     * imports {@link #IMAGE}; aborts the test class where it cannot run.
     */
    public static DockerEngine startNetworked(Path root) throws IOException {
        skipUnless(isRoot(), () -> "a networked Docker engine needs root to start dockerd (CI runs as root)");
        return start(root, Bridge.create());
    }

    private static DockerEngine start(Path root, Bridge bridge) throws IOException {
        skipUnless(isRoot(), () -> "the Docker driver test needs root to start dockerd (CI runs as root)");
        for (Path tool : List.of(DOCKERD, DOCKER, BUSYBOX)) {
            skipUnless(Files.isExecutable(tool), () -> tool + " is missing: apt-get install -y docker.io busybox-static"
                    + " (.ci/run installs them when it runs as root)");
        }
        Path socketDir = root;
        boolean ownSocketDir = false;
        if (root.resolve("d.sock").toString().length() > MAX_SOCKET_PATH) {
            socketDir = Files.createTempDirectory(Path.of("/tmp"), "awd");
            ownSocketDir = true;
        }
        Path config = root.resolve("daemon.json");
        Files.writeString(config, "{}\n"); // never the host's /etc/docker/daemon.json
        Path log = root.resolve("dockerd.log");
        List<String> cmd = new ArrayList<>(List.of(DOCKERD.toString(), "--iptables=false", "--ip-masq=false",
                "--config-file", config.toString(),
                "--data-root", root.resolve("data").toString(), "--exec-root", root.resolve("exec").toString(),
                "--pidfile", root.resolve("dockerd.pid").toString(),
                "-H", "unix://" + socketDir.resolve("d.sock")));
        cmd.addAll(bridge == null ? List.of("--bridge=none", "--storage-driver=vfs") : bridge.dockerdOptions());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        // dockerd finds containerd, runc, the shim and docker-init on the PATH.
        pb.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        DockerEngine engine;
        try {
            engine = new DockerEngine(pb.start(), root, socketDir, ownSocketDir, log, bridge);
        } catch (IOException e) {
            if (bridge != null) {
                bridge.delete();
            }
            throw e;
        }
        try {
            engine.awaitReady();
            engine.importImage();
        } catch (RuntimeException | IOException | Error e) {
            engine.close();
            throw e;
        }
        return engine;
    }

    /** dockerd's PID: Docker's syslog driver sends it as the PROCID of every message. */
    long pid() {
        return dockerd.pid();
    }

    /** The engine's socket as a DOCKER_HOST value. */
    public String host() {
        return "unix://" + socketDir.resolve("d.sock");
    }

    /** The engine's version as {@code docker version} reports it, e.g. {@code 20.10.24+dfsg1}. */
    String serverVersion() throws IOException {
        return docker("version", "--format", "{{.Server.Version}}").strip();
    }

    /**
     * The host's address on the engine's bridge, where containers reach services of the test JVM
     * (which must listen on it or on all interfaces); null without networking.
     */
    public String hostAddress() {
        return bridge == null ? null : bridge.gateway();
    }

    /** Runs {@code docker <args>} against this engine; its output, or an IOException with it. */
    public String docker(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(DOCKER.toString(), "-H", host()));
        cmd.addAll(List.of(args));
        Result r = exec(cmd, COMMAND_TIMEOUT);
        if (r.exit != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + r.exit + ": " + r.output);
        }
        return r.output;
    }

    private void awaitReady() {
        List<String> probe = List.of(DOCKER.toString(), "-H", host(), "version", "--format", "{{.Server.Version}}");
        try {
            // Polled on this thread: exec() starts a process and is not to be left running after a timeout.
            await().atMost(START_TIMEOUT).pollInSameThread().pollInterval(Duration.ofMillis(200))
                    .until(() -> !dockerd.isAlive() || exec(probe, Duration.ofSeconds(10)).exit == 0);
        } catch (ConditionTimeoutException e) {
            skipUnless(false, () -> "dockerd did not answer within " + START_TIMEOUT + "; log tail:\n" + logTail());
        }
        skipUnless(dockerd.isAlive(), () -> "dockerd exited with " + dockerd.exitValue() + "; log tail:\n" + logTail());
        // containerd is dockerd's child; remember it (and anything else) to check it goes away.
        dockerd.toHandle().descendants().forEach(children::add);
    }

    /** {@code docker import} of a tarball holding /bin/busybox and the /bin/sh link: no registry. */
    private void importImage() throws IOException {
        Path rootfs = Files.createDirectories(root.resolve("image/bin"));
        Files.copy(BUSYBOX, rootfs.resolve("busybox"));
        Files.createSymbolicLink(rootfs.resolve("sh"), Path.of("busybox"));
        Path tar = root.resolve("image.tar");
        Result r = exec(List.of("tar", "-C", root.resolve("image").toString(), "-cf", tar.toString(), "bin"),
                COMMAND_TIMEOUT);
        if (r.exit != 0) {
            throw new IOException("tar failed: " + r.output);
        }
        docker("import", tar.toString(), IMAGE);
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * Stops dockerd with SIGTERM (kill -9 after {@link #STOP_TIMEOUT}), then makes sure containerd and
     * any shim of this engine are gone, and that no mount is left under its directories.
     *
     * @throws IllegalStateException when a process of this engine survived kill -9
     */
    @Override
    public void close() {
        if (bridge != null) {
            removeContainersAndNetworks();
        }
        dockerd.toHandle().descendants().forEach(children::add);
        ownShims().forEach(children::add);
        dockerd.destroy();
        if (!waitFor(dockerd.toHandle(), STOP_TIMEOUT)) {
            dockerd.destroyForcibly();
            waitFor(dockerd.toHandle(), STOP_TIMEOUT);
        }
        List<ProcessHandle> survivors = new ArrayList<>();
        for (ProcessHandle child : children) {
            if (!waitFor(child, STOP_TIMEOUT)) {
                child.destroyForcibly();
                if (!waitFor(child, STOP_TIMEOUT)) {
                    survivors.add(child);
                }
            }
        }
        unmountLeftovers();
        if (bridge != null) {
            bridge.delete();
        }
        if (ownSocketDir) {
            try {
                Files.deleteIfExists(socketDir.resolve("d.sock"));
                Files.deleteIfExists(socketDir);
            } catch (IOException ignored) {
                // /tmp is cleaned by the system; a leftover empty directory is harmless
            }
        }
        if (dockerd.isAlive() || !survivors.isEmpty()) {
            throw new IllegalStateException("processes of the test's Docker engine survived kill -9: dockerd "
                    + dockerd.pid() + (dockerd.isAlive() ? " alive" : " gone") + ", " + describe(survivors));
        }
    }

    /**
     * dockerd removes a user-defined network's bridge only when the network is removed, not when it
     * stops: remove every container and network first so that no interface or route outlives it.
     */
    private void removeContainersAndNetworks() {
        try {
            String ids = docker("ps", "-aq").strip();
            if (!ids.isEmpty()) {
                List<String> rm = new ArrayList<>(List.of("rm", "-f", "-v"));
                rm.addAll(List.of(ids.split("\\s+")));
                docker(rm.toArray(String[]::new));
            }
            docker("network", "prune", "-f");
        } catch (IOException e) {
            System.err.println("Docker engine " + host() + ": containers or networks not removed: " + e.getMessage());
        }
    }

    /**
     * Processes of this engine still running: dockerd, its children (containerd) and any process
     * naming the engine's private exec root (containerd shims, which daemonise away from dockerd).
     */
    List<ProcessHandle> processes() {
        Map<Long, ProcessHandle> alive = new LinkedHashMap<>();
        java.util.stream.Stream.of(java.util.stream.Stream.of(dockerd.toHandle()), dockerd.toHandle().descendants(),
                        children.stream(), ownShims())
                .flatMap(s -> s).filter(ProcessHandle::isAlive).forEach(h -> alive.putIfAbsent(h.pid(), h));
        return List.copyOf(alive.values());
    }

    /** The processes dockerd had started when it answered: containerd. */
    List<ProcessHandle> children() {
        return List.copyOf(children);
    }

    /**
     * containerd-shim processes daemonise away from dockerd; ours name our private exec root in
     * their arguments, which no other engine on this machine shares.
     */
    private java.util.stream.Stream<ProcessHandle> ownShims() {
        String execRoot = root.resolve("exec").toString();
        return ProcessHandle.allProcesses().filter(p -> p.info().arguments()
                .map(args -> String.join(" ", args).contains(execRoot)).orElse(false));
    }

    /** A mount left under the engine's directories would make @TempDir cleanup fail or reach into it. */
    private void unmountLeftovers() {
        try {
            String prefix = root.toString() + "/";
            List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo"), UTF_8).stream()
                    .map(l -> l.split(" ")[4]).filter(m -> m.startsWith(prefix)).collect(Collectors.toList());
            for (int i = mounts.size() - 1; i >= 0; i--) {
                exec(List.of("umount", "-l", mounts.get(i)), Duration.ofSeconds(10));
            }
        } catch (IOException ignored) {
            // no /proc: nothing we could have mounted either
        }
    }

    private static String describe(List<ProcessHandle> handles) {
        return handles.stream().map(h -> h.pid() + " " + h.info().command().orElse("?"))
                .collect(Collectors.joining(", ", "[", "]"));
    }

    private static boolean waitFor(ProcessHandle h, Duration timeout) {
        try {
            h.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return !h.isAlive();
        } catch (java.util.concurrent.ExecutionException e) {
            return !h.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !h.isAlive();
        }
    }

    /**
     * Aborts the test class (an assumption) when {@code condition} is false. The reason also goes to
     * stderr: Maven's reports show a class aborted in {@code @BeforeAll} as "Tests run: 0" without it.
     */
    private static void skipUnless(boolean condition, Supplier<String> reason) {
        if (!condition) {
            String text = reason.get();
            System.err.println("Docker engine test skipped: " + text);
            assumeTrue(false, text);
        }
    }

    private static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status"), UTF_8).stream()
                    .filter(l -> l.startsWith("Uid:")).findFirst()
                    .map(l -> l.split("\\s+")[1].equals("0")).orElse(false);
        } catch (IOException e) {
            return false;
        }
    }

    record Result(int exit, String output) {
    }

    /**
     * A Linux bridge of this engine's own, with a 10.213.x.0/24 subnet (and 10.214.x.0/24 for the
     * engine's user-defined networks) that no route on the host uses, so that engines of several
     * test runs on one machine never share an interface or an address.
     */
    private record Bridge(String name, int x) {
        /** Linux interface names hold at most 15 characters. */
        private static final int MAX_NAME = 15;

        static Bridge create() throws IOException {
            String routes = exec(List.of("ip", "-4", "route", "show"), COMMAND_TIMEOUT).output;
            int start = (int) (ProcessHandle.current().pid() % 250);
            for (int i = 0; i < 250; i++) {
                int x = (start + i) % 250 + 1;
                if (routes.contains("10.213." + x + ".") || routes.contains("10.214." + x + ".")) {
                    continue;
                }
                String name = ("awb" + ProcessHandle.current().pid() + "x" + x);
                name = name.substring(0, Math.min(MAX_NAME, name.length()));
                Result add = exec(List.of("ip", "link", "add", "name", name, "type", "bridge"), COMMAND_TIMEOUT);
                if (add.exit != 0) {
                    continue; // taken by a concurrent run a moment ago
                }
                Bridge bridge = new Bridge(name, x);
                for (List<String> cmd : List.of(List.of("ip", "addr", "add", bridge.gateway() + "/24", "dev", name),
                        List.of("ip", "link", "set", name, "up"))) {
                    Result r = exec(cmd, COMMAND_TIMEOUT);
                    if (r.exit != 0) {
                        bridge.delete();
                        throw new IOException(String.join(" ", cmd) + " exited " + r.exit + ": " + r.output);
                    }
                }
                return bridge;
            }
            throw new IOException("no free 10.213.x.0/24 subnet for a private Docker bridge: " + routes);
        }

        String gateway() {
            return "10.213." + x + ".1";
        }

        List<String> dockerdOptions() {
            return List.of("--bridge=" + name, "--storage-driver=overlay2",
                    "--default-address-pool", "base=10.214." + x + ".0/24,size=28");
        }

        void delete() {
            try {
                exec(List.of("ip", "link", "delete", name), COMMAND_TIMEOUT);
            } catch (IOException e) {
                System.err.println("bridge " + name + " not deleted: " + e.getMessage());
            }
        }
    }

    static Result exec(List<String> cmd, Duration timeout) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // deploy/Dockerfile needs BuildKit (RUN --mount); dockerd 20.10 has it, its client asks for it.
        pb.environment().put("DOCKER_BUILDKIT", "1");
        Process p = pb.start();
        try {
            // Read before waiting: a full pipe would block the child.
            java.util.concurrent.CompletableFuture<String> out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getInputStream().readAllBytes(), UTF_8);
                } catch (IOException e) {
                    return "(unreadable: " + e + ")";
                }
            });
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out after " + timeout + ": " + String.join(" ", cmd));
            }
            return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException(e);
        } finally {
            p.destroyForcibly();
        }
    }
}
