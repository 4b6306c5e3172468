package io.auditwatch.ingest.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.auditwatch.heartbeat.Stream;
import org.junit.jupiter.api.Test;

/** Container lines under Docker's tag templates (ingest/README.md, "Docker's syslog log driver"; Docker's log_tags docs). */
class ClassifierContainerTest {
    private static final String ID = "5790672ab6a0";
    private final Classifier classifier = new Classifier();

    private Classification tagged(String tag) {
        return classifier.classify(tag, null, "Hello from Docker.");
    }

    @Test
    void defaultIdTagGivesTheId() {
        Classification c = tagged(ID);
        assertEquals(Stream.CONTAINER, c.stream());
        assertEquals(ID, c.containerId());
        assertNull(c.containerName());
    }

    @Test
    void fullIdTagGivesTheId() {
        String full = ID + "0123456789abcdef0123456789abcdef0123456789abcdef0123";
        assertEquals(full, tagged(full).containerId());
    }

    @Test
    void nameIdTemplateGivesNameAndId() {
        Classification c = tagged("web/" + ID);
        assertEquals("web", c.containerName());
        assertEquals(ID, c.containerId());
    }

    @Test
    void realImageNameNameIdTemplateGivesNameAndId() {
        // [real] log_tags docs: "hello-world/foobar/5790672ab6a0[9103]".
        Classification c = tagged("hello-world/foobar/" + ID + "[9103]");
        assertEquals("foobar", c.containerName());
        assertEquals(ID, c.containerId());
    }

    @Test
    void imageWithRegistryPortAndTagDoesNotConfuseTheName() {
        Classification c = tagged("registry.example.com:5000/org/nginx:1.25/web-1/" + ID);
        assertEquals("web-1", c.containerName());
        assertEquals(ID, c.containerId());
    }

    @Test
    void handWrittenDockerPrefixNameTagGivesTheName() {
        Classification c = tagged("docker/web");
        assertEquals(Stream.CONTAINER, c.stream());
        assertEquals("web", c.containerName());
    }

    @Test
    void realTemplateWithBracesIsOther() {
        // [real] docs.docker.com syslog page: tag "{taskid:aa,version:}".
        assertEquals(Stream.OTHER, tagged("{taskid:aa,version:}").stream());
    }

    @Test
    void ordinaryProgramIdentIsOther() {
        Classification c = tagged("sshd");
        assertEquals(Stream.OTHER, c.stream());
        assertNull(c.containerName());
    }

    @Test
    void noTagAndPlainTextIsOther() {
        assertEquals(Stream.OTHER, classifier.classify(null, null, "hello").stream());
    }

    @Test
    void upperCaseHexIsNotADockerId() {
        assertEquals(Stream.OTHER, tagged("5790672AB6A0").stream());
    }
}
