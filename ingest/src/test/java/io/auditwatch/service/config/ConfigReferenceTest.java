package io.auditwatch.service.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** config/README.md is what {@link ConfigReference} generates from {@link Keys}, never an older copy. */
class ConfigReferenceTest {
    private static final Path FILE = Path.of("..", "config", "README.md");

    @Test
    void committedReferenceIsTheGeneratedOne() throws IOException {
        String committed = Files.exists(FILE) ? Files.readString(FILE, StandardCharsets.UTF_8) : "(missing)";
        assertEquals(ConfigReference.markdown(), committed,
                "config/README.md is stale; regenerate it from the repository root with: " + ConfigReference.REGENERATE);
    }

    @Test
    void everyKeyIsListedWithItsDefaultTypeAndVariable() {
        String text = ConfigReference.markdown();
        for (ConfigKey<?> k : Keys.ALL) {
            String row = text.lines().filter(l -> l.startsWith("| `" + k.path() + "` |")).findFirst().orElse("");
            assertTrue(row.contains("`" + k.envVar() + "`"), k.path() + ": " + row);
            assertTrue(row.contains(k.type().expected().replace("|", "\\|")), k.path() + ": " + row);
            assertTrue(k.secret() || row.contains(k.defaultValue().isEmpty() ? "(empty)" : "`" + k.defaultValue() + "`"),
                    k.path() + ": " + row);
        }
        assertTrue(text.contains("starttls-opportunistic"), "aliases of closed sets are listed");
    }
}
