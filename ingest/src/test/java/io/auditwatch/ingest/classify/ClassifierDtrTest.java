package io.auditwatch.ingest.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.auditwatch.heartbeat.Stream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClassifierDtrTest {
    private static final String TAG_PUSH = Fixtures.line("dtr-webhook-tag-push-real.json");
    private final Classifier classifier = new Classifier();

    @Test
    void realTagPushWebhookIsDtrAuditWithActionAndObject() {
        Classification c = classifier.classify("dtr-api-0123456789ab", null, TAG_PUSH);
        assertEquals(Stream.DTR_AUDIT, c.stream());
        assertEquals("dtr-api", c.component());
        assertNull(c.shortfall());
        Map<String, Object> f = c.fields();
        assertEquals("webhook", f.get("format"));
        assertEquals("TAG_PUSH", f.get("type"));
        assertEquals("create", f.get("action"));
        assertEquals("tag", f.get("objectType"));
        assertEquals("foo/bar", f.get("repository"));
        assertEquals("latest", f.get("tag"));
        assertEquals("sha256:b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c", f.get("digest"));
        assertEquals("/repositories/foo/bar/tags/latest", f.get("location"));
        assertEquals("2019-05-15T19:39:40.607337713Z", f.get("createdAt"));
    }

    @Test
    void webhookPayloadLoggedByAnyContainerIsDtrAudit() {
        Classification c = classifier.classify("5790672ab6a0", null, TAG_PUSH);
        assertEquals(Stream.DTR_AUDIT, c.stream());
        assertNull(c.component());
        assertEquals("5790672ab6a0", c.containerId());
    }

    @ParameterizedTest
    @CsvSource({
        "TAG_PULL, get, tag",
        "TAG_DELETE, delete, tag",
        "MANIFEST_PUSH, create, manifest",
        "SCAN_COMPLETED, scan, tag",
        "SCAN_FAILED, fail, tag",
        "PUSH_MIRRORING, send, push mirroring",
        "POLL_MIRRORING, get, poll mirroring",
        "PROMOTION, create, promotion",
        "REPO_DELETED, delete, repository"})
    void webhookTypeMapsToTheStigActionAndObject(String type, String action, String objectType) {
        Classification c = classifier.classify(null, null, TAG_PUSH.replace("TAG_PUSH", type));
        assertEquals(action, c.fields().get("action"));
        assertEquals(objectType, c.fields().get("objectType"));
    }

    @Test
    void activityEventFromADtrContainerIsDtrAuditBestEffort() {
        // [built] no public schema exists for DTR's activity events (ingest/README.md, "DTR / MSR events"): likely key names.
        Classification c = classifier.classify("dtr-jobrunner-0123456789ab", null,
                "{\"type\":\"DELETE\",\"objectType\":\"tag\",\"repository\":\"org/app\",\"tag\":\"v1\","
                        + "\"actor\":\"admin\",\"publishedAt\":\"2024-03-01T10:00:00Z\"}");
        assertEquals(Stream.DTR_AUDIT, c.stream());
        assertEquals("dtr-jobrunner", c.component());
        assertEquals("event", c.fields().get("format"));
        assertEquals("delete", c.fields().get("action"));
        assertEquals("tag", c.fields().get("objectType"));
        assertEquals("org/app", c.fields().get("repository"));
        assertEquals("admin", c.fields().get("initiator"));
    }

    @Test
    void actionShapedJsonFromANonDtrContainerIsNotDtr() {
        Classification c = classifier.classify("5790672ab6a0", null, "{\"type\":\"create\",\"id\":7}");
        assertEquals(Stream.CONTAINER, c.stream());
    }

    @Test
    void otherDtrOutputIsContainerWithTheComponent() {
        Classification c = classifier.classify("dtr-nginx-0123456789ab", null,
                "10.0.0.5 - - [01/Mar/2024:10:00:00 +0000] \"GET /_ping HTTP/1.1\" 200 2");
        assertEquals(Stream.CONTAINER, c.stream());
        assertEquals("dtr-nginx", c.component());
        assertEquals("dtr-nginx-0123456789ab", c.containerName());
    }

    @ParameterizedTest
    @CsvSource({
        "dtr-notary-server-0123456789ab, dtr-notary-server",
        "dtr-rethinkdb-0123456789ab, dtr-rethinkdb",
        "mirantis/dtr-api:2.9.16/dtr-api-0123456789ab/5790672ab6a0, dtr-api",
        "dtr-something-new-0123456789ab, dtr",
        "dtr-api, dtr-api"})
    void dtrContainerNamesGiveABoundedComponent(String tag, String component) {
        assertEquals(component, classifier.classify(tag, null, "starting").component());
    }

    @Test
    void truncatedWebhookStaysDtrAuditWithTheReason() {
        Classification c = classifier.classify("dtr-api-0123456789ab", null, TAG_PUSH.substring(0, 100));
        assertEquals(Stream.DTR_AUDIT, c.stream());
        assertEquals(ParseShortfall.JSON_TRUNCATED, c.shortfall());
    }
}
