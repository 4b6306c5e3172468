package io.auditwatch.service.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A complete response of an admin route. Bodies are small (JSON documents, one HTML page, one
 * scrape), so they are built in memory.
 *
 * @param status HTTP status code
 * @param contentType value of the Content-Type header
 * @param body the body; the array is not copied, do not modify it after construction
 * @param headers further response headers (e.g. {@code Retry-After}); never CORS headers
 * @param refusal why the request was refused (counted and logged by the server), or null
 */
public record AdminResponse(int status, String contentType, byte[] body, Map<String, String> headers,
        AdminRefusal refusal) {

    static final String JSON = "application/json; charset=utf-8";
    static final String HTML = "text/html; charset=utf-8";

    public AdminResponse {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status " + status);
        }
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
        headers = Map.copyOf(headers);
    }

    public AdminResponse(int status, String contentType, byte[] body) {
        this(status, contentType, body, Map.of(), null);
    }

    /** {@code value} serialised by Jackson (maps, lists, records, JsonNode). */
    public static AdminResponse json(int status, Object value) {
        try {
            return new AdminResponse(status, JSON, Json.MAPPER.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not serialisable as JSON: " + value.getClass(), e);
        }
    }

    /** {@code {"error": message}} with the given status; the admin API's one error shape. */
    public static AdminResponse error(int status, String message) {
        return json(status, Map.of("error", message));
    }

    /**
     * An {@link #error} that is a refusal: the server counts it in {@code auditwatch_admin_refused_total}
     * and logs it (rate-limited). {@code message} goes to the client only, never to the log.
     */
    public static AdminResponse refused(AdminRefusal reason, int status, String message) {
        AdminResponse e = error(status, message);
        return new AdminResponse(e.status, e.contentType, e.body, Map.of(), Objects.requireNonNull(reason, "reason"));
    }

    /** This response with one more header. */
    public AdminResponse withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new AdminResponse(status, contentType, body, h, refusal);
    }

    static AdminResponse html(int status, String html) {
        return new AdminResponse(status, HTML, html.getBytes(StandardCharsets.UTF_8));
    }
}
