package io.auditwatch.ingest.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.auditwatch.heartbeat.Stream;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassifierDockerdTest {
    private final Classifier classifier = new Classifier();

    private static List<String[]> journal() {
        return Fixtures.lines("dockerd-journal-real.tsv").stream().map(l -> l.split("\t", 2)).toList();
    }

    @Test
    void realDockerdLinesAreDockerdWithLevelMsgAndTime() {
        for (String[] line : journal().subList(0, 4)) {
            Classification c = classifier.classify(line[0], "host", line[1]);
            assertEquals(Stream.DOCKERD, c.stream(), line[1]);
            assertEquals("dockerd", c.component());
            assertEquals("info", c.fields().get("level"));
            assertNull(c.shortfall());
        }
    }

    @Test
    void logfmtValuesAreUnquotedAndExtraKeysKept() {
        String[] line = journal().get(1);
        Classification c = classifier.classify(line[0], null, line[1]);
        assertEquals("Docker daemon", c.fields().get("msg"));
        assertEquals("2022-06-20T04:44:26.663633019Z", c.fields().get("time"));
        assertEquals("a89b842", c.fields().get("commit"));
        assertEquals("overlay2", c.fields().get("graphdriver(s)"));
    }

    @Test
    void distributionBinaryNameIsDockerd() {
        String[] line = journal().get(4);
        Classification c = classifier.classify(line[0], null, line[1]);
        assertEquals(Stream.DOCKERD, c.stream());
        assertEquals("dockerd", c.component());
        assertEquals("warning", c.fields().get("level"));
    }

    @Test
    void ellipsizedLineWithALostQuoteIsDockerdWithIncompleteFields() {
        String[] line = journal().get(5);
        Classification c = classifier.classify(line[0], null, line[1]);
        assertEquals(Stream.DOCKERD, c.stream());
        assertEquals(ParseShortfall.FIELDS_INCOMPLETE, c.shortfall());
        assertEquals("warning", c.fields().get("level"));
    }

    @Test
    void escapedQuotesInsideAValueAreUnescaped() {
        Classification c = classifier.classify("dockerd", null,
                "time=\"2024-01-02T03:04:05Z\" level=error msg=\"pull failed\" error=\"manifest \\\"x\\\" unknown\"");
        assertEquals("manifest \"x\" unknown", c.fields().get("error"));
    }

    @Test
    void containerdIdentIsDockerdStreamWithContainerdComponent() {
        Classification c = classifier.classify("containerd", null,
                "time=\"2024-01-02T03:04:05.1Z\" level=info msg=\"loading plugin\" type=io.containerd.grpc.v1");
        assertEquals(Stream.DOCKERD, c.stream());
        assertEquals("containerd", c.component());
    }

    @Test
    void untaggedLogrusLineIsDockerdWithoutAComponent() {
        Classification c = classifier.classify(null, null, journal().get(0)[1]);
        assertEquals(Stream.DOCKERD, c.stream());
        assertNull(c.component());
    }

    @Test
    void logrusLineUnderSomeOtherProgramsTagIsOther() {
        Classification c = classifier.classify("myapp", null, journal().get(0)[1]);
        assertEquals(Stream.OTHER, c.stream());
    }

    @Test
    void dockerdJsonLogFormatIsParsed() {
        // [built] dockerd --log-format=json (logrus JSON formatter) shape.
        Classification c = classifier.classify("dockerd", null,
                "{\"level\":\"info\",\"msg\":\"API listen on /run/docker.sock\",\"time\":\"2024-01-02T03:04:05Z\"}");
        assertEquals(Stream.DOCKERD, c.stream());
        assertEquals("API listen on /run/docker.sock", c.fields().get("msg"));
    }

    @Test
    void plainTextFromDockerdIsDockerdWithoutFields() {
        Classification c = classifier.classify("dockerd", null, "panic: runtime error");
        assertEquals(Stream.DOCKERD, c.stream());
        assertEquals(0, c.fields().size());
        assertNull(c.shortfall());
    }
}
