package io.auditwatch.service.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The admin server's request rules as pure decisions on header values. */
class AdminAccessTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 9464);
    private static final InetSocketAddress POD = new InetSocketAddress("10.42.0.17", 9464);

    private static HttpHeaders origin(String value) {
        return new DefaultHttpHeaders().set("Origin", value);
    }

    @Test
    void onlyApplicationJsonCountsAsJson() {
        assertTrue(AdminAccess.json("application/json"));
        assertTrue(AdminAccess.json("Application/JSON; charset=utf-8"));
        assertFalse(AdminAccess.json(null), "sendBeacon of a Blob sends none");
        assertFalse(AdminAccess.json("text/plain;charset=UTF-8"));
        assertFalse(AdminAccess.json("application/jsonp"));
        assertFalse(AdminAccess.json("application/x-www-form-urlencoded"));
    }

    @Test
    void defaultHostNamesAreLoopbackAndTheBindAddressPortIgnored() {
        AdminAccess a = new AdminAccess(AdminSettings.of("127.0.0.1", 0));
        assertTrue(a.hostAllowed("localhost:9464", LOOPBACK));
        assertTrue(a.hostAllowed("127.0.0.1", LOOPBACK));
        assertTrue(a.hostAllowed("[::1]:9464", LOOPBACK));
        assertTrue(a.hostAllowed("LOCALHOST", LOOPBACK));
        assertFalse(a.hostAllowed("rebind.attacker.example:9464", LOOPBACK));
        assertFalse(a.hostAllowed("localhost.attacker.example", LOOPBACK));
        assertFalse(a.hostAllowed(null, LOOPBACK), "HTTP/1.1 requires Host");
    }

    @Test
    void theAddressTheConnectionArrivedOnIsAlwaysAName() {
        AdminAccess a = new AdminAccess(AdminSettings.of("0.0.0.0", 0).withAllowedHosts(List.of("auditwatch.internal")));
        assertTrue(a.hostAllowed("10.42.0.17:9464", POD), "Prometheus scraping the pod IP");
        assertTrue(a.hostAllowed("auditwatch.internal", POD));
        assertFalse(a.hostAllowed("localhost", POD), "configured names replace the defaults");
        assertFalse(a.hostAllowed("10.42.0.18", POD));
    }

    @Test
    void originMustBeAnAllowedHostOverHttpOrHttps() {
        AdminAccess a = new AdminAccess(AdminSettings.of("127.0.0.1", 0));
        assertTrue(a.originAllowed(new DefaultHttpHeaders(), LOOPBACK), "no Origin: not a cross-site browser request");
        assertTrue(a.originAllowed(origin("http://localhost:9464"), LOOPBACK));
        assertTrue(a.originAllowed(origin("https://[::1]:8443"), LOOPBACK));
        assertFalse(a.originAllowed(origin("https://attacker.example"), LOOPBACK));
        assertFalse(a.originAllowed(origin("null"), LOOPBACK));
        assertFalse(a.originAllowed(origin("file://localhost"), LOOPBACK));
        assertFalse(a.originAllowed(origin("http://localhost/path"), LOOPBACK));
    }

    @Test
    void withoutAuthenticationEveryoneIsTheAnonymousOperator() {
        AdminPrincipal who = new AdminAccess(AdminSettings.of("127.0.0.1", 0)).authenticate(null, null, "127.0.0.1");
        assertEquals(new AdminPrincipal(AdminPrincipal.ANONYMOUS, AdminRole.OPERATOR, "127.0.0.1"), who);
    }

    @Test
    void basicCredentialsMapToTheirRole() {
        AdminAccess a = new AdminAccess(AdminSettings.of("127.0.0.1", 0)
                .withCredentials(BasicCredentials.of("ops", "op-secret"))
                .withReadCredentials(BasicCredentials.of("prometheus", "read-secret")));
        assertEquals(AdminRole.OPERATOR, a.authenticate(basic("ops:op-secret"), null, "10.0.0.1").role());
        AdminPrincipal reader = a.authenticate(basic("prometheus:read-secret"), null, "10.0.0.2");
        assertEquals(new AdminPrincipal("prometheus", AdminRole.READ, "10.0.0.2"), reader);
        assertNull(a.authenticate(basic("prometheus:op-secret"), null, "10.0.0.3"));
        assertNull(a.authenticate(null, null, "10.0.0.4"));
    }

    @Test
    void loopbackIsDecidedWithoutDns() {
        assertTrue(AdminSettings.of("127.0.0.1", 0).loopback());
        assertTrue(AdminSettings.of("::1", 0).loopback());
        assertTrue(AdminSettings.of("localhost", 0).loopback());
        assertFalse(AdminSettings.of("0.0.0.0", 0).loopback());
        assertFalse(AdminSettings.of("admin.example.org", 0).loopback());
        assertTrue(AdminSettings.of("0.0.0.0", 0).openToTheNetwork());
        assertFalse(AdminSettings.of("0.0.0.0", 0).withReadCredentials(BasicCredentials.of("p", "q")).openToTheNetwork());
    }

    private static String basic(String userColonPassword) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString(
                userColonPassword.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
