package io.auditwatch.service.admin;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AdminRoutesTest {

    @Test
    void builtInPathsCannotBeShadowed() {
        assertThrows(IllegalArgumentException.class,
                () -> new AdminRoutes().get("/metrics", () -> AdminResponse.error(500, "x")));
        assertThrows(IllegalArgumentException.class,
                () -> new AdminRoutes().post("/health", (caller, json) -> AdminResponse.error(500, "x")));
    }

    @Test
    void samePathMayServeGetAndPostButNotTwoPosts() {
        AdminRoutes routes = new AdminRoutes()
                .get("/api/maintenance", () -> AdminResponse.json(200, "[]"));
        assertDoesNotThrow(() -> routes.post("/api/maintenance", (caller, json) -> AdminResponse.json(202, json)));
        assertThrows(IllegalArgumentException.class,
                () -> routes.post("/api/maintenance", (caller, json) -> AdminResponse.json(202, json)));
    }

    @Test
    void pathsMustBeAbsoluteWithoutQuery() {
        assertThrows(IllegalArgumentException.class, () -> new AdminRoutes().get("api/x", () -> null));
        assertThrows(IllegalArgumentException.class, () -> new AdminRoutes().get("/api/x?y=1", () -> null));
    }

    @Test
    void readinessCheckNamesAreUnique() {
        AdminRoutes routes = new AdminRoutes().readiness(ReadinessCheck.of("kafka", ReadinessCheck.Result::ok));
        assertThrows(IllegalArgumentException.class,
                () -> routes.readiness(ReadinessCheck.of("kafka", ReadinessCheck.Result::ok)));
    }
}
