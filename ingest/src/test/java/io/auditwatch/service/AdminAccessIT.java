package io.auditwatch.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.ingest.transport.TestPki;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The admin API's refusals against a running service whose admin port speaks HTTPS (certificates
 * from openssl), with an operator and a read user, and client certificates ({@code optional}):
 * {@code admin-operator} maps to the operator role, every other verified certificate to read.
 * Requests are written by hand over TLS sockets, so Host, Origin and Content-Type are exactly what
 * the test says (the JDK's HTTP client will not send a foreign Host).
 */
class AdminAccessIT {
    private static final String OPERATOR = "ops:operator-password-for-tests";
    private static final String READER = "prometheus:read-password-for-tests";
    private static final String NODE = "acl-node-1";

    static TestPki pki;

    @RegisterExtension
    static final TestService service = TestService.configuredBy(dir -> {
        pki = new TestPki(Files.createDirectories(dir.resolve("pki")));
        pki.ca("ca");
        pki.leaf("server", "ca", "127.0.0.1", "IP:127.0.0.1,DNS:localhost");
        pki.leaf("operator-client", "ca", "admin-operator", null);
        pki.leaf("scraper-client", "ca", "prometheus-scraper", null);
        Path operatorPassword = dir.resolve("operator-password");
        Files.writeString(operatorPassword, OPERATOR.substring(4) + "\n");
        Path readPassword = dir.resolve("read-password");
        Files.writeString(readPassword, READER.substring(11) + "\n");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AUDITWATCH_ADMIN_USERNAME", "ops");
        env.put("AUDITWATCH_ADMIN_PASSWORD_FILE", operatorPassword.toString());
        env.put("AUDITWATCH_ADMIN_READ_USERNAME", "prometheus");
        env.put("AUDITWATCH_ADMIN_READ_PASSWORD_FILE", readPassword.toString());
        env.put("AUDITWATCH_ADMIN_TLS_CERT_FILE", pki.file("server.crt").toString());
        env.put("AUDITWATCH_ADMIN_TLS_KEY_FILE", pki.file("server.key").toString());
        env.put("AUDITWATCH_ADMIN_TLS_CLIENT_CA_FILE", pki.file("ca.crt").toString());
        env.put("AUDITWATCH_ADMIN_TLS_CLIENT_AUTH", "optional");
        env.put("AUDITWATCH_ADMIN_TLS_OPERATOR_SUBJECTS", "admin-operator");
        return env;
    });

    static SSLContext noCertificate;
    static SSLContext operatorCertificate;
    static SSLContext scraperCertificate;

    @BeforeAll
    static void oneNodeIsKnown() throws Exception {
        noCertificate = pki.clientContext("ca", null);
        operatorCertificate = pki.clientContext("ca", "operator-client");
        scraperCertificate = pki.clientContext("ca", "scraper-client");
        service.awaitHeartbeatReading();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), service.tcpPort())) {
            s.getOutputStream().write(("<30>1 " + Instant.now() + " " + NODE
                    + " web/3f2a9c1d0b7e 1 web/3f2a9c1d0b7e - hello\n").getBytes(UTF_8));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> service.service().tracker().node(NODE).isPresent());
    }

    /** One answer: status, lower-cased header names, body. */
    record Reply(int status, Map<String, String> headers, String body) {
    }

    /** A request with {@code Host: 127.0.0.1:port} unless {@code headers} names another; {@code body} null for none. */
    static Reply send(SSLContext tls, String method, String path, Map<String, String> headers, String body)
            throws IOException {
        int port = service.service().adminPort();
        try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
            Map<String, String> h = new LinkedHashMap<>();
            h.put("Host", "127.0.0.1:" + port);
            h.putAll(headers);
            byte[] bytes = body == null ? new byte[0] : body.getBytes(UTF_8);
            h.put("Content-Length", Integer.toString(bytes.length));
            h.put("Connection", "close");
            h.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
            req.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(UTF_8));
            out.write(bytes);
            out.flush();
            String answer = new String(s.getInputStream().readAllBytes(), UTF_8);
            int end = answer.indexOf("\r\n\r\n");
            String[] lines = answer.substring(0, end).split("\r\n");
            Map<String, String> rh = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                rh.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
            return new Reply(Integer.parseInt(lines[0].split(" ")[1]), rh, answer.substring(end + 4));
        }
    }

    static Map<String, String> json(String credentials) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        if (credentials != null) {
            h.put("Authorization", basic(credentials));
        }
        return h;
    }

    static String basic(String userColonPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(UTF_8));
    }

    static String maintenance(String until, String reason) {
        return "{\"node\":\"" + NODE + "\",\"until\":\"" + until + "\"" + (reason == null ? "" : ",\"reason\":\"" + reason + "\"") + "}";
    }

    static boolean inMaintenance() {
        return service.service().tracker().node(NODE).orElseThrow().state().name().equals("MAINTENANCE");
    }

    /** {@code auditwatch_admin_refused_total{reason=...}} as the operator scrapes it. */
    static double refused(String reason) throws IOException {
        String metrics = send(noCertificate, "GET", "/metrics", Map.of("Authorization", basic(READER)), null).body();
        Matcher m = Pattern.compile("auditwatch_admin_refused_total\\{reason=\"" + reason + "\"} (\\S+)").matcher(metrics);
        assertTrue(m.find(), metrics);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void unauthenticatedPostIs401AndChangesNothing() throws Exception {
        double before = refused("unauthenticated");
        Reply r = send(noCertificate, "POST", "/api/maintenance", json(null), maintenance("2h", "patching"));
        assertEquals(401, r.status(), r.body());
        assertTrue(r.headers().get("www-authenticate").startsWith("Basic realm="), r.headers().toString());
        assertFalse(inMaintenance());
        assertEquals(before + 1, refused("unauthenticated"));
    }

    @Test
    void wrongPasswordIs401() throws Exception {
        assertEquals(401, send(noCertificate, "POST", "/api/maintenance", json("ops:guess"),
                maintenance("2h", "patching")).status());
        assertEquals(401, send(noCertificate, "GET", "/status", Map.of("Authorization", basic("prometheus:guess")),
                null).status());
        assertFalse(inMaintenance());
    }

    @Test
    void readCredentialsScrapeAndReadButNeverPost() throws Exception {
        Map<String, String> read = Map.of("Authorization", basic(READER));
        assertEquals(200, send(noCertificate, "GET", "/metrics", read, null).status());
        assertEquals(200, send(noCertificate, "GET", "/status", read, null).status());
        assertEquals(200, send(noCertificate, "GET", "/api/nodes", read, null).status());
        double before = refused("role");
        Reply r = send(noCertificate, "POST", "/api/maintenance", json(READER), maintenance("2h", "patching"));
        assertEquals(403, r.status(), r.body());
        assertFalse(inMaintenance());
        assertEquals(before + 1, refused("role"));
    }

    @Test
    void postWithoutJsonContentTypeIs415EvenForTheOperator() throws Exception {
        double before = refused("content_type");
        Reply none = send(noCertificate, "POST", "/api/maintenance", Map.of("Authorization", basic(OPERATOR)),
                maintenance("2h", "patching"));
        assertEquals(415, none.status(), none.body());
        Reply text = send(noCertificate, "POST", "/api/maintenance",
                Map.of("Authorization", basic(OPERATOR), "Content-Type", "text/plain;charset=UTF-8"),
                maintenance("2h", "patching"));
        assertEquals(415, text.status(), text.body());
        assertFalse(inMaintenance());
        assertEquals(before + 2, refused("content_type"));
    }

    @Test
    void foreignHostIsRefused() throws Exception {
        Map<String, String> h = new LinkedHashMap<>(Map.of("Authorization", basic(OPERATOR)));
        h.put("Host", "rebound.attacker.example:" + service.service().adminPort());
        Reply r = send(noCertificate, "GET", "/api/nodes", h, null);
        assertEquals(421, r.status(), r.body());
        assertFalse(r.body().contains(NODE), "nothing of the node table reaches a rebound page");
        h.put("Host", "localhost");
        assertEquals(200, send(noCertificate, "GET", "/api/nodes", h, null).status(), "loopback names are answered");
    }

    @Test
    void foreignOriginIsRefusedWithoutCorsHeaders() throws Exception {
        Map<String, String> h = json(OPERATOR);
        h.put("Origin", "https://attacker.example");
        Reply r = send(noCertificate, "POST", "/api/maintenance", h, maintenance("2h", "patching"));
        assertEquals(403, r.status(), r.body());
        assertTrue(r.headers().keySet().stream().noneMatch(k -> k.startsWith("access-control-")), r.headers().toString());
        assertFalse(inMaintenance());
        h.put("Origin", "null");
        assertEquals(403, send(noCertificate, "POST", "/api/maintenance", h, maintenance("2h", "patching")).status());
    }

    @Test
    void maintenanceBeyondTheMaximumOrWithoutReasonIs400() throws Exception {
        Reply tooLong = send(noCertificate, "POST", "/api/maintenance", json(OPERATOR), maintenance("8d", "long"));
        assertEquals(400, tooLong.status(), tooLong.body());
        assertTrue(tooLong.body().contains("admin.maintenance-max (7d)"), tooLong.body());
        Reply tenYears = send(noCertificate, "POST", "/api/maintenance", json(OPERATOR),
                maintenance(Instant.now().plus(Duration.ofDays(3650)).toString(), "forever"));
        assertEquals(400, tenYears.status(), tenYears.body());
        Reply noReason = send(noCertificate, "POST", "/api/maintenance", json(OPERATOR), maintenance("2h", null));
        assertEquals(400, noReason.status(), noReason.body());
        assertTrue(noReason.body().contains("reason"), noReason.body());
        Reply blank = send(noCertificate, "POST", "/api/maintenance", json(OPERATOR), maintenance("2h", "  "));
        assertEquals(400, blank.status(), blank.body());
        assertFalse(inMaintenance());
    }

    @Test
    void testAlertsAreRateLimitedWithRetryAfter() throws Exception {
        Reply first = send(noCertificate, "POST", "/api/test-alert", json(OPERATOR), "{}");
        assertEquals(202, first.status(), first.body());
        Reply second = send(noCertificate, "POST", "/api/test-alert", json(OPERATOR), "{}");
        assertEquals(429, second.status(), second.body());
        long retry = Long.parseLong(second.headers().get("retry-after"));
        assertTrue(retry > 0 && retry <= 300, "Retry-After " + retry);
    }

    @Test
    void operatorCertificateAuthenticatesWithoutPassword() throws Exception {
        Reply on = send(operatorCertificate, "POST", "/api/maintenance", json(null), maintenance("1h", "mtls test"));
        assertEquals(200, on.status(), on.body());
        assertTrue(inMaintenance());
        Reply off = send(operatorCertificate, "POST", "/api/maintenance/end", json(null), "{\"node\":\"" + NODE + "\"}");
        assertEquals(200, off.status(), off.body());
        assertFalse(inMaintenance());
    }

    @Test
    void otherVerifiedCertificatesGetTheReadRole() throws Exception {
        assertEquals(200, send(scraperCertificate, "GET", "/metrics", Map.of(), null).status());
        Reply r = send(scraperCertificate, "POST", "/api/maintenance", json(null), maintenance("1h", "scraper"));
        assertEquals(403, r.status(), r.body());
        assertFalse(inMaintenance());
    }

    @Test
    void theCliTalksHttpsWithTheOperatorCredentials() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = Main.run(new String[] {"nodes"}, service.env(), new java.io.PrintStream(out, true, UTF_8),
                new java.io.PrintStream(err, true, UTF_8));
        assertEquals(0, code, err.toString(UTF_8));
        assertTrue(out.toString(UTF_8).contains(NODE), out.toString(UTF_8));
    }
}
