package io.auditwatch.ingest.docker;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.AppInfoParser;
import org.testcontainers.utility.DockerImageName;

/**
 * The one networked private Docker engine ({@link DockerEngine#startNetworked}) of a test JVM,
 * holding the images {@code deploy/local/build-images} makes from Debian packages and Maven
 * Central, since no registry can be reached: started on first use, shared by every container test
 * of the run, stopped when the JVM exits. Testcontainers is pointed at it by
 * {@link LocalEngineStrategy}, with Ryuk and the start-up checks off (the failsafe configuration
 * in the parent pom): both would pull images.
 */
public final class LocalImages {
    /** The local JRE base image (debootstrap bookworm minbase + openjdk-17-jre-headless). */
    public static final String JRE = "auditwatch-local/jre:17-bookworm";
    /**
     * The Kafka image the container tests run: a compatible substitute for {@code apache/kafka}
     * (same layout and KAFKA_* variables), by default the local one of the clients' Kafka version.
     */
    public static final String KAFKA_IMAGE_PROPERTY = "auditwatch.kafka.image";

    /** First run on a machine: debootstrap (about 90 s) and the image builds; 15 min covers a slow mirror. */
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(15);

    /** The auditwatch image deploy/compose.yaml names, built by {@link #auditwatchImage()}. */
    public static final String AUDITWATCH = "auditwatch:local";
    /** The host-built jar and its lib/ as an image, for the Dockerfile's ARTIFACTS argument. */
    private static final String ARTIFACTS = "auditwatch-local/artifacts:build";

    /** Well above the registered ports services commonly listen on. */
    private static final int PUBLISH_PORT_LOW = 20_000;
    private static final java.util.Set<Integer> HANDED_OUT = new java.util.HashSet<>();

    private static DockerEngine engine;
    private static boolean auditwatchBuilt;

    private LocalImages() {
    }

    /** The shared engine with the local images loaded; aborts the calling test class where it cannot run. */
    public static synchronized DockerEngine engine() {
        if (engine == null) {
            try {
                Path dir = Files.createTempDirectory(Path.of("/tmp"), "aw-images");
                DockerEngine started = DockerEngine.startNetworked(dir);
                try {
                    build(started);
                } catch (IOException | RuntimeException | Error e) {
                    started.close();
                    throw e;
                }
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    started.close();
                    deleteTree(dir);
                }, "local-images-engine-stop"));
                engine = started;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return engine;
    }

    public static DockerImageName kafkaImage() {
        String name = System.getProperty(KAFKA_IMAGE_PROPERTY, "auditwatch-local/kafka:" + AppInfoParser.getVersion());
        return DockerImageName.parse(name).asCompatibleSubstituteFor("apache/kafka");
    }

    /** Debian's Prometheus package on the local base. */
    public static final String PROMETHEUS = "auditwatch-local/prometheus:bookworm";

    /**
     * {@code docker build -f deploy/Dockerfile} of the repository on the local JRE base, with the
     * artifacts of this build ({@code ingest/target/auditwatch.jar} and {@code lib/}, made by the
     * package phase before the integration tests) imported as the ARTIFACTS image: the Dockerfile's
     * Maven stage needs a JDK image with Maven, which cannot be pulled here. Built once per run.
     */
    public static synchronized String auditwatchImage() throws IOException {
        DockerEngine docker = engine();
        if (!auditwatchBuilt) {
            Path root = repositoryRoot();
            Path target = root.resolve("ingest/target");
            if (!Files.isRegularFile(target.resolve("auditwatch.jar")) || !Files.isDirectory(target.resolve("lib"))) {
                throw new IOException("no " + target + "/auditwatch.jar and lib/: run the package phase first");
            }
            long start = System.nanoTime();
            // The Dockerfile's build stage leaves them in /src/ingest/target: the same paths here.
            DockerEngine.Result imported = DockerEngine.exec(List.of("bash", "-c",
                    "tar -C \"$1\" --transform 's,^,src/ingest/target/,' -cf - auditwatch.jar lib"
                            + " | \"$2\" -H \"$3\" import - " + ARTIFACTS, "import", target.toString(),
                    DockerEngine.DOCKER.toString(), docker.host()), Duration.ofMinutes(5));
            if (imported.exit() != 0) {
                throw new IOException("docker import of the artifacts failed: " + imported.output());
            }
            docker.docker("build", "-q", "-f", root.resolve("deploy/Dockerfile").toString(),
                    "--build-arg", "RUNTIME_IMAGE=" + JRE, "--build-arg", "ARTIFACTS=" + ARTIFACTS,
                    "-t", AUDITWATCH, root.toString());
            System.out.printf("docker build of deploy/Dockerfile (%s): %.1f s%n", AUDITWATCH, (System.nanoTime() - start) / 1e9);
            auditwatchBuilt = true;
        }
        return AUDITWATCH;
    }

    /**
     * A host port for {@code docker run -p}: free on every interface now, not handed out before in
     * this JVM, and below the kernel's ephemeral range, so that no outgoing connection of the busy
     * test machine (to a container, a broker...) holds it by the time docker-proxy binds it.
     */
    public static synchronized int freePublishPort() throws IOException {
        // readAllLines, not readString: /proc files report size 0 and readString stops short.
        int ephemeralLow = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                .get(0).strip().split("\\s+")[0]);
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = random.nextInt(PUBLISH_PORT_LOW, ephemeralLow);
            if (HANDED_OUT.contains(port)) {
                continue;
            }
            try (java.net.ServerSocket s = new java.net.ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new java.net.InetSocketAddress(port));
                HANDED_OUT.add(port);
                return port;
            } catch (IOException taken) {
                // in use: try another
            }
        }
        throw new IOException("no free port between " + PUBLISH_PORT_LOW + " and " + ephemeralLow);
    }

    /** The repository's root: the tests run in a module directory below it. */
    public static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("deploy/local/build-images"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("deploy/local/build-images not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    private static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("engine directory " + dir + " not removed: " + e.getMessage());
        }
    }

    private static void build(DockerEngine docker) throws IOException {
        for (String tool : List.of("/usr/sbin/debootstrap", "/usr/bin/dpkg-deb")) {
            boolean present = Files.isExecutable(Path.of(tool));
            if (!present) {
                System.err.println("Docker image tests skipped: " + tool + " is missing (.ci/run installs it)");
            }
            assumeTrue(present, () -> tool + " is missing: apt-get install -y debootstrap (.ci/run installs it)");
        }
        List<String> cmd = new ArrayList<>(List.of("bash", repositoryRoot().resolve("deploy/local/build-images").toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DOCKER_HOST", docker.host());
        long start = System.nanoTime();
        Process p = pb.start();
        p.getInputStream().transferTo(System.out);
        try {
            if (!p.waitFor(BUILD_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("deploy/local/build-images did not finish within " + BUILD_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        if (p.exitValue() != 0) {
            throw new IOException("deploy/local/build-images exited " + p.exitValue());
        }
        System.out.printf("local images ready in the test engine after %.1f s%n", (System.nanoTime() - start) / 1e9);
    }
}
