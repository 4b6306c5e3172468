package io.auditwatch.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.auditwatch.service.config.Config;
import io.auditwatch.service.config.ConfigLoader;
import io.auditwatch.service.config.Keys;
import io.auditwatch.service.config.ModuleSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configurations the deployment kit ships are ones this build accepts: the Kubernetes
 * ConfigMap's auditwatch.yaml, and compose's environment on top of the image's. Unknown keys and
 * unknown AUDITWATCH_* variables are configuration errors, so a misspelt key in the kit fails here
 * instead of at a customer's first start. (File-reading checks, such as password files, are left
 * to start-up: the files exist only in a deployment.)
 */
class DeployKitConfigTest {
    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path dir;

    /** The admin roles' keys arrive with the admin server's authentication; without them the kit cannot load. */
    private static void assumeAdminRoleKeys() {
        assumeTrue(Keys.ALL.stream().anyMatch(k -> k.path().equals("admin.read-username")),
                "this build has no admin.read-username yet (the kit configures both admin roles)");
    }

    @Test
    void theKubernetesConfigMapLoadsAndListensWhereItMust() throws Exception {
        JsonNode configMap = YAML.readTree(DEPLOY.resolve("kubernetes/configmap.yaml").toFile());
        Path file = Files.writeString(dir.resolve("auditwatch.yaml"), configMap.at("/data/auditwatch.yaml").asText());
        assumeAdminRoleKeys();
        Config c = ConfigLoader.load(file, Map.of());
        assertEquals("0.0.0.0", c.get(Keys.TCP_HOST));
        assertEquals("0.0.0.0", c.get(Keys.TLS_HOST));
        assertEquals("required", c.formatted(Keys.TLS_CLIENT_AUTH));
        ModuleSettings.tlsPolicy(c);
        ModuleSettings.heartbeat(c);
    }

    @Test
    void composeEnvironmentOnTopOfTheImageLoads() throws Exception {
        Map<String, String> env = new HashMap<>(imageEnvironment());
        JsonNode compose = YAML.readTree(DEPLOY.resolve("compose.yaml").toFile());
        for (Iterator<Map.Entry<String, JsonNode>> it = compose.at("/services/auditwatch/environment").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            env.put(e.getKey(), e.getValue().asText());
        }
        assertEquals("0.0.0.0", env.get("AUDITWATCH_LISTENERS_TCP_HOST"), "the image binds the syslog listeners to every interface");
        assertFalse(env.containsKey("AUDITWATCH_ALERTING_SMTP_PASSWORD"), "no password in the compose file");
        assumeAdminRoleKeys();
        Config c = ConfigLoader.load(Path.of("..", "config", "auditwatch.yaml"), env);
        assertEquals("required", c.formatted(Keys.TLS_CLIENT_AUTH));
        assertEquals("none", c.formatted(Keys.SMTP_STARTTLS));
        ModuleSettings.alerting(c);
    }

    /** The ENV block of deploy/Dockerfile's runtime stage. */
    private static Map<String, String> imageEnvironment() throws Exception {
        String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));
        Map<String, String> env = new HashMap<>();
        Matcher m = Pattern.compile("(AUDITWATCH_[A-Z_]+)=(\\S+)").matcher(dockerfile);
        while (m.find()) {
            env.put(m.group(1), m.group(2));
        }
        assertTrue(env.containsKey("AUDITWATCH_DATA_DIR"), "Dockerfile ENV not found");
        return env;
    }
}
