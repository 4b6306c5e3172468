package io.auditwatch.service.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.auditwatch.alerting.MeterDoc;
import io.auditwatch.ingest.log.RateLimitedLog;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes one aggregated request to its endpoint and writes the answer. Runs on the server's handler
 * executor, not on an I/O thread (see {@link AdminRoutes}). Shared by all connections: it holds no
 * per-connection state.
 */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);

    /** RFC 7617 section 2; {@code charset} tells browsers to send UTF-8 credentials. */
    private static final String CHALLENGE = "Basic realm=\"auditwatch\", charset=\"UTF-8\"";

    /**
     * Liveness: the process answers HTTP and no role has given up recovering by itself (the liveness
     * checks, e.g. a heartbeat consumer that keeps failing). Nothing more, so a slow Kafka never
     * restarts the pod.
     */
    private static final byte[] HEALTH_BODY = "{\"status\":\"UP\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private final PrometheusMeterRegistry registry;
    private final AdminRoutes.Snapshot routes;
    private final AdminAccess access;
    private final AdminMetrics metrics;
    /** One rate-limited log per refusal reason: a scanner or a hostile page costs a line per interval. */
    private final Map<AdminRefusal, RateLimitedLog> refusalLogs = new EnumMap<>(AdminRefusal.class);

    AdminHandler(PrometheusMeterRegistry registry, AdminRoutes.Snapshot routes, AdminAccess access,
            AdminMetrics metrics) {
        this.registry = registry;
        this.routes = routes;
        this.access = access;
        this.metrics = metrics;
        for (AdminRefusal r : AdminRefusal.values()) {
            refusalLogs.put(r, new RateLimitedLog(log, "admin requests refused (" + MeterDoc.label(r) + ")"));
        }
    }

    /**
     * The checks run in this order, each refusal answered before anything later happens: JSON
     * Content-Type of a POST, Host, Origin of a POST, authentication, role; then the route
     * (deploy/README.md, "Admin access"). {@code /health} skips Host and authentication: it says
     * only that the process answers.
     */
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
            write(ctx, request, path, AdminResponse.error(400, "malformed request"), false);
            return;
        }
        HttpMethod method = request.method();
        InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
        boolean post = method.equals(HttpMethod.POST);
        boolean health = path.equals("/health");
        AdminResponse refusal = null;
        AdminPrincipal who = null;
        if (post && !AdminAccess.json(request.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
            refusal = AdminResponse.refused(AdminRefusal.CONTENT_TYPE, 415, "expected Content-Type application/json");
        } else if (!health && !access.hostAllowed(request.headers().get(HttpHeaderNames.HOST), local)) {
            refusal = AdminResponse.refused(AdminRefusal.HOST, 421,
                    "Host is not a name of this server (admin.allowed-hosts)");
        } else if (post && !access.originAllowed(request.headers(), local)) {
            refusal = AdminResponse.refused(AdminRefusal.ORIGIN, 403, "cross-origin requests are refused");
        } else {
            who = access.authenticate(request.headers().get(HttpHeaderNames.AUTHORIZATION),
                    ctx.pipeline().get(SslHandler.class), remote(ctx));
            if (who == null && !health) {
                refusal = AdminResponse.refused(AdminRefusal.UNAUTHENTICATED, 401, "authentication required")
                        .withHeader(HttpHeaderNames.WWW_AUTHENTICATE.toString(), CHALLENGE);
            }
        }
        if (refusal != null) {
            write(ctx, request, path, refusal, keepAlive);
            return;
        }
        boolean read = method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
        Supplier<AdminResponse> get = getRoute(path, request);
        AdminRoutes.Operation operation = routes.posts().get(path);
        AdminResponse answer;
        if (get == null && operation == null) {
            answer = AdminResponse.error(404, "no such path");
        } else if (!(read && get != null) && !(post && operation != null)) {
            answer = AdminResponse.error(405, "method not allowed")
                    .withHeader(HttpHeaderNames.ALLOW.toString(), get != null ? "GET, HEAD" : "POST");
        } else if (who != null && !who.role().allows(method)) {
            answer = AdminResponse.refused(AdminRefusal.ROLE, 403, "the " + who.role().name().toLowerCase(
                    java.util.Locale.ROOT) + " role may not " + method.name());
        } else if (read) {
            answer = invoke(path, get);
        } else {
            answer = handlePost(path, request, operation, who);
        }
        write(ctx, request, path, answer, keepAlive);
    }

    private static String remote(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() : "unknown";
    }

    private Supplier<AdminResponse> getRoute(String path, FullHttpRequest request) {
        return switch (path) {
            case "/health" -> this::health;
            case "/metrics" -> () -> scrape(request.headers().get(HttpHeaderNames.ACCEPT));
            case "/ready" -> this::ready;
            case "/status" -> () -> AdminResponse.html(200, StatusPage.render(routes.status().get()));
            case "/api/nodes" -> () -> AdminResponse.json(200, StatusRows.json(routes.status().get()));
            default -> {
                Function<Map<String, String>, AdminResponse> query = routes.queries().get(path);
                if (query == null) {
                    yield routes.gets().get(path);
                }
                Map<String, String> parameters = new LinkedHashMap<>();
                new QueryStringDecoder(request.uri()).parameters().forEach((k, v) -> parameters.put(k, v.get(0)));
                yield () -> query.apply(parameters);
            }
        };
    }

    private AdminResponse scrape(String accept) {
        ScrapeFormat format = ScrapeFormat.negotiate(accept);
        ByteBuf buf = Unpooled.buffer(16 * 1024);
        try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
            registry.scrape(out, format.contentType());
        } catch (IOException e) {
            throw new IllegalStateException("scrape into memory failed", e);
        }
        byte[] body = new byte[buf.readableBytes()];
        buf.readBytes(body);
        return new AdminResponse(200, format.contentType(), body);
    }

    /** 200 while every liveness check is up; 503 with the failing checks otherwise (the orchestrator restarts the process). */
    private AdminResponse health() {
        if (routes.liveness().isEmpty()) {
            return new AdminResponse(200, AdminResponse.JSON, HEALTH_BODY);
        }
        AdminResponse r = judge(routes.liveness());
        return r.status() == 200 ? new AdminResponse(200, AdminResponse.JSON, HEALTH_BODY) : r;
    }

    /** 200 when every check is up, 503 otherwise (Kubernetes readiness and load balancers read the code). */
    private AdminResponse ready() {
        return judge(routes.checks());
    }

    private static AdminResponse judge(List<ReadinessCheck> all) {
        boolean allUp = true;
        Map<String, Object> checks = new LinkedHashMap<>();
        for (ReadinessCheck check : all) {
            ReadinessCheck.Result result;
            try {
                result = check.check();
            } catch (RuntimeException e) {
                result = ReadinessCheck.Result.down("check failed: " + e.getClass().getSimpleName());
            }
            if (result == null) {
                result = ReadinessCheck.Result.down("check returned nothing");
            }
            allUp &= result.up();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("status", result.up() ? "UP" : "DOWN");
            if (result.detail() != null) {
                entry.put("detail", result.detail());
            }
            checks.put(check.name(), entry);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", allUp ? "UP" : "DOWN");
        body.put("checks", checks);
        return AdminResponse.json(allUp ? 200 : 503, body);
    }

    private AdminResponse handlePost(String path, FullHttpRequest request, AdminRoutes.Operation operation,
            AdminPrincipal who) {
        JsonNode body;
        try {
            body = request.content().isReadable()
                    ? Json.MAPPER.readTree(new io.netty.buffer.ByteBufInputStream(request.content()))
                    : Json.MAPPER.createObjectNode();
        } catch (IOException e) {
            return AdminResponse.error(400, "body is not valid JSON");
        }
        if (body == null || body.isMissingNode()) {
            body = Json.MAPPER.createObjectNode();
        }
        JsonNode json = body;
        return invoke(path, () -> operation.apply(who, json));
    }

    private static AdminResponse invoke(String path, Supplier<AdminResponse> handler) {
        try {
            AdminResponse answer = handler.get();
            return answer != null ? answer : AdminResponse.error(500, "handler returned nothing");
        } catch (RuntimeException e) {
            // The path is one of ours (routed), so it is safe to log; the exception carries no request data.
            log.warn("admin endpoint {} failed", path, e);
            return AdminResponse.error(500, "internal error");
        }
    }

    private void write(ChannelHandlerContext ctx, FullHttpRequest request, String path, AdminResponse answer,
            boolean keepAlive) {
        if (answer.refusal() != null) {
            metrics.refused(answer.refusal());
            // Routed path (or 'other') and address only: header values are the client's, credentials never logged.
            refusalLogs.get(answer.refusal()).record(request.method().name() + " " + metrics.routedOrOther(path)
                    + " from " + remote(ctx) + " answered " + answer.status());
        }
        send(ctx, request, path, toNetty(request, answer), keepAlive);
    }

    private static FullHttpResponse toNetty(FullHttpRequest request, AdminResponse answer) {
        boolean head = request.method().equals(HttpMethod.HEAD);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(answer.status()),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(answer.body()));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, answer.contentType())
                // HEAD: the length the GET body would have (RFC 9110 section 9.3.2).
                .setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .set("X-Content-Type-Options", "nosniff");
        answer.headers().forEach((name, value) -> response.headers().set(name, value));
        if (answer.contentType().startsWith("text/html")) {
            // The page has no script and loads nothing: forbid both, and framing (clickjacking).
            response.headers().set("Content-Security-Policy",
                    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
        }
        return response;
    }

    private void send(ChannelHandlerContext ctx, FullHttpRequest request, String path, FullHttpResponse response,
            boolean keepAlive) {
        metrics.request(path, response.status().code());
        if (keepAlive) {
            if (!request.protocolVersion().isKeepAliveDefault()) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("admin connection failed: {}", cause.toString());
        ctx.close();
    }
}
