package io.auditwatch.service.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the admin server serves beyond {@code /metrics} and {@code /health}: the readiness checks,
 * the source of {@code /status} and {@code /api/nodes}, and the service's own JSON endpoints
 * (maintenance windows, decommissioning, silences, test alerts).
 *
 * <p>Filled in before {@link AdminServer#start}, which takes a snapshot; later changes have no
 * effect. Handlers run on the admin server's handler thread, never on an I/O thread, so a slow one
 * delays other admin requests but never a listener; still, a handler that sends mail should hand
 * the work off and answer 202.
 */
public final class AdminRoutes {

    /** The built-in paths; an extension may not shadow them. */
    static final Set<String> BUILT_IN = Set.of("/metrics", "/health", "/ready", "/status", "/api/nodes");

    private final List<ReadinessCheck> checks = new ArrayList<>();
    private final List<ReadinessCheck> liveness = new ArrayList<>();
    private final Map<String, Supplier<AdminResponse>> gets = new LinkedHashMap<>();
    private final Map<String, Function<Map<String, String>, AdminResponse>> queries = new LinkedHashMap<>();
    private final Map<String, Operation> posts = new LinkedHashMap<>();
    private Supplier<StatusView> status = () -> new StatusView(Instant.now(), List.of(), Map.of());

    /** Adds a {@code /ready} check; checks are reported in the order added. */
    public AdminRoutes readiness(ReadinessCheck check) {
        return add(checks, check, "readiness");
    }

    /**
     * Adds a {@code /health} check: one that is down means the process cannot recover by itself and
     * should be restarted. Its detail is served without authentication, so it names a state and an
     * exception class, never a message that could carry an address or a secret.
     */
    public AdminRoutes liveness(ReadinessCheck check) {
        return add(liveness, check, "liveness");
    }

    private AdminRoutes add(List<ReadinessCheck> to, ReadinessCheck check, String what) {
        Objects.requireNonNull(check, "check");
        if (to.stream().anyMatch(c -> c.name().equals(check.name()))) {
            throw new IllegalArgumentException("duplicate " + what + " check " + check.name());
        }
        to.add(check);
        return this;
    }

    /** The source of {@code /status} and {@code /api/nodes}; called once per request. */
    public AdminRoutes status(Supplier<StatusView> source) {
        this.status = Objects.requireNonNull(source, "source");
        return this;
    }

    /** Serves {@code GET path} (and {@code HEAD path}) with {@code handler}. */
    public AdminRoutes get(String path, Supplier<AdminResponse> handler) {
        checkPath(path, gets);
        checkPath(path, queries);
        gets.put(path, Objects.requireNonNull(handler, "handler"));
        return this;
    }

    /**
     * Serves {@code GET path?name=value&...} (and {@code HEAD}) with {@code handler}, which gets the first
     * value of each query parameter, URL-decoded.
     */
    public AdminRoutes getWithQuery(String path, Function<Map<String, String>, AdminResponse> handler) {
        checkPath(path, gets);
        checkPath(path, queries);
        queries.put(path, Objects.requireNonNull(handler, "handler"));
        return this;
    }

    /**
     * A POST route's handler: what the authenticated principal asked, with the JSON body. It runs
     * only for {@link AdminRole#OPERATOR} principals, after the Content-Type, Host, Origin and
     * authentication checks (deploy/README.md, "Admin access").
     */
    @FunctionalInterface
    public interface Operation {
        /**
         * @param who the principal that asked ({@link AdminPrincipal#ANONYMOUS} when the server
         *     requires no authentication)
         * @param body the JSON body; an empty body is passed as an empty object
         */
        AdminResponse apply(AdminPrincipal who, JsonNode body);
    }

    /**
     * Serves {@code POST path} with {@code operation}, which learns who asked. The body must be
     * JSON; anything else gets 400 before {@code operation} is called.
     */
    public AdminRoutes post(String path, Operation operation) {
        checkPath(path, posts);
        posts.put(path, Objects.requireNonNull(operation, "operation"));
        return this;
    }

    /** Serves {@code POST path} with a handler that needs only the body (see {@link #post(String, Operation)}). */
    public AdminRoutes post(String path, Function<JsonNode, AdminResponse> handler) {
        Objects.requireNonNull(handler, "handler");
        return post(path, (Operation) (who, body) -> handler.apply(body));
    }

    private static void checkPath(String path, Map<String, ?> sameMethod) {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/") || path.indexOf('?') >= 0) {
            throw new IllegalArgumentException("path must start with '/' and carry no query: " + path);
        }
        if (BUILT_IN.contains(path)) {
            throw new IllegalArgumentException("built-in admin path: " + path);
        }
        if (sameMethod.containsKey(path)) {
            throw new IllegalArgumentException("path already routed: " + path);
        }
    }

    /** An immutable copy, taken when the server starts. */
    Snapshot snapshot() {
        return new Snapshot(List.copyOf(checks), List.copyOf(liveness), Map.copyOf(gets), Map.copyOf(queries),
                Map.copyOf(posts), status);
    }

    record Snapshot(
            List<ReadinessCheck> checks,
            List<ReadinessCheck> liveness,
            Map<String, Supplier<AdminResponse>> gets,
            Map<String, Function<Map<String, String>, AdminResponse>> queries,
            Map<String, Operation> posts,
            Supplier<StatusView> status) {
    }
}
