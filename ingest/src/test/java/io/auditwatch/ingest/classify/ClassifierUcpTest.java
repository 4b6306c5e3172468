package io.auditwatch.ingest.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.heartbeat.Stream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClassifierUcpTest {
    private static final String UCP = Fixtures.line("ucp-controller-audit-real.json");
    private static final String K8S = Fixtures.line("k8s-event-real.json");
    private final Classifier classifier = new Classifier();

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @Test
    void realUcpLineFromUcpControllerIsUcpAuditWithItsFields() {
        Classification c = classifier.classify("ucp-controller", "mgr-1", UCP);
        assertEquals(Stream.UCP_AUDIT, c.stream());
        assertEquals("ucp-controller", c.component());
        assertNull(c.shortfall());
        Map<String, Object> f = c.fields();
        assertEquals("ucp", f.get("format"));
        assertEquals("f8ce4684-cb55-4c88-652c-d2ebd2e9365e", f.get("auditID"));
        assertEquals("docker-swarm", f.get("kind"));
        assertEquals("metadata", f.get("level"));
        assertEquals("RequestReceived", f.get("stage"));
        assertEquals("GET", f.get("verb"));
        assertTrue(((String) f.get("requestURI")).startsWith("/metricsservice/query?query="));
        assertEquals(List.of("172.31.45.250:48516"), f.get("sourceIPs"));
        assertEquals("2019-01-30T17:21:45.316157Z", f.get("requestReceivedTimestamp"));
        assertEquals("info", f.get("logLevel"));
        assertEquals("2019-01-30T17:21:45Z", f.get("logTime"));
    }

    @Test
    void humanUserNameComesFromExtraBecauseUsernameIsTheAccountUuid() {
        Map<String, Object> f = classifier.classify("ucp-controller", null, UCP).fields();
        assertEquals("admin", f.get("username"));
        assertEquals("4ec3c2fc-312b-4e66-bb4f-b64b8f0ee42a", map(f.get("user")).get("uid"));
    }

    @Test
    void licenseKeyIsRedactedInFieldsByDefault() {
        Map<String, Object> f = classifier.classify("ucp-controller", null, UCP).fields();
        assertEquals("[redacted]", map(map(f.get("user")).get("extra")).get("licenseKey"));
        assertFalse(f.toString().contains("FHy6u1SSg_U_Fbo24yYUmtbH"));
    }

    @Test
    void licenseKeyIsKeptWhenRedactionIsOff() {
        Map<String, Object> f = new Classifier(false).classify("ucp-controller", null, UCP).fields();
        assertEquals(List.of("FHy6u1SSg_U_Fbo24yYUmtbH-ixRlwrpEQpdO_ntmkoz"),
                map(map(f.get("user")).get("extra")).get("licenseKey"));
    }

    @Test
    void auditLineUnderTheDefaultIdTagStillNamesUcpController() {
        Classification c = classifier.classify("5790672ab6a0", null, UCP);
        assertEquals(Stream.UCP_AUDIT, c.stream());
        assertEquals("ucp-controller", c.component());
        assertEquals("5790672ab6a0", c.containerId());
    }

    @Test
    void imageNameIdTemplateGivesContainerNameAndId() {
        Classification c = classifier.classify("mirantis/ucp-controller:3.7.5/ucp-controller/5790672ab6a0", null, UCP);
        assertEquals("ucp-controller", c.containerName());
        assertEquals("5790672ab6a0", c.containerId());
        assertEquals("ucp-controller", c.component());
    }

    @Test
    void nonAuditLineFromUcpControllerIsContainerWithTheComponent() {
        // [built] a logrus JSON line of the kind ucp-controller writes between audit entries.
        Classification c = classifier.classify("ucp-controller", null,
                "{\"level\":\"info\",\"msg\":\"Reconciling cluster config\",\"time\":\"2019-01-30T17:21:46Z\"}");
        assertEquals(Stream.CONTAINER, c.stream());
        assertEquals("ucp-controller", c.component());
        assertEquals("ucp-controller", c.containerName());
    }

    @Test
    void realKubernetesEventIsUcpAudit() {
        Classification c = classifier.classify("ucp-kube-apiserver", null, K8S);
        assertEquals(Stream.UCP_AUDIT, c.stream());
        assertEquals("ucp-kube-apiserver", c.component());
        Map<String, Object> f = c.fields();
        assertEquals("k8s", f.get("format"));
        assertEquals("Event", f.get("kind"));
        assertEquals("audit.k8s.io/v1", f.get("apiVersion"));
        assertEquals("get", f.get("verb"));
        assertEquals("/readyz", f.get("requestURI"));
        assertEquals(200, f.get("responseCode"));
        assertEquals("system:anonymous", f.get("username"));
        assertEquals("kube-probe/1.25", f.get("userAgent"));
        assertEquals("allow", map(f.get("annotations")).get("authorization.k8s.io/decision"));
    }

    @Test
    void kubernetesEventFromAnUntaggedSenderHasNoComponent() {
        Classification c = classifier.classify(null, null, K8S);
        assertEquals(Stream.UCP_AUDIT, c.stream());
        assertNull(c.component());
    }

    @Test
    void requestPayloadIsLeftInTheRawOnly() {
        // [built] the real line with a request-level payload added to its audit object.
        String withPayload = UCP.replace("\"verb\":\"GET\"}",
                "\"verb\":\"POST\",\"requestObject\":{\"Name\":\"web\",\"Labels\":{\"a\":\"b\"}}}");
        Classification c = classifier.classify("ucp-controller", null, withPayload);
        assertEquals("POST", c.fields().get("verb"));
        assertFalse(c.fields().containsKey("requestObject"));
        assertNull(c.shortfall());
    }

    @Test
    void jsonMentioningAuditIdElsewhereFallsBackToContainer() {
        Classification c = classifier.classify("5790672ab6a0", null, "{\"query\":{\"auditID\":\"x\"},\"took\":3}");
        assertEquals(Stream.CONTAINER, c.stream());
        assertNull(c.shortfall());
    }

    @Test
    void truncatedAuditLineStaysUcpAuditWithTheReason() {
        Classification c = classifier.classify("ucp-controller", null, UCP.substring(0, 300));
        assertEquals(Stream.UCP_AUDIT, c.stream());
        assertEquals(ParseShortfall.JSON_TRUNCATED, c.shortfall());
        assertEquals(ParseShortfall.JSON_TRUNCATED.description(), c.parseNote());
        assertEquals(Map.of(), c.fields());
    }

    @Test
    void lastPieceOfACutAuditLineIsRecognisedByItsTail() {
        Classification c = classifier.classify("ucp-controller", null, UCP.substring(UCP.length() - 120));
        assertEquals(Stream.UCP_AUDIT, c.stream());
        assertEquals(ParseShortfall.JSON_MALFORMED, c.shortfall());
    }
}
