package io.auditwatch.service;

import io.auditwatch.ingest.docker.LocalImages;
import org.testcontainers.kafka.KafkaContainer;

/**
 * A Kafka broker in a container through Testcontainers' {@link KafkaContainer}, on the test run's
 * private Docker engine ({@link LocalImages}): the local Kafka image, built from Apache's jars and
 * laid out like {@code apache/kafka}, or the image named by the system property
 * {@value LocalImages#KAFKA_IMAGE_PROPERTY}. The class is skipped, with the reason, only where the
 * engine cannot run at all (not root, docker.io or debootstrap missing); a broker that does not
 * start fails the test.
 */
public final class ContainerKafka {
    private ContainerKafka() {
    }

    public static KafkaContainer start() {
        LocalImages.engine();
        KafkaContainer kafka = new KafkaContainer(LocalImages.kafkaImage());
        try {
            kafka.start();
        } catch (RuntimeException | Error e) {
            kafka.close();
            throw e;
        }
        return kafka;
    }
}
