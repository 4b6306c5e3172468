package io.auditwatch.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditwatch.service.config.Config;
import io.auditwatch.service.config.Keys;
import io.auditwatch.service.config.Secrets;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * The CLI's way to a running instance: the admin HTTP API with the operator's Basic credentials;
 * HTTPS when {@code admin.tls.cert-file} is set, trusting exactly the certificates in that file (the
 * CLI runs beside the service and reads its configuration), so the certificate must name the
 * address the CLI connects to ({@code admin.host}, or 127.0.0.1 for a wildcard bind).
 */
final class AdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The admin server answers in milliseconds; a test alert may wait on the relay a little. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** A reply, or why there was none. */
    record Reply(boolean reachable, int status, JsonNode json, String error) {
        boolean ok() {
            return reachable && status / 100 == 2;
        }

        String describe() {
            if (!reachable) {
                return "no auditwatch admin server answers: " + error;
            }
            String msg = json != null && json.has("error") ? json.get("error").asText() : String.valueOf(json);
            return "admin API answered " + status + ": " + msg;
        }
    }

    private final String base;
    private final String authorization;
    private final HttpClient http;

    private AdminClient(String base, String authorization, HttpClient http) {
        this.base = base;
        this.authorization = authorization;
        this.http = http;
    }

    static AdminClient of(Config config) {
        String host = config.get(Keys.ADMIN_HOST);
        if (host.equals("0.0.0.0") || host.equals("::")) {
            host = "127.0.0.1";
        }
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        String auth = null;
        String user = config.get(Keys.ADMIN_USERNAME);
        if (!user.isEmpty()) {
            char[] pw = Secrets.read(config, Keys.ADMIN_PASSWORD, Keys.ADMIN_PASSWORD_FILE);
            auth = "Basic " + Base64.getEncoder().encodeToString((user + ":" + (pw == null ? "" : new String(pw)))
                    .getBytes(StandardCharsets.UTF_8));
        }
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        String cert = config.get(Keys.ADMIN_TLS_CERT);
        if (!cert.isEmpty()) {
            try {
                http.sslContext(trusting(Path.of(cert)));
            } catch (IOException | GeneralSecurityException e) {
                throw config.invalid(Keys.ADMIN_TLS_CERT, "cannot read the certificates to trust: " + e.getMessage());
            }
        }
        return new AdminClient((cert.isEmpty() ? "http://" : "https://") + host + ":" + config.get(Keys.ADMIN_PORT),
                auth, http.build());
    }

    /** A client context whose only trust anchors are the certificates in {@code pem}. */
    private static SSLContext trusting(Path pem) throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("admin-" + i++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    Reply get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    Reply post(String path, Object body) {
        try {
            return send(HttpRequest.newBuilder(URI.create(base + path))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
        } catch (IOException e) {
            return new Reply(false, 0, null, e.getMessage());
        }
    }

    private Reply send(HttpRequest.Builder b) {
        b.timeout(TIMEOUT);
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        try {
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode json;
            try {
                json = JSON.readTree(r.body());
            } catch (IOException e) {
                json = JSON.getNodeFactory().textNode(new String(r.body(), StandardCharsets.UTF_8));
            }
            return new Reply(true, r.statusCode(), json, null);
        } catch (IOException e) {
            return new Reply(false, 0, null, base + " (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(false, 0, null, "interrupted");
        }
    }
}
