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
import java.io.IOException;
import java.util.LinkedHashMap;
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

    /** Liveness: the process answers HTTP. Nothing more, so a slow Kafka never restarts the pod. */
    private static final byte[] HEALTH_BODY = "{\"status\":\"UP\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private final PrometheusMeterRegistry registry;
    private final AdminRoutes.Snapshot routes;
    private final BasicCredentials credentials;
    private final AdminMetrics metrics;

    AdminHandler(PrometheusMeterRegistry registry, AdminRoutes.Snapshot routes, BasicCredentials credentials,
            AdminMetrics metrics) {
        this.registry = registry;
        this.routes = routes;
        this.credentials = credentials;
        this.metrics = metrics;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        if (request.decoderResult().isFailure()) {
            write(ctx, request, path, AdminResponse.error(400, "malformed request"), false);
            return;
        }
        if (credentials != null && !path.equals("/health")
                && !credentials.matches(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            FullHttpResponse response = toNetty(request, AdminResponse.error(401, "authentication required"));
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, CHALLENGE);
            send(ctx, request, path, response, HttpUtil.isKeepAlive(request));
            return;
        }
        HttpMethod method = request.method();
        boolean read = method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
        Supplier<AdminResponse> get = getRoute(path, request);
        AdminRoutes.PostHandler post = routes.posts().get(path);
        AdminResponse answer;
        if (get == null && post == null) {
            answer = AdminResponse.error(404, "no such path");
        } else if (read && get != null) {
            answer = invoke(path, get);
        } else if (method.equals(HttpMethod.POST) && post != null) {
            answer = handlePost(path, request, post, caller(ctx, request));
        } else {
            FullHttpResponse response = toNetty(request, AdminResponse.error(405, "method not allowed"));
            response.headers().set(HttpHeaderNames.ALLOW, get != null ? "GET, HEAD" : "POST");
            send(ctx, request, path, response, HttpUtil.isKeepAlive(request));
            return;
        }
        write(ctx, request, path, answer, HttpUtil.isKeepAlive(request));
    }

    private Supplier<AdminResponse> getRoute(String path, FullHttpRequest request) {
        return switch (path) {
            case "/health" -> () -> new AdminResponse(200, AdminResponse.JSON, HEALTH_BODY);
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

    /** 200 when every check is up, 503 otherwise (Kubernetes readiness and load balancers read the code). */
    private AdminResponse ready() {
        boolean allUp = true;
        Map<String, Object> checks = new LinkedHashMap<>();
        for (ReadinessCheck check : routes.checks()) {
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

    /**
     * Who sent this (already authenticated) request and from where: the Basic user name, or
     * {@link AdminCaller#ANONYMOUS} without configured credentials, and the peer address.
     */
    private AdminCaller caller(ChannelHandlerContext ctx, FullHttpRequest request) {
        String principal = AdminCaller.ANONYMOUS;
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (credentials != null && authorization != null) {
            // matches() accepted it, so it is "Basic <base64 of user:password>" (RFC 7617 section 2).
            String decoded = new String(java.util.Base64.getDecoder().decode(authorization.substring(6).trim()),
                    java.nio.charset.StandardCharsets.UTF_8);
            principal = decoded.substring(0, decoded.indexOf(':'));
        }
        java.net.SocketAddress peer = ctx.channel().remoteAddress();
        String from = peer instanceof java.net.InetSocketAddress a
                ? a.getAddress().getHostAddress() + ":" + a.getPort() : String.valueOf(peer);
        return new AdminCaller(principal, from);
    }

    private AdminResponse handlePost(String path, FullHttpRequest request, AdminRoutes.PostHandler post,
            AdminCaller caller) {
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (type != null && !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            return AdminResponse.error(415, "expected Content-Type application/json");
        }
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
        return invoke(path, () -> post.handle(caller, json));
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
