package io.auditwatch.ingest.docker;

import java.net.URI;
import org.testcontainers.dockerclient.DockerClientProviderStrategy;
import org.testcontainers.dockerclient.TransportConfig;

/**
 * Points Testcontainers at the test run's private engine ({@link LocalImages#engine()}): the only
 * engine the container tests may use, so it comes before Testcontainers' own strategies (which look
 * for /var/run/docker.sock or DOCKER_HOST in the environment). Registered in
 * {@code META-INF/services/org.testcontainers.dockerclient.DockerClientProviderStrategy}.
 */
public final class LocalEngineStrategy extends DockerClientProviderStrategy {
    /** Above every strategy Testcontainers ships (the environment's DOCKER_HOST is 100). */
    private static final int PRIORITY = 1_000;

    @Override
    public String getDescription() {
        return "the test run's private Docker engine with the local images (deploy/local/build-images)";
    }

    @Override
    public TransportConfig getTransportConfig() {
        return TransportConfig.builder().dockerHost(URI.create(LocalImages.engine().host())).build();
    }

    @Override
    protected boolean isApplicable() {
        return true;
    }

    @Override
    protected boolean isPersistable() {
        return false;
    }

    @Override
    protected int getPriority() {
        return PRIORITY;
    }
}
