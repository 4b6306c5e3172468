package io.auditwatch.service.config;

import java.util.Locale;

/**
 * The configuration reference, {@code config/README.md}, generated from {@link Keys} so that it
 * cannot drift from the code: {@code auditwatch check-config --reference} prints it, and a test
 * fails when the file in the repository differs.
 */
public final class ConfigReference {
    /** The command that rewrites {@code config/README.md}, run from the repository root. */
    public static final String REGENERATE =
            "mvn -B -q package -DskipTests && java -jar ingest/target/auditwatch.jar check-config --reference > config/README.md";

    private ConfigReference() {
    }

    public static String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("# Configuration reference\n\n");
        b.append("<!-- Generated from ingest/src/main/java/io/auditwatch/service/config/Keys.java; do not edit.\n");
        b.append("     Regenerate: ").append(REGENERATE).append(" -->\n\n");
        b.append("""
                Every key of auditwatch, its type, default and meaning. Values come from the YAML file
                (`--config`, else `$AUDITWATCH_CONFIG`, else `config/auditwatch.yaml` when present; the
                shipped `auditwatch.yaml` lists every default), then from environment variables, which
                win. The variable of a key is `AUDITWATCH_` and the key upper-cased, with `.` and `-` as
                `_`. A key the file does not know, or an `AUDITWATCH_` variable that names no key, is a
                configuration error (exit code 2) naming the nearest key; so is a secret written into the
                file. Lists are YAML sequences in the file and comma-separated in the environment.
                Durations: `500ms`, `90s`, `15m`, `4h`, `7d` or ISO-8601 (`PT15M`). Sizes: `65536`,
                `64KiB`, `512MiB`, `2GiB` (KB, MB, GB are powers of 1000). `auditwatch check-config`
                prints the effective value of every key and where it came from.
                """);
        String section = null;
        for (ConfigKey<?> k : Keys.ALL) {
            String first = k.path().split("\\.", 2)[0];
            if (!first.equals(section)) {
                section = first;
                b.append("\n## ").append(title(first)).append("\n\n");
                b.append("| Key | Default | Accepts | Environment variable | Meaning |\n");
                b.append("|---|---|---|---|---|\n");
            }
            b.append("| `").append(k.path()).append("` | ").append(defaultText(k)).append(" | ")
                    .append(cell(k.type().expected())).append(" | `").append(k.envVar()).append("` | ")
                    .append(cell(k.doc())).append(" |\n");
        }
        b.append("\n## Named entries\n\n");
        b.append("Keys whose last segment is a name you choose; `isso` and `sa` are recipients like any other role.\n\n");
        b.append("| Key | Accepts | Environment variable | Meaning |\n");
        b.append("|---|---|---|---|\n");
        for (String prefix : Keys.MAP_PREFIXES) {
            String doc = Keys.MAP_PREFIX_DOCS.get(prefix);
            String name = doc.substring(0, doc.indexOf(':'));
            b.append("| `").append(prefix).append('.').append(name).append("` | ")
                    .append(cell(ValueType.LIST.expected())).append(" | `").append(ConfigKey.envVarFor(prefix))
                    .append('_').append(name.toUpperCase(Locale.ROOT).replace('-', '_')).append("` | ")
                    .append(cell(doc.substring(doc.indexOf(':') + 1).trim())).append(" |\n");
        }
        b.append("\n`AUDITWATCH_` variables that are not keys and are allowed: ");
        b.append(String.join(", ", Keys.OTHER_ENVIRONMENT.stream().map(v -> "`" + v + "`").toList()));
        b.append(".\n");
        return b.toString();
    }

    /** The section title of the keys whose path starts with {@code first}. */
    private static String title(String first) {
        return switch (first) {
            case "data-dir" -> "Data";
            case "kafka" -> "Kafka";
            case "spool" -> "Disk spool";
            case "listeners" -> "Syslog listeners";
            case "admin" -> "Admin HTTP server";
            case "heartbeat" -> "Heartbeat";
            case "alerting" -> "Alerting";
            default -> first;
        };
    }

    private static String defaultText(ConfigKey<?> k) {
        if (k.secret()) {
            return "(secret: environment only)";
        }
        return k.defaultValue().isEmpty() ? "(empty)" : "`" + k.defaultValue() + "`";
    }

    /** Text safe inside a Markdown table cell. */
    private static String cell(String text) {
        return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;");
    }
}
