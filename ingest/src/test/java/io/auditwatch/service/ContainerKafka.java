package io.auditwatch.service;

import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Apache's Kafka image through Testcontainers, for machines with a Docker engine that can pull
 * images. Where there is no engine, or the image cannot be pulled (no registry reachable), the
 * calling test is skipped with that reason, never failed; the same behaviour is always tested
 * against the embedded broker.
 */
public final class ContainerKafka {
    /** The image of the Kafka release the clients come from (parent pom: kafka.version). */
    public static final String IMAGE = "apache/kafka:4.3.1";

    private ContainerKafka() {
    }

    public static KafkaContainer startOrSkip() {
        if (!dockerAvailable()) {
            skip("no Docker engine for Testcontainers: tested with the embedded broker instead");
        }
        KafkaContainer kafka = new KafkaContainer(IMAGE);
        try {
            kafka.start();
        } catch (RuntimeException e) {
            kafka.close();
            skip("Kafka image " + IMAGE + " cannot be started here (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + "); tested with the embedded broker instead");
        }
        return kafka;
    }

    /** Maven prints a class skipped in @BeforeAll as "Tests run: 0": say why where a person reads it. */
    private static void skip(String reason) {
        System.err.println("SKIPPED (Testcontainers Kafka): " + reason);
        Assumptions.abort(reason);
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
